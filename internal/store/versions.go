package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

func versionKey(id string, version int) []byte {
	return append(append([]byte(id), 0), u64(uint64(version))...)
}

// VersionInfo describes one stored version of a practice.
type VersionInfo struct {
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	Title     string    `json:"title"`
	Archived  bool      `json:"archived,omitempty"`
}

// Versions lists every version of a practice, oldest first.
func (s *Store) Versions(ctx context.Context, id string) ([]VersionInfo, error) {
	var out []VersionInfo
	err := s.view(func(tx *bolt.Tx) error {
		prefix := append([]byte(id), 0)
		c := tx.Bucket(bucketVersions).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := verifyVersionTx(tx, k, v); err != nil {
				return s.seen(err)
			}
			var p practices.Practice
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode version of %s: %w", id, err)
			}
			out = append(out, VersionInfo{Version: p.Version, UpdatedAt: p.UpdatedAt, Title: p.Title, Archived: p.Archived})
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = apperr.Errorf(apperr.NotFound, "no practice with id %q", id)
	}
	return out, err
}

// Version returns a practice as it was at one version.
func (s *Store) Version(ctx context.Context, id string, version int) (*practices.Practice, error) {
	var p practices.Practice
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketVersions).Get(versionKey(id, version))
		if v == nil {
			return apperr.Errorf(apperr.NotFound, "practice %q has no version %d", id, version)
		}
		if err := verifyVersionTx(tx, versionKey(id, version), v); err != nil {
			return s.seen(err)
		}
		return json.Unmarshal(v, &p)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// VersionNotes maps id 0x00 big-endian version to who made that version of a practice
// and why (package review).
func (tx *Tx) VersionNotes() Bucket { return tx.bucket(bucketVersionNotes) }
