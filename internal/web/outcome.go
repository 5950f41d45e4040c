package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
)

// outcome says what a coordinator's action did, on the page they go back to: the form
// posts, the page redirects (so a reload sends nothing again), and the page it lands on
// shows the outcome kept here under a token in its address. Kept in memory for the
// recent actions only, and shown only to whoever acted.
type outcome struct {
	who    string
	Text   string
	Failed []failure
}

// failure is an item an action could not be done to, and why.
type failure struct{ Item, Why string }

// maxOutcomes bounds the outcomes kept; the oldest are forgotten first.
const maxOutcomes = 256

// done keeps the outcome of an action and goes back to the peers page to show it.
func (p *Pages) done(c *gin.Context, text string, failed ...failure) {
	token := auth.NewSecret()
	p.mu.Lock()
	p.outcomes.Put(token, outcome{who: user(c).Email, Text: text, Failed: failed})
	p.mu.Unlock()
	c.Redirect(http.StatusSeeOther, "/review/peers?outcome="+token)
}

// outcomeOf returns the outcome the address names, if it is the visitor's.
func (p *Pages) outcomeOf(c *gin.Context) *outcome {
	token := c.Query("outcome")
	if token == "" {
		return nil
	}
	p.mu.Lock()
	o, ok := p.outcomes.Get(token)
	p.mu.Unlock()
	if !ok || o.who != user(c).Email {
		return nil
	}
	return &o
}

// failure says why an action failed on an item; an internal error is logged, not shown.
func (p *Pages) failure(c *gin.Context, item string, err error) failure {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		p.cfg.Logger.Error("coordinator action failed", "route", c.FullPath(), "item", item, "err", err)
		return failure{item, p.catalog.T(negotiate(c), "error.500")}
	}
	return failure{item, strings.TrimSpace(p.errorText(negotiate(c), e))}
}

// requireRole refuses, with an error page, a coordinator without the role.
func (p *Pages) requireRole(role string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !user(c).Can(role) {
			p.fail(c, p.refusal(apperr.Forbidden, "error.role."+role))
			return
		}
		c.Next()
	}
}
