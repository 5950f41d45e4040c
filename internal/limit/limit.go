// Package limit holds the per-client limits of the requests open to abuse, counted alike
// whichever door (JSON API or HTML pages) a request comes through.
package limit

// The doors (the JSON API and the HTML pages, on one engine) put the client's key in each
// request's context; the services that limit (logins, submissions, saved self-assessments,
// questions to the assistant) read it there, so that both doors count against the same
// limiter by construction.

import (
	"context"
	"fmt"
	"math"
	"net"
	"sync"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

type clientKey struct{}

// WithClient returns ctx carrying the client a request comes from.
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

// Client is the client of a request, "" when it comes from inside (the command line, the
// admin socket, background work), which no limit applies to.
func Client(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// Key is the client an address counts as: an IPv4 address, or the /64 an IPv6 address
// is in, since anyone holding one IPv6 address holds its whole /64.
func Key(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip := net.ParseIP(addr)
	switch {
	case ip == nil:
		return addr
	case ip.To4() != nil:
		return ip.To4().String()
	default:
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
}

// Rate is a token bucket: Burst requests at once, then one every Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// Limiter keeps one token bucket per client.
type Limiter struct {
	rate    Rate
	what    string
	mu      sync.Mutex
	buckets map[string]*bucket
	pruned  time.Time
}

// bucket holds tokens, counted as of last.
type bucket struct {
	tokens float64
	last   time.Time
}

// New makes a limiter; what names the requests in the error ("submissions").
func New(r Rate, what string) *Limiter {
	return &Limiter{rate: r, what: what, buckets: map[string]*bucket{}}
}

// Take takes one request from the client's bucket, or returns a RateLimited error that
// says how long to wait. Undo gives the request back, for an attempt that turned out not
// to count (an invalid submission stores nothing). A request without a client is not
// limited.
func (l *Limiter) Take(ctx context.Context) (undo func(), err error) {
	client := Client(ctx)
	if l == nil || client == "" {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.prune(now)
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[client] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return nil, TooMany(l.what, time.Duration((1-b.tokens)*float64(l.rate.Every)))
	}
	b.tokens--
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		b.tokens = min(b.tokens+1, float64(l.rate.Burst))
	}, nil
}

// refill adds the tokens earned since the bucket was last counted. The caller holds l.mu.
func (l *Limiter) refill(b *bucket, now time.Time) {
	if l.rate.Every > 0 {
		b.tokens = min(float64(l.rate.Burst), b.tokens+float64(now.Sub(b.last))/float64(l.rate.Every))
	}
	b.last = now
}

// prune forgets clients whose bucket has refilled: they would get a full one anyway. The
// caller holds l.mu.
func (l *Limiter) prune(now time.Time) {
	if now.Sub(l.pruned) < time.Minute {
		return
	}
	full := l.rate.Every * time.Duration(l.rate.Burst)
	for k, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, k)
		}
	}
	l.pruned = now
}

// TooMany is the error of a client over a limit, to wait d before trying again.
func TooMany(what string, d time.Duration) *apperr.Error {
	secs := max(1, int(math.Ceil(d.Seconds())))
	e := apperr.Errorf(apperr.RateLimited, "too many %s from your address; try again in %s", what, inWords(secs))
	e.RetryAfter = time.Duration(secs) * time.Second
	return e
}

func inWords(secs int) string {
	switch {
	case secs == 1:
		return "a second"
	case secs < 120:
		return fmt.Sprintf("%d seconds", secs)
	case secs < 2*3600:
		return fmt.Sprintf("%d minutes", (secs+59)/60)
	default:
		return fmt.Sprintf("%d hours", (secs+3599)/3600)
	}
}
