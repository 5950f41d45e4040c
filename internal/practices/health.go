package practices

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// health is what the store knows of its own state beyond the data: what damage was
// found. Readiness and metrics report it.
type health struct {
	mu sync.Mutex
	// damage holds the first problems found by a check or a read; damage does not heal,
	// so it stays until the store is restored (a restart).
	damage []string
	// checksumsAdded counts the checksums a store from before them was given at open.
	checksumsAdded int
	checksumsTook  time.Duration
}

func newHealth() *health { return &health{} }

// maxDamage bounds the problems kept for readiness; kb check lists them all.
const maxDamage = 20

// seen notes damage that a read found, and returns err.
func (s *Store) seen(err error) error {
	if apperr.Code(err) == apperr.Damaged {
		s.health.noteDamage([]string{damaged(apperr.As(err).Message)})
	}
	return err
}

func (h *health) noteDamage(problems []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range problems {
		if len(h.damage) >= maxDamage {
			return
		}
		if !slices.Contains(h.damage, p) {
			h.damage = append(h.damage, p)
		}
	}
}

// ChecksumsAdded is how many checksums this open gave a store from before them, and how
// long it took.
func (s *Store) ChecksumsAdded() (int, time.Duration) {
	return s.health.checksumsAdded, s.health.checksumsTook
}

// DamageFound counts the problems found in the store so far (by checks and reads).
func (s *Store) DamageFound() int {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	return len(s.health.damage)
}

// Health returns nil when the store can be relied on, or an Unavailable error that says
// why not: damage was found.
func (s *Store) Health() error {
	h := s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.damage) > 0 {
		return apperr.Errorf(apperr.Unavailable, "the store is damaged (%d problems found, run kb check for all): %s", len(h.damage), strings.Join(h.damage, "; "))
	}
	return nil
}
