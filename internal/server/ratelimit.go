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

// Rate is a token bucket: Burst requests at once, then one every Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// Limits are the per-address rates of the endpoints open to abuse.
type Limits struct {
	Submissions Rate
	Logins      Rate
}

// DefaultLimits: ten submissions, then one every six minutes; five login attempts, then
// one every twenty seconds.
var DefaultLimits = Limits{
	Submissions: Rate{Every: 6 * time.Minute, Burst: 10},
	Logins:      Rate{Every: 20 * time.Second, Burst: 5},
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

// limit answers 429 with Retry-After when an address goes over its rate.
func limit(l *limiter, what string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d := l.wait(c.ClientIP()); d > 0 {
			secs := int(math.Ceil(d.Seconds()))
			c.Header("Retry-After", fmt.Sprint(secs))
			writeError(c, apperr.Errorf(apperr.RateLimited, "too many %s from your address; try again in %d seconds", what, secs))
			return
		}
		c.Next()
	}
}
