// Package answers keeps the recent answers of an index until it changes, and makes the
// identical requests in flight wait for one computation.
package answers

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/lru"
)

// Cache keeps recent answers (searches, suggestions, candidates) until the index
// changes: every write to the index moves its generation on, and an answer computed at
// an older generation is never served. Identical requests in flight wait for one
// computation instead of each running it. The answers are shared: callers must not
// modify them.
type Cache struct {
	mu     sync.Mutex
	kept   *lru.Cache[string, answer]
	flight singleflight.Group

	// Served counts answers served again, Computed those computed.
	Served, Computed atomic.Uint64
}

type answer struct {
	gen uint64
	val any
}

// sharedTimeout bounds a computation that several requests wait for: it does not stop
// when the request that started it goes away, since others may still want it.
const sharedTimeout = 15 * time.Second

// New keeps at most max answers.
func New(max int) *Cache {
	return &Cache{kept: lru.New[string, answer](max)}
}

// Get returns the answer to key at generation gen, computing it when it is not kept;
// a nil cache computes every answer, each request on its own.
func Get[V any](ctx context.Context, c *Cache, key string, gen uint64, compute func(context.Context) (V, error)) (V, error) {
	if c == nil {
		return compute(ctx)
	}
	var zero V
	c.mu.Lock()
	a, ok := c.kept.Get(key)
	c.mu.Unlock()
	if ok && a.gen == gen {
		c.Served.Add(1)
		return a.val.(V), nil
	}
	ch := c.flight.DoChan(strconv.FormatUint(gen, 10)+"\x00"+key, func() (_ any, err error) {
		// The computation runs on singleflight's own goroutine, outside any request's
		// recovery, and singleflight re-panics a panic on yet another goroutine: the
		// process would die. It becomes the error of every request waiting for it.
		defer func() {
			if v := recover(); v != nil {
				err = apperr.Panicked(v)
			}
		}()
		c.Computed.Add(1)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTimeout)
		defer cancel()
		v, err := compute(sctx)
		if err == nil {
			c.mu.Lock()
			c.kept.Put(key, answer{gen, v})
			c.mu.Unlock()
		}
		return v, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(V), nil
	case <-ctx.Done():
		return zero, apperr.Errorf(apperr.Unavailable, "the search took too long: %v", ctx.Err())
	}
}
