package ai

import (
	"context"
	"sync"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/limit"
)

// Anyone may ask, so one client must not spend everyone's day: by default each client
// (an address, or an IPv6 /64) asks five questions, then one a minute, and spends at
// most a tenth of the day's tokens. Shares are counted in memory: a restart gives each
// client its share again, never more than the day's budget, which is kept in the store.
var DefaultQuestionRate = limit.Rate{Every: time.Minute, Burst: 5}

// DefaultClientShare is the part of the day's tokens one client may spend.
const DefaultClientShare = 0.1

// meter counts the tokens of the endpoint's calls made with a context carrying it.
type meter struct {
	mu     sync.Mutex
	tokens int
}

type meterKey struct{}

func withMeter(ctx context.Context) (context.Context, *meter) {
	m := &meter{}
	return context.WithValue(ctx, meterKey{}, m), m
}

// count adds a call's tokens to the meter of ctx, if any.
func count(ctx context.Context, tokens int) {
	if m, ok := ctx.Value(meterKey{}).(*meter); ok {
		m.mu.Lock()
		m.tokens += tokens
		m.mu.Unlock()
	}
}

func (m *meter) read() int { m.mu.Lock(); defer m.mu.Unlock(); return m.tokens }

// budgeted is a Chatter that tells its day's budget and its cap on one answer.
type budgeted interface {
	Budget() (perDay, perAnswer int)
}

// shares holds what each client spent of the day's tokens, and what its questions under
// way may still spend.
type shares struct {
	mu      sync.Mutex
	day     string
	spent   map[string]int
	pending map[string]int
	now     func() time.Time
}

func newShares() *shares {
	return &shares{spent: map[string]int{}, pending: map[string]int{}, now: time.Now}
}

// reserve sets aside up to most tokens for a question of client, within share, or says
// when the client's share is renewed; settle replaces the reservation with what the
// question spent.
func (s *shares) reserve(client string, most, share int) (settle func(spent int), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	if d := now.Format("2006-01-02"); d != s.day {
		s.day, s.spent, s.pending = d, map[string]int{}, map[string]int{}
	}
	if s.spent[client]+s.pending[client]+most > share {
		midnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
		e := apperr.Errorf(apperr.RateLimited, "your address has used its share of today's questions to the assistant; it is renewed at midnight UTC, and search works as usual")
		e.RetryAfter = midnight.Sub(now)
		return nil, e
	}
	day := s.day
	s.pending[client] += most
	return func(spent int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.day == day {
			s.pending[client] -= most
			s.spent[client] += spent
		}
	}, nil
}
