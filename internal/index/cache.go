package index

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/lru"
)

// answers keeps recent answers (searches, suggestions, candidates) until the index
// changes: every write to the index moves its generation on, and an answer computed at
// an older generation is never served. Identical requests in flight wait for one
// computation instead of each running it. The answers are shared: callers must not
// modify them.
type answers struct {
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

// answerCacheSize bounds the answers kept (a page of search results is a few KB).
const answerCacheSize = 1024

// sharedTimeout bounds a computation that several requests wait for: it does not stop
// when the request that started it goes away, since others may still want it.
const sharedTimeout = 15 * time.Second

func newAnswers(max int) *answers {
	return &answers{kept: lru.New[string, answer](max)}
}

// cached returns the answer to key at generation gen, computing it when it is not kept;
// a nil cache computes every answer, each request on its own.
func cached[V any](ctx context.Context, c *answers, key string, gen uint64, compute func(context.Context) (V, error)) (V, error) {
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

// key is the request in one canonical form: filters and ids in order.
func (r Request) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "search|%q|%d|%d|%t|%t|%t|%s|%s", r.Query, r.Page, r.Limit, r.Explain, r.Latest, r.HitsOnly, r.Sort, r.Lang)
	names := make([]string, 0, len(r.Filters))
	for name := range r.Filters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		vs := slices.Clone(r.Filters[name])
		sort.Strings(vs)
		fmt.Fprintf(&b, "|%s=%q", name, vs)
	}
	if len(r.IDs) > 0 {
		ids := slices.Clone(r.IDs)
		sort.Strings(ids)
		fmt.Fprintf(&b, "|ids=%q", ids)
	}
	return b.String()
}
