package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/store"
)

const password = "a long enough password"

// clock is a fake time that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type mailbox struct {
	mu   sync.Mutex
	to   []string
	woke int
}

func (m *mailbox) QueueTx(_ *store.Tx, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.to = append(m.to, to)
	return nil
}
func (m *mailbox) Wake() { m.mu.Lock(); m.woke++; m.mu.Unlock() }

func newService(t *testing.T, opts Options) (*Service, *clock) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.MinCost
	}
	s, err := New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	s.now = c.now
	if _, err := s.AddUser("coord@example.org", RoleCoordinator, password, "test"); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// A failed login does the same work for a known and an unknown email, by construction:
// one bcrypt comparison, with a hash of the service's cost. A hash of another cost is
// brought to the service's at the next right login.
func TestFailedLoginsCostTheSameForKnownAndUnknownAccounts(t *testing.T) {
	s, _ := newService(t, Options{BcryptCost: bcrypt.MinCost + 1})
	var costs []int
	s.compare = func(hash, pw []byte) error {
		c, err := bcrypt.Cost(hash)
		if err != nil {
			t.Fatal(err)
		}
		costs = append(costs, c)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	ctx := t.Context()
	for _, email := range []string{"coord@example.org", "nobody@example.org", "not even an address"} {
		costs = nil
		_, err := s.Login(ctx, email, "wrong password!")
		if apperr.Code(err) != apperr.Unauthorized || err.Error() != "wrong email or password" {
			t.Fatalf("%s: %v", email, err)
		}
		if len(costs) != 1 || costs[0] != s.bcryptCost {
			t.Errorf("%s: compared with hashes of cost %v, want one of cost %d", email, costs, s.bcryptCost)
		}
	}
	// An account hashed at another cost (before the cost was raised) is rehashed.
	old, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	s.store.Update(func(tx *store.Tx) error {
		u, _ := getUser(tx, "coord@example.org")
		u.PasswordHash = old
		return store.PutJSON(tx.Users(), u.Email, u)
	})
	if _, err := s.Login(ctx, "coord@example.org", password); err != nil {
		t.Fatal(err)
	}
	s.store.View(func(tx *store.Tx) error {
		u, _ := getUser(tx, "coord@example.org")
		if c, _ := bcrypt.Cost(u.PasswordHash); c != s.bcryptCost {
			t.Errorf("the old hash was not brought to cost %d: %d", s.bcryptCost, c)
		}
		return nil
	})
}

// Failures from one address slow its next attempts, doubling; failures on one account
// do the same from any address, and lock it, with an audit entry and a message to its
// owner; an unknown email is locked alike, without a message.
func TestFailedLoginsBackOffAndLockTheAccount(t *testing.T) {
	s, clk := newService(t, Options{})
	mail := &mailbox{}
	s.Mail = mail
	from := func(addr string) context.Context { return limit.WithClient(t.Context(), addr) }
	a := from("192.0.2.1")
	for i := range 5 {
		if _, err := s.Login(a, "coord@example.org", "wrong"); apperr.Code(err) != apperr.Unauthorized {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	_, err := s.Login(a, "coord@example.org", password)
	if e := apperr.As(err); e.Code != apperr.RateLimited || e.RetryAfter != time.Second {
		t.Fatalf("after five failures, even the right password waits a second: %v (%v)", err, e.RetryAfter)
	}
	clk.add(time.Second)
	s.Login(a, "nobody@example.org", "wrong")
	if _, err := s.Login(a, "other@example.org", "wrong"); apperr.As(err).RetryAfter != 2*time.Second {
		t.Fatalf("the next wait doubles, for any account from that address: %v", err)
	}
	if _, err := s.Login(from("192.0.2.2"), "other@example.org", "wrong"); apperr.Code(err) != apperr.Unauthorized {
		t.Fatalf("another address is not held back by the first's failures: %v", err)
	}
	// One account, guessed at from many addresses: its own failures back off and lock it.
	for _, email := range []string{"coord@example.org", "ghost@example.org"} {
		clk.add(25 * time.Hour) // everything before is forgotten
		failures := 0
		for i := 0; failures < 20; i++ {
			_, err := s.Login(from("198.51.100."+string(rune('0'+i%10))+string(rune('0'+i/10))), email, "wrong")
			switch e := apperr.As(err); e.Code {
			case apperr.Unauthorized:
				failures++
			case apperr.RateLimited:
				clk.add(e.RetryAfter)
			default:
				t.Fatal(err)
			}
		}
		_, err := s.Login(from("203.0.113.9"), email, password)
		if e := apperr.As(err); e.Code != apperr.RateLimited || e.RetryAfter != time.Hour {
			t.Fatalf("%s after 20 failures: %v (%v), want locked for an hour", email, err, e.RetryAfter)
		}
	}
	if len(mail.to) != 1 || mail.to[0] != "coord@example.org" || mail.woke != 1 {
		t.Fatalf("lockout mail %v (woke %d), want one to the coordinator", mail.to, mail.woke)
	}
	es, _ := audit.List(s.store, audit.Query{Limit: 10})
	var targets []string
	for _, e := range es {
		if e.Action == "login.lockout" {
			targets = append(targets, e.Target)
		}
	}
	if len(targets) != 2 || targets[0] != "login:ghost@example.org" || targets[1] != "user:coord@example.org" {
		t.Fatalf("lockout audit entries on %v", targets)
	}
	clk.add(time.Hour)
	if _, err := s.Login(from("203.0.113.9"), "coord@example.org", password); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if _, err := s.Login(from("203.0.113.9"), "coord@example.org", "wrong"); apperr.Code(err) != apperr.Unauthorized {
		t.Fatalf("a right password clears the account's failures: %v", err)
	}
}

// At most Hashing bcrypt computations run at once, whatever the number of logins.
func TestBcryptWorkIsBounded(t *testing.T) {
	s, _ := newService(t, Options{Hashing: 1})
	var running, most atomic.Int32
	release := make(chan struct{})
	s.compare = func(hash, pw []byte) error {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		running.Add(-1)
		return bcrypt.ErrMismatchedHashAndPassword
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			s.Login(limit.WithClient(t.Context(), "192.0.2."+string(rune('1'+i))), "coord@example.org", "wrong")
		})
	}
	for range 4 {
		release <- struct{}{}
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d bcrypt computations ran at once, want 1", most.Load())
	}
}
