package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/ai"
)

// Asker answers questions from the practices through the optional AI endpoint.
type Asker interface {
	Ask(ctx context.Context, question string) (ai.Answer, error)
}

// registerAsk adds POST /ask when an endpoint is configured; without one the route does
// not exist and the API says so with 404.
func registerAsk(api *gin.RouterGroup, svc Asker, expensive gin.HandlerFunc) {
	if svc == nil {
		return
	}
	api.POST("/ask", expensive, func(c *gin.Context) {
		var in struct {
			Question string `json:"question"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		a, err := svc.Ask(c.Request.Context(), in.Question)
		respond(c, http.StatusOK, a, err)
	})
}
