package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Asker answers questions from the practices (only when an AI endpoint is configured).
type Asker interface {
	Ask(ctx context.Context, question string) (ai.Answer, error)
	AskStream(ctx context.Context, question string, emit func(string)) (ai.Answer, error)
	Available() bool
}

// registerAsk adds the "ask the knowledge base" page when an endpoint is configured;
// without one the page and its link do not exist.
func (p *Pages) registerAsk(g *gin.RouterGroup, expensive gin.HandlerFunc) {
	if p.cfg.Ask == nil {
		return
	}
	g.GET("/ask", expensive, p.ask)
	g.GET("/ask/stream", expensive, p.askStream)
}

// askStream sends the answer as server-sent events while it is written: "delta" events
// with text, then "done" with the grounded answer (the final word: the page shows it in
// place of what streamed), or "error". The page's script uses it; /ask works without.
func (p *Pages) askStream(c *gin.Context) {
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-cache")
	c.Header("X-Accel-Buffering", "no") // a proxy must not hold the events back
	c.Status(http.StatusOK)
	send := func(event string, v any) {
		data, _ := json.Marshal(v)
		fmt.Fprintf(c.Writer, "event: %s\ndata: %s\n\n", event, data)
		c.Writer.Flush()
	}
	a, err := p.cfg.Ask.AskStream(c.Request.Context(), strings.TrimSpace(c.Query("q")), func(s string) { send("delta", map[string]string{"text": s}) })
	if err != nil {
		e := apperr.As(err)
		msg := e.Message
		switch {
		case e.Code == apperr.Internal:
			p.cfg.Logger.Error("ask failed", "err", err)
			msg = ""
		case e.RetryAfter > 0:
			msg = p.retryMessage(c, e.RetryAfter)
		}
		send("error", map[string]string{"code": e.Code, "message": msg})
		return
	}
	send("done", a)
}

func (p *Pages) ask(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	data := map[string]any{"Question": q}
	if q == "" {
		p.render(c, http.StatusOK, "ask", data)
		return
	}
	a, err := p.cfg.Ask.Ask(c.Request.Context(), q)
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
