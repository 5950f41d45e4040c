package practices

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// bucketDatestamps orders the practices this node originates by the time they last
// changed, for OAI-PMH: key = big-endian Unix seconds + id; value = "+" (live) or "-"
// (deleted for harvesters: archived, merged or removed) followed by the practice's sets.
// A removed practice keeps its entry, so deletions persist for harvesters.
var bucketDatestamps = []byte("datestamps")

// bucketRemoved maps a removed local practice's id to its deletion entry in datestamps.
var bucketRemoved = []byte("removed")

// Stamp is one entry of the datestamp order.
type Stamp struct {
	ID        string
	Datestamp time.Time
	Deleted   bool
	Sets      []string
	// Key is the entry's position, to resume a listing after it.
	Key []byte
}

// SetSpecs lists the OAI-PMH sets a practice belongs to: its areas and its region.
func SetSpecs(p *Practice) []string {
	out := make([]string, 0, len(p.Areas)+1)
	for _, a := range p.Areas {
		out = append(out, "area:"+a)
	}
	if p.Region != "" {
		out = append(out, "region:"+p.Region)
	}
	return out
}

func stampKey(at time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(at.Unix()))
	return append(k, id...)
}

func stampValue(deleted bool, sets []string) []byte {
	mark := "+"
	if deleted {
		mark = "-"
	}
	return []byte(mark + strings.Join(sets, " "))
}

// restamp moves a practice's entry to its new time stamp; harvested practices have none,
// since a node serves only what it originates.
func restamp(tx *bolt.Tx, old, next *Practice) error {
	b := tx.Bucket(bucketDatestamps)
	if old != nil && old.Local() {
		if err := b.Delete(stampKey(old.UpdatedAt, old.ID)); err != nil {
			return fmt.Errorf("restamp %s: %w", old.ID, err)
		}
	}
	if next == nil || !next.Local() {
		return nil
	}
	if err := tx.Bucket(bucketRemoved).Delete([]byte(next.ID)); err != nil {
		return fmt.Errorf("restamp %s: %w", next.ID, err)
	}
	if err := b.Put(stampKey(next.UpdatedAt, next.ID), stampValue(next.Archived, SetSpecs(next))); err != nil {
		return fmt.Errorf("restamp %s: %w", next.ID, err)
	}
	return nil
}

// stampRemoval records that a local practice was removed, as a deletion at time at.
func stampRemoval(tx *bolt.Tx, old *Practice, at time.Time) error {
	if !old.Local() {
		return nil
	}
	b := tx.Bucket(bucketDatestamps)
	if err := b.Delete(stampKey(old.UpdatedAt, old.ID)); err != nil {
		return fmt.Errorf("stamp removal of %s: %w", old.ID, err)
	}
	// Like every change, the removal must come after the last version for harvesters.
	if !at.After(old.UpdatedAt) {
		at = old.UpdatedAt.Add(time.Second)
	}
	key := stampKey(at, old.ID)
	if err := tx.Bucket(bucketRemoved).Put([]byte(old.ID), key); err != nil {
		return fmt.Errorf("stamp removal of %s: %w", old.ID, err)
	}
	return b.Put(key, stampValue(true, SetSpecs(old)))
}

// fillDatestamps builds the datestamp order of a store made before it existed.
func fillDatestamps(tx *bolt.Tx) error {
	return tx.Bucket(bucketPractices).ForEach(func(k, v []byte) error {
		var p Practice
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode practice %s: %w", k, err)
		}
		return restamp(tx, nil, &p)
	})
}

// decodeStamp reads an entry; the bytes are copied out of the transaction.
func decodeStamp(k, v []byte) Stamp {
	st := Stamp{ID: string(k[8:]), Datestamp: stampTime(k), Deleted: v[0] == '-', Key: bytes.Clone(k)}
	if len(v) > 1 {
		st.Sets = strings.Split(string(v[1:]), " ")
	}
	return st
}

func stampTime(k []byte) time.Time { return time.Unix(int64(binary.BigEndian.Uint64(k[:8])), 0).UTC() }

// Datestamps calls fn, in datestamp order, for the entries stamped from `from` to `until`
// (inclusive, to the second; zero times leave that end open) and after the position
// `after` (nil for the start), until fn returns false.
func (s *Store) Datestamps(from, until time.Time, after []byte, fn func(Stamp) bool) error {
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDatestamps).Cursor()
		var k, v []byte
		switch {
		case after != nil:
			k, v = c.Seek(after)
			if bytes.Equal(k, after) {
				k, v = c.Next()
			}
		case !from.IsZero():
			k, v = c.Seek(stampKey(from, ""))
		default:
			k, v = c.First()
		}
		for ; k != nil; k, v = c.Next() {
			if len(k) < 8 || len(v) == 0 {
				return fmt.Errorf("datestamps: malformed entry %q", k)
			}
			st := decodeStamp(k, v)
			if !until.IsZero() && st.Datestamp.After(until) {
				return nil
			}
			if !fn(st) {
				return nil
			}
		}
		return nil
	})
}

// Stamped returns the datestamp entry of a practice this node originates or originated
// (a removed one answers as deleted), or an apperr NotFound.
func (s *Store) Stamped(id string) (Stamp, error) {
	var st Stamp
	err := s.db.View(func(tx *bolt.Tx) error {
		key := tx.Bucket(bucketRemoved).Get([]byte(id))
		if v := tx.Bucket(bucketPractices).Get([]byte(id)); v != nil {
			var p Practice
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode practice %s: %w", id, err)
			}
			if !p.Local() {
				return apperr.Errorf(apperr.NotFound, "practice %q is not from this knowledge base", id)
			}
			key = stampKey(p.UpdatedAt, id)
		}
		if key == nil {
			return apperr.Errorf(apperr.NotFound, "no practice with id %q", id)
		}
		v := tx.Bucket(bucketDatestamps).Get(key)
		if len(v) == 0 {
			return apperr.Errorf(apperr.NotFound, "no practice with id %q", id)
		}
		st = decodeStamp(key, v)
		return nil
	})
	return st, err
}

// Earliest returns the oldest datestamp, or the zero time for an empty order.
func (s *Store) Earliest() time.Time {
	var at time.Time
	s.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketDatestamps).Cursor().First(); len(k) >= 8 {
			at = stampTime(k)
		}
		return nil
	})
	return at
}
