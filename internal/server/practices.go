package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func registerPractices(api *gin.RouterGroup, svc Service) {
	api.GET("/practices/:id", func(c *gin.Context) {
		if _, err := queryParams(c); err != nil {
			writeError(c, err)
			return
		}
		p, err := svc.Get(c, c.Param("id"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, p)
	})
}
