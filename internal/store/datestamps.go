package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// bucketDatestamps orders every practice held by the time it last changed in this
// repository (not its own UpdatedAt: a practice restored or harvested with an old time
// stamp must still reach harvesters), for OAI-PMH: key = big-endian Unix seconds + id;
// value = "+" (live) or "-" (deleted for harvesters: archived, merged or removed), the
// practice's sets, then after "|" the sets it has left, its version and, for a removed
// practice, its identity. A removed practice keeps its entry, so deletions persist.

// bucketStampKeys maps each id to its entry in datestamps, the removed ones included.

// bucketRemoved is the former map of removed ids, folded into stamp_keys by the
// migration to schema 2.
var bucketRemoved = []byte("removed")

// Stamp is one entry of the datestamp order.
type Stamp struct {
	ID        string
	Datestamp time.Time
	Deleted   bool
	Sets      []string
	// Former lists the sets the practice has left: harvesters of those sets get a
	// deletion.
	Former  []string
	Version int
	// URI is the identity of a removed practice that had one.
	URI string
	// Key is the entry's position, to resume a listing after it.
	Key []byte
}

// InSet reports whether the entry is listed in set (every entry is, for no set), and
// whether it is listed there as a deletion.
func (st Stamp) InSet(set string) (listed, deleted bool) {
	if set == "" || slices.Contains(st.Sets, set) {
		return true, st.Deleted
	}
	return slices.Contains(st.Former, set), true
}

func stampKey(at time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(at.Unix()))
	return append(k, id...)
}

func encodeStamp(st Stamp) []byte {
	mark := "+"
	if st.Deleted {
		mark = "-"
	}
	return []byte(mark + strings.Join(st.Sets, " ") + "|" + strings.Join(st.Former, " ") + "|" + strconv.Itoa(st.Version) + "|" + st.URI)
}

// currentStamp returns a practice's entry, if it has one.
func currentStamp(tx *bolt.Tx, id string) (Stamp, bool) {
	key := tx.Bucket(bucketStampKeys).Get([]byte(id))
	if key == nil {
		return Stamp{}, false
	}
	v := tx.Bucket(bucketDatestamps).Get(key)
	if len(v) == 0 {
		return Stamp{}, false
	}
	return decodeStamp(key, v), true
}

// stamp moves a practice's entry to time at, after its previous one.
func stamp(tx *bolt.Tx, id string, at time.Time, next Stamp) error {
	b := tx.Bucket(bucketDatestamps)
	if prev, ok := currentStamp(tx, id); ok {
		if err := b.Delete(prev.Key); err != nil {
			return fmt.Errorf("restamp %s: %w", id, err)
		}
		if !at.After(prev.Datestamp) {
			at = prev.Datestamp.Add(time.Second)
		}
		for _, s := range append(prev.Sets, prev.Former...) {
			if !slices.Contains(next.Sets, s) && !slices.Contains(next.Former, s) {
				next.Former = append(next.Former, s)
			}
		}
	}
	key := stampKey(at, id)
	if err := b.Put(key, encodeStamp(next)); err != nil {
		return fmt.Errorf("restamp %s: %w", id, err)
	}
	return tx.Bucket(bucketStampKeys).Put([]byte(id), key)
}

// restamp records that next was written at time at.
func restamp(tx *bolt.Tx, next *practices.Practice, at time.Time) error {
	return stamp(tx, next.ID, at, Stamp{Deleted: next.Archived, Sets: practices.SetSpecs(next), Version: next.Version})
}

// stampRemoval records that a practice was removed, as a deletion at time at.
func stampRemoval(tx *bolt.Tx, old *practices.Practice, at time.Time) error {
	return stamp(tx, old.ID, at, Stamp{Deleted: true, Sets: practices.SetSpecs(old), Version: old.Version + 1, URI: old.URI})
}

// removedVersion is the version a removed practice's deletion was given (0 if none),
// so that one written again under its id continues the numbering harvesters follow.
func removedVersion(tx *bolt.Tx, id string) int {
	if st, ok := currentStamp(tx, id); ok && st.Deleted {
		return st.Version
	}
	return 0
}

// fillDatestamps builds the datestamp order of a store made before schema 2: each
// practice at its own time stamp, as before, and each removed one where it was.
func fillDatestamps(tx *bolt.Tx) error {
	var removed [][2][]byte
	if rb := tx.Bucket(bucketRemoved); rb != nil {
		rb.ForEach(func(k, v []byte) error {
			removed = append(removed, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
			return nil
		})
	}
	var old []Stamp
	if db := tx.Bucket(bucketDatestamps); db != nil {
		for _, r := range removed {
			if v := db.Get(r[1]); len(v) > 0 {
				old = append(old, decodeStamp(r[1], v))
			}
		}
		if err := tx.DeleteBucket(bucketDatestamps); err != nil {
			return err
		}
	}
	if _, err := tx.CreateBucket(bucketDatestamps); err != nil {
		return err
	}
	for _, st := range old {
		if err := stamp(tx, st.ID, st.Datestamp, Stamp{Deleted: true, Sets: st.Sets}); err != nil {
			return err
		}
	}
	if tx.Bucket(bucketRemoved) != nil {
		if err := tx.DeleteBucket(bucketRemoved); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketPractices).ForEach(func(k, v []byte) error {
		var p practices.Practice
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode practice %s: %w", k, err)
		}
		return restamp(tx, &p, p.UpdatedAt)
	})
}

// decodeStamp reads an entry; the bytes are copied out of the transaction.
func decodeStamp(k, v []byte) Stamp {
	st := Stamp{ID: string(k[8:]), Datestamp: stampTime(k), Deleted: v[0] == '-', Key: bytes.Clone(k)}
	parts := strings.SplitN(string(v[1:]), "|", 4)
	st.Sets = strings.Fields(parts[0])
	if len(parts) == 4 {
		st.Former = strings.Fields(parts[1])
		st.Version, _ = strconv.Atoi(parts[2])
		st.URI = parts[3]
	}
	return st
}

func stampTime(k []byte) time.Time { return time.Unix(int64(binary.BigEndian.Uint64(k[:8])), 0).UTC() }

// Datestamps calls fn, in datestamp order, for the entries stamped from `from` to `until`
// (inclusive, to the second; zero times leave that end open) and after the position
// `after` (nil for the start), until fn returns false.
func (s *Store) Datestamps(from, until time.Time, after []byte, fn func(Stamp) bool) error {
	return s.view(func(tx *bolt.Tx) error {
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

// Stamped returns the datestamp entry of a practice held or removed here, or an apperr
// NotFound.
func (s *Store) Stamped(id string) (Stamp, error) {
	var st Stamp
	err := s.view(func(tx *bolt.Tx) error {
		var ok bool
		if st, ok = currentStamp(tx, id); !ok {
			return apperr.Errorf(apperr.NotFound, "no practice with id %q", id)
		}
		return nil
	})
	return st, err
}

// Earliest returns the oldest datestamp, or the zero time for an empty order.
func (s *Store) Earliest() time.Time {
	var at time.Time
	s.view(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketDatestamps).Cursor().First(); len(k) >= 8 {
			at = stampTime(k)
		}
		return nil
	})
	return at
}
