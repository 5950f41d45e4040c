package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func registerHealth(e *gin.Engine, svc Service) {
	e.GET("/healthz", func(c *gin.Context) {
		if err := svc.Ready(c); err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
}
