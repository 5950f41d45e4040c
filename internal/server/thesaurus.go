package server

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// registerThesaurus serves the concept thesaurus as SKOS in Turtle, for others to reuse:
// fixed with the binary, so written once and cached.
func registerThesaurus(e *gin.Engine, t *thesaurus.Thesaurus) {
	var ttl bytes.Buffer
	_ = t.WriteTurtle(&ttl) // writing to memory does not fail
	e.GET("/skos.ttl", func(c *gin.Context) {
		if _, err := queryParams(c); err != nil {
			writeError(c, err)
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, "text/turtle; charset=utf-8", ttl.Bytes())
	})
}
