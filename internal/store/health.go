package store

import (
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// health is what the store knows of its own state beyond the data: whether writes fail
// for lack of space, and what damage was found. Readiness and metrics report it.
type health struct {
	mu sync.Mutex
	// diskFull is set by a write that failed with ENOSPC or EDQUOT and cleared by the next
	// write that succeeds.
	diskFull  bool
	fullSince time.Time
	fullErr   string
	// While the disk is full, readiness tries a small write at most every probeEvery, so
	// that a node taken out of rotation (and so getting no writes) comes back by itself.
	lastProbe  time.Time
	probeEvery time.Duration
	// damage holds the first problems found by a check or a read; damage does not heal,
	// so it stays until the store is restored (a restart).
	damage []string
	// checksumsAdded counts the checksums a store from before them was given at open.
	checksumsAdded int
	checksumsTook  time.Duration
	// fault, set only by tests (export_test.go), makes every write fail with its error
	// inside the transaction, as a full disk makes bbolt's commit fail.
	fault func() error
}

func newHealth() *health { return &health{probeEvery: 10 * time.Second} }

// maxDamage bounds the problems kept for readiness; kb check lists them all.
const maxDamage = 20

// update runs fn in a write transaction and records whether the disk took it.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	h := s.health
	err := s.updateGuarded(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		h.mu.Lock()
		fault := h.fault
		h.mu.Unlock()
		if fault != nil {
			return fault()
		}
		return nil
	})
	h.noteWrite(err, s.now())
	return err
}

func (h *health) noteWrite(err error, now time.Time) {
	full := apperr.IsDiskFull(err)
	if err != nil && !full {
		return // a refused or invalid write says nothing about the disk
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if full && !h.diskFull {
		h.diskFull, h.fullSince = true, now
	}
	if full {
		h.fullErr = err.Error()
	}
	if !full {
		h.diskFull, h.fullErr = false, ""
	}
}

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

// DiskFull reports whether the last write failed for lack of space.
func (s *Store) DiskFull() bool {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	return s.health.diskFull
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
// why not: the disk is full (writes fail), or damage was found.
func (s *Store) Health() error {
	h := s.health
	h.mu.Lock()
	probe := h.diskFull && s.now().Sub(h.lastProbe) >= h.probeEvery
	if probe {
		h.lastProbe = s.now()
	}
	h.mu.Unlock()
	if probe {
		s.update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(keyWriteProbe, []byte(s.now().Format(time.RFC3339)))
		})
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.diskFull {
		return apperr.Errorf(apperr.Unavailable, "the disk is full: writes have failed since %s (%s); free space on the data dir's file system", h.fullSince.Format(time.RFC3339), h.fullErr)
	}
	if len(h.damage) > 0 {
		return apperr.Errorf(apperr.Unavailable, "the store is damaged (%d problems found, run kb check for all): %s", len(h.damage), strings.Join(h.damage, "; "))
	}
	return nil
}

// keyWriteProbe is written by readiness while the disk is full, to see whether it still is.
var keyWriteProbe = []byte("write_probe")
