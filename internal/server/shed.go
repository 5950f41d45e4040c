package server

import (
	"context"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Shedding bounds the expensive requests (search, suggest, similar, recommendations,
// submissions) in flight: past Concurrent, a request waits at most Wait for a place,
// then gets a 503 with Retry-After, so the server keeps answering cheap requests instead
// of falling over. Timeout bounds how long any request may run.
type Shedding struct {
	Concurrent int
	Wait       time.Duration
	Timeout    time.Duration
}

func (s Shedding) withDefaults() Shedding {
	if s.Concurrent == 0 {
		s.Concurrent = 4 * runtime.GOMAXPROCS(0)
	}
	if s.Wait == 0 {
		s.Wait = 500 * time.Millisecond
	}
	if s.Timeout == 0 {
		s.Timeout = 15 * time.Second
	}
	return s
}

// gate is the shared pool of places for expensive requests, and their rate per address.
type gate struct {
	places chan struct{}
	wait   time.Duration
	m      *Metrics
	rate   *limiter
}

func newGate(s Shedding, m *Metrics, r Rate) *gate {
	return &gate{places: make(chan struct{}, s.Concurrent), wait: s.Wait, m: m, rate: newLimiter(r)}
}

// expensive is the middleware of the routes that use a place. The request's body is
// already in (readBody), so a place is held only while the request is worked on.
func (g *gate) expensive() gin.HandlerFunc {
	return func(c *gin.Context) {
		if g.rate.refused(c, "requests") {
			return
		}
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.places <- struct{}{}:
			defer func() { <-g.places }()
			c.Next()
		case <-t.C:
			g.m.shed.WithLabelValues(c.FullPath()).Inc()
			c.Header("Retry-After", "1")
			writeError(c, apperr.Errorf(apperr.Unavailable, "the server is busy; try again in a second"))
		case <-c.Request.Context().Done():
			c.Abort()
		}
	}
}

// timeout gives every request a deadline; searches and other long work follow the
// request's context.
func timeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
