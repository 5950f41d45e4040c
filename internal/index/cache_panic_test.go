package index

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// A panic in a computation the answer cache runs (on singleflight's goroutine, where no
// request's recovery reaches) is the error of every request waiting for it, with the
// stack for the log; the process lives on and the cache keeps working.
func TestPanicInASharedComputationBecomesItsError(t *testing.T) {
	c := newAnswers(8)
	release := make(chan struct{})
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = cached(context.Background(), c, "k", 1, func(context.Context) (int, error) {
				<-release
				panic("boom")
			})
		})
	}
	close(release)
	wg.Wait()
	for _, err := range errs {
		if apperr.Code(err) != apperr.Internal || !strings.Contains(err.Error(), "panic: boom") || !strings.Contains(err.Error(), "cache_panic_test.go") {
			t.Fatalf("want an internal error with the panic and its stack, got %v", err)
		}
	}
	v, err := cached(context.Background(), c, "k", 1, func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("after the panic: %v %v", v, err)
	}
}

// page × limit would overflow for a huge page: the window check must not.
func TestHugePagesAreRefusedWithoutOverflow(t *testing.T) {
	for _, r := range []Request{{Page: math.MaxInt, Limit: 10}, {Page: math.MaxInt / 10 * 2, Limit: 100}, {Page: math.MaxInt, Limit: 1}} {
		err := r.Validate()
		if apperr.Code(err) != apperr.Invalid || apperr.As(err).Fields["page"] == "" {
			t.Fatalf("page %d limit %d: %v", r.Page, r.Limit, err)
		}
	}
	if r := (Request{Page: MaxWindow / 10, Limit: 10}); r.Validate() != nil {
		t.Fatal("the last page of the window is refused")
	}
}
