package server

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Rate is a token bucket: Burst requests at once, then one every Every. The zero Rate
// stands for the default; NoLimit lets every request through.
type Rate struct {
	Every time.Duration
	Burst int
}

// NoLimit is a rate that never holds a request back.
var NoLimit = Rate{Burst: -1}

func (r Rate) or(def Rate) Rate {
	if r.Burst == 0 {
		return def
	}
	return r
}

// Limits are the per-address rates of the endpoints open to abuse. Submissions and
// logins are limited by the services themselves, for the API and the pages alike.
type Limits struct {
	// Expensive is shared by every request that takes a place in the pool of expensive
	// requests (search, suggestions, similar, recommendations, duplicates, OAI, pages).
	Expensive Rate
}

// DefaultLimits: a hundred expensive requests, then twenty a second (far more than a
// person clicking and typing, or an office of them behind one address).
var DefaultLimits = Limits{
	Expensive: Rate{Every: 50 * time.Millisecond, Burst: 100},
}

func (l Limits) withDefaults() Limits {
	return Limits{Expensive: l.Expensive.or(DefaultLimits.Expensive)}
}

// limiter keeps one token bucket per client address.
type limiter struct {
	rate     Rate
	mu       sync.Mutex
	buckets  map[string]*bucket
	lastPrun time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(r Rate) *limiter { return &limiter{rate: r, buckets: map[string]*bucket{}} }

// wait returns how long the address must wait, 0 when it may go now.
func (l *limiter) wait(addr string) time.Duration {
	if l.rate.Burst < 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.lastPrun) > time.Minute {
		// Forget addresses whose bucket has refilled: they would get a full one anyway.
		full := l.rate.Every * time.Duration(l.rate.Burst)
		for k, b := range l.buckets {
			if now.Sub(b.seen) > full {
				delete(l.buckets, k)
			}
		}
		l.lastPrun = now
	}
	b, ok := l.buckets[addr]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.rate.Every), l.rate.Burst)}
		l.buckets[addr] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// refused answers 429 with Retry-After, and says so, when the request's address is over
// its rate.
func (l *limiter) refused(c *gin.Context, what string) bool {
	d := l.wait(c.ClientIP())
	if d <= 0 {
		return false
	}
	secs := int(math.Ceil(d.Seconds()))
	c.Header("Retry-After", fmt.Sprint(secs))
	writeError(c, apperr.Errorf(apperr.RateLimited, "too many %s from your address; try again in %d seconds", what, secs))
	return true
}
