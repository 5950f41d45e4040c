package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

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

// RawUpdate runs fn in a write transaction of s's bbolt file, for tests that change the
// file behind the store's back, as damage or an older kb would.
func RawUpdate(s *Store, fn func(*bolt.Tx) error) error { return s.db.Update(fn) }

// RawView runs fn in a read transaction of s's bbolt file.
func RawView(s *Store, fn func(*bolt.Tx) error) error { return s.db.View(fn) }
