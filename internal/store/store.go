// Package store owns kb's bbolt file: every bucket (created at open), one schema version
// for the whole file with its migrations, and typed transactions for the packages above.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// File is the name of the bbolt file inside a data dir.
const File = "kb.db"

// ErrLocked means another process (normally `kb serve`) holds the store.
var ErrLocked = errors.New("the store is held by another process")

// Store is the source of truth: practices, their change log and every workflow's records
// in one bbolt file.
type Store struct {
	db        *bolt.DB
	namespace string // this node's, for the identities of its own practices
	now       func() time.Time
	decoded   *decoded
	health    *health
}

// Options tune Open.
type Options struct {
	// LockTimeout is how long to wait for the file lock; after it Open returns ErrLocked.
	LockTimeout time.Duration
	// ReadOnly opens the store with a shared lock.
	ReadOnly bool
}

// Open opens (creating when needed) the store in dataDir: every bucket is created and
// the file migrated to SchemaVersion, unless it is opened read-only.
func Open(dataDir string, opts Options) (*Store, error) {
	if err := CheckDataDir(dataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = time.Second
	}
	db, err := bolt.Open(filepath.Join(dataDir, File), 0o600, &bolt.Options{Timeout: timeout, ReadOnly: opts.ReadOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }, decoded: newDecoded(decodedSize), health: newHealth()}
	if !opts.ReadOnly {
		if err := s.init(); err != nil {
			db.Close()
			return nil, err
		}
		if err := markDataDir(dataDir, s.now()); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close releases the file lock.
func (s *Store) Close() error { return s.db.Close() }

// Update runs fn in one write transaction, so that callers can write a practice together
// with their own records (a decision, an audit entry, a notification): all or nothing.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.update(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}

// View runs fn in one read transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.view(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}

// Now is the store's clock, truncated to seconds like every stored time.
func (s *Store) Now() time.Time { return s.now() }
