package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/oai"
)

// registerOAI serves the OAI-PMH endpoint and the schemas of what kb puts in it. Lists of
// records are as costly as searches, so they share the places of expensive requests.
func registerOAI(e *gin.Engine, h http.Handler, expensive gin.HandlerFunc) {
	serve := gin.WrapH(h)
	e.GET("/oai", expensive, serve)
	e.POST("/oai", expensive, serve)
	for _, name := range oai.SchemaFiles {
		e.GET("/oai/"+name, gin.WrapF(oai.ServeSchema))
	}
}
