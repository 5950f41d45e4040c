package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/findings"
)

// registerFindings serves the study's figures: fixed data, so the answer is cached.
func registerFindings(api *gin.RouterGroup, f *findings.Findings) {
	api.GET("/findings", func(c *gin.Context) {
		if _, err := queryParams(c); err != nil {
			writeError(c, err)
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		respond(c, http.StatusOK, f, nil)
	})
}
