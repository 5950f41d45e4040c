package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// registerCheck adds GET /admin/v1/check: the full check of the store (kb check), run by
// the server that holds it. Damage is in the report, not an error status: the command
// decides what it means for its exit status.
func registerCheck(g *gin.RouterGroup, svc AdminService) {
	g.GET("/check", func(c *gin.Context) {
		r, err := svc.Check(c.Request.Context())
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, r)
	})
}
