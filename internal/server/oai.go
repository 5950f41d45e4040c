package server

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/oai"
)

// registerOAI serves the OAI-PMH endpoint and the schemas of what kb puts in it. Lists of
// records are as costly as searches, so they share the places of expensive requests.
func registerOAI(e *gin.Engine, h http.Handler, expensive gin.HandlerFunc) {
	serve := gin.WrapH(h)
	e.GET("/oai", expensive, undated, serve)
	e.POST("/oai", expensive, serve)
	for _, name := range oai.SchemaFiles {
		e.GET("/oai/"+name, gin.WrapF(oai.ServeSchema))
	}
}

// undated has an answer's ETag leave out its responseDate, the time of the answer, so that
// the same records answer to the same tag. (A resumption token carries its expiry: a page
// with one changes every second, and no stale token is ever called current.)
func undated(c *gin.Context) {
	c.Set(ctxTagged, func(body []byte) []byte {
		start := bytes.Index(body, []byte("<responseDate>"))
		end := bytes.Index(body, []byte("</responseDate>"))
		if start < 0 || end < start {
			return body
		}
		return append(body[:start:start], body[end:]...)
	})
	c.Next()
}
