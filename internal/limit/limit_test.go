package limit_test

import (
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/limit"
)

func TestKeyGroupsAnIPv6Slash64(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1:1234":                 "192.0.2.1",
		"192.0.2.1":                      "192.0.2.1",
		"::ffff:192.0.2.1":               "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443":     "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:ff": "2001:db8:1:2::/64",
		"@":                              "@",
	} {
		if got := limit.Key(addr); got != want {
			t.Errorf("Key(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestTakeLimitsEachClientAndUndoGivesBack(t *testing.T) {
	l := limit.New(limit.Rate{Every: time.Hour, Burst: 2}, "tries")
	a := limit.WithClient(t.Context(), "192.0.2.1")
	b := limit.WithClient(t.Context(), "192.0.2.2")
	if _, err := l.Take(a); err != nil {
		t.Fatal(err)
	}
	undo, err := l.Take(a)
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Take(a)
	if e := apperr.As(err); e.Code != apperr.RateLimited || e.RetryAfter < 59*time.Minute {
		t.Fatalf("third try: %v (retry after %v)", err, e.RetryAfter)
	}
	undo()
	if _, err := l.Take(a); err != nil {
		t.Fatalf("after an undo: %v", err)
	}
	if _, err := l.Take(b); err != nil {
		t.Fatalf("another client: %v", err)
	}
	for range 100 {
		if _, err := l.Take(t.Context()); err != nil {
			t.Fatalf("a request from inside is not limited: %v", err)
		}
	}
}
