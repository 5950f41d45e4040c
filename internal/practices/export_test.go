package practices

import "time"

// SetWriteFault makes every write of s fail, inside its transaction, with what f
// returns, as a full disk makes bbolt's commit fail; nil makes writes work again. It
// exists only in this package's tests.
func SetWriteFault(s *Store, f func() error) {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	s.health.fault = f
}

// SetProbeInterval sets how often readiness may try a write while the disk is full.
func SetProbeInterval(s *Store, d time.Duration) {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	s.health.probeEvery = d
}
