package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Asker answers questions from the practices (only when an AI endpoint is configured).
type Asker interface {
	Ask(ctx context.Context, question string) (ai.Answer, error)
	Available() bool
}

// registerAsk adds the "ask the knowledge base" page when an endpoint is configured;
// without one the page and its link do not exist.
func (p *Pages) registerAsk(g *gin.RouterGroup, expensive gin.HandlerFunc) {
	if p.cfg.Ask == nil {
		return
	}
	g.GET("/ask", expensive, p.ask)
}

func (p *Pages) ask(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	data := map[string]any{"Question": q}
	if q == "" {
		p.render(c, http.StatusOK, "ask", data)
		return
	}
	a, err := p.cfg.Ask.Ask(c, q)
	switch apperr.Code(err) {
	case "":
		data["Answer"] = a
		data["Paragraphs"] = strings.Split(a.Answer, "\n\n")
	case apperr.Unavailable:
		// Search still works: say so and point to it rather than fail the page.
		data["Unavailable"] = true
	default:
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "ask", data)
}
