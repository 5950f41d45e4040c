package index

import (
	"math"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

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
