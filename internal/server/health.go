package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uclg-digital-cities/kb/internal/app"
)

// registerHealth adds /healthz (alive: the store and the index are open) and /readyz
// (ready: the index has also applied every change of the store).
func registerHealth(e *gin.Engine, svc *app.App) {
	e.GET("/healthz", func(c *gin.Context) {
		if err := svc.Ready(c.Request.Context()); err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	e.GET("/readyz", func(c *gin.Context) {
		if err := svc.Caught(c.Request.Context()); err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})
}
