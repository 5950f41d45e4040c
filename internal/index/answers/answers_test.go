package answers

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// A panic in a computation the answer cache runs (on singleflight's goroutine, where no
// request's recovery reaches) is the error of every request waiting for it, with the
// stack for the log; the process lives on and the cache keeps working.
func TestPanicInASharedComputationBecomesItsError(t *testing.T) {
	c := New(8)
	release := make(chan struct{})
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = Get(context.Background(), c, "k", 1, func(context.Context) (int, error) {
				<-release
				panic("boom")
			})
		})
	}
	close(release)
	wg.Wait()
	for _, err := range errs {
		if apperr.Code(err) != apperr.Internal || !strings.Contains(err.Error(), "panic: boom") || !strings.Contains(err.Error(), "answers_test.go") {
			t.Fatalf("want an internal error with the panic and its stack, got %v", err)
		}
	}
	v, err := Get(context.Background(), c, "k", 1, func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("after the panic: %v %v", v, err)
	}
}
