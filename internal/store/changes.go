package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Change is one entry of the change log: every write to a practice appends one, with the
// next sequence number, in the same transaction as the write.
type Change struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	ID      string    `json:"id"`
	Op      string    `json:"op"` // "put" or "delete"
	Version int       `json:"version"`
}

func appendChange(tx *bolt.Tx, c Change) error {
	b := tx.Bucket(bucketChanges)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("next change sequence: %w", err)
	}
	c.Seq = seq
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode change: %w", err)
	}
	return b.Put(u64(seq), data)
}

// LastSeq returns the sequence number of the latest change (0 for none).
func (s *Store) LastSeq() (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketChanges).Sequence()
		return nil
	})
	return seq, err
}

// ChangesSince returns up to limit changes with a sequence number above seq, oldest first.
func (s *Store) ChangesSince(seq uint64, limit int) ([]Change, error) {
	var out []Change
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChanges).Cursor()
		for k, v := c.Seek(u64(seq + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var ch Change
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("decode change %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}
