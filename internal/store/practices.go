package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Get returns the practice with that id, or an apperr NotFound.
func (s *Store) Get(ctx context.Context, id string) (*practices.Practice, error) {
	if p := s.decoded.get(id); p != nil {
		return p, nil
	}
	var p *practices.Practice
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		if p, err = getTx(tx, id); err == nil {
			s.decoded.add(p, tx.ID())
		}
		return err
	})
	return p, s.seen(err)
}

// countTx is the number of practices tx sees.
func countTx(tx *bolt.Tx) int {
	if v := tx.Bucket(bucketMeta).Get(keyCount); v != nil {
		return int(binary.BigEndian.Uint64(v))
	}
	return tx.Bucket(bucketPractices).Stats().KeyN // a read-only store not yet counted
}

// addCount moves the kept number of practices by delta.
func addCount(tx *bolt.Tx, delta int) error {
	return tx.Bucket(bucketMeta).Put(keyCount, u64(uint64(countTx(tx)+delta)))
}

// getTx reads a practice inside a transaction.
func getTx(tx *bolt.Tx, id string) (*practices.Practice, error) {
	v := tx.Bucket(bucketPractices).Get([]byte(id))
	if v == nil {
		return nil, apperr.Errorf(apperr.NotFound, "no practice with id %q", id)
	}
	if err := verifyCurrentTx(tx, id, v); err != nil {
		return nil, err
	}
	var p practices.Practice
	if err := json.Unmarshal(v, &p); err != nil { // decoding copies out of the transaction's memory
		return nil, fmt.Errorf("decode practice %s: %w", id, err)
	}
	return &p, nil
}

// Count returns the number of practices.
func (s *Store) Count() (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		n = countTx(tx)
		return nil
	})
	return n, err
}

// Each calls fn for every practice in id order, inside one read transaction, so the
// sequence it sees is consistent. It stops at the first error fn returns.
func (s *Store) Each(ctx context.Context, fn func(*practices.Practice) error) error {
	return s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPractices).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := verifyCurrentTx(tx, string(k), v); err != nil {
				return s.seen(err)
			}
			var p practices.Practice
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode practice %s: %w", k, err)
			}
			return fn(&p)
		})
	})
}

// PutMode says what a write does with the version and time stamp of the practice given.
type PutMode int

const (
	// NewVersion stamps a new version (the stored one plus one) at the current time.
	NewVersion PutMode = iota
	// KeepVersion stores the version and time stamp as given, for restoring exports.
	KeepVersion
)

// PutResult says what a Put did.
type PutResult struct {
	ID      string
	Changed bool // false when the stored practice already had this content
	Version int
}

// PutMany writes practices in one transaction, appending a change for each one whose
// content differs from what is stored. Either all are written or none.
func (s *Store) PutMany(ctx context.Context, ps []*practices.Practice, mode PutMode) ([]PutResult, error) {
	results := make([]PutResult, len(ps))
	err := s.update(func(tx *bolt.Tx) error {
		for i, p := range ps {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := s.putTx(tx, p, mode)
			if err != nil {
				return err
			}
			results[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// Put writes one practice; see PutMany.
func (s *Store) Put(ctx context.Context, p *practices.Practice, mode PutMode) (PutResult, error) {
	rs, err := s.PutMany(ctx, []*practices.Practice{p}, mode)
	if err != nil {
		return PutResult{}, err
	}
	return rs[0], nil
}

// putTx writes a practice inside the caller's transaction: a new version (kept in the
// version history) and a change record, unless the content is already stored.
func (s *Store) putTx(tx *bolt.Tx, p *practices.Practice, mode PutMode) (PutResult, error) {
	b := tx.Bucket(bucketPractices)
	var old *practices.Practice
	if v := b.Get([]byte(p.ID)); v != nil {
		if err := verifyCurrentTx(tx, p.ID, v); err != nil {
			return PutResult{}, err
		}
		old = new(practices.Practice)
		if err := json.Unmarshal(v, old); err != nil {
			return PutResult{}, fmt.Errorf("decode practice %s: %w", p.ID, err)
		}
	}
	next := *p
	if ns, id, _ := practices.SplitURI(next.URI); ns == s.namespace && s.namespace != "" && id == next.ID {
		next.URI = "" // this node's own: its identity is its id in this node's namespace
	}
	if mode == KeepVersion && next.Version > 0 {
		if next.UpdatedAt.IsZero() {
			next.UpdatedAt = s.now()
		}
		if old != nil && sameContent(old, &next) && old.Version == next.Version && old.UpdatedAt.Equal(next.UpdatedAt) {
			return PutResult{ID: p.ID, Version: old.Version}, nil
		}
	} else {
		if old != nil && sameContent(old, &next) {
			return PutResult{ID: p.ID, Version: old.Version}, nil
		}
		next.Version = removedVersion(tx, p.ID) + 1
		if old != nil {
			next.Version = old.Version + 1
		}
		next.UpdatedAt = s.now()
		// Time stamps are to the second, and harvesters take a practice as changed only
		// when its datestamp moves on: two versions in one second must not share one.
		if old != nil && !next.UpdatedAt.After(old.UpdatedAt) {
			next.UpdatedAt = old.UpdatedAt.Add(time.Second)
		}
	}
	into, err := s.collapsedInto(tx, &next)
	if err != nil {
		return PutResult{}, err
	}
	next.CollapsedInto = into
	data, err := json.Marshal(&next)
	if err != nil {
		return PutResult{}, fmt.Errorf("encode practice %s: %w", p.ID, err)
	}
	if err := b.Put([]byte(p.ID), data); err != nil {
		return PutResult{}, fmt.Errorf("put practice %s: %w", p.ID, err)
	}
	if old == nil {
		if err := addCount(tx, 1); err != nil {
			return PutResult{}, err
		}
	}
	s.decoded.write(p.ID, tx.ID())
	if err := tx.Bucket(bucketVersions).Put(versionKey(p.ID, next.Version), data); err != nil {
		return PutResult{}, fmt.Errorf("keep version %d of %s: %w", next.Version, p.ID, err)
	}
	if err := putSumsTx(tx, p.ID, next.Version, data); err != nil {
		return PutResult{}, err
	}
	if err := restamp(tx, &next, s.now()); err != nil {
		return PutResult{}, err
	}
	if err := indexURI(tx, old, &next); err != nil {
		return PutResult{}, err
	}
	if err := s.keepSameAs(tx, old, &next); err != nil {
		return PutResult{}, err
	}
	if err := appendChange(tx, Change{Time: next.UpdatedAt, ID: p.ID, Op: "put", Version: next.Version}); err != nil {
		return PutResult{}, err
	}
	*p = next
	return PutResult{ID: p.ID, Changed: true, Version: next.Version}, nil
}

// sameContent compares two practices ignoring their version and time stamp.
func sameContent(a, b *practices.Practice) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
	ja, _ := json.Marshal(&x)
	jb, _ := json.Marshal(&y)
	return bytes.Equal(ja, jb)
}

// Delete removes a practice and records the deletion.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.update(func(tx *bolt.Tx) error { return s.deleteTx(tx, id) })
}

// deleteTx removes a practice inside the caller's transaction.
func (s *Store) deleteTx(tx *bolt.Tx, id string) error {
	{
		old, err := getTx(tx, id)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketPractices).Delete([]byte(id)); err != nil {
			return fmt.Errorf("delete practice %s: %w", id, err)
		}
		if err := dropSumTx(tx, id); err != nil {
			return fmt.Errorf("delete practice %s: %w", id, err)
		}
		if err := addCount(tx, -1); err != nil {
			return err
		}
		s.decoded.write(id, tx.ID())
		if err := stampRemoval(tx, old, s.now()); err != nil {
			return err
		}
		if err := indexURI(tx, old, nil); err != nil {
			return err
		}
		if err := s.keepSameAs(tx, old, nil); err != nil {
			return err
		}
		return appendChange(tx, Change{Time: s.now(), ID: id, Op: "delete"})
	}
}

// eachTx calls fn for every practice in id order inside the caller's transaction.
func (s *Store) eachTx(tx *bolt.Tx, fn func(*practices.Practice) error) error {
	return tx.Bucket(bucketPractices).ForEach(func(k, v []byte) error {
		if err := verifyCurrentTx(tx, string(k), v); err != nil {
			return s.seen(err)
		}
		var p practices.Practice
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode practice %s: %w", k, err)
		}
		return fn(&p)
	})
}

// Practice reads a practice, or returns an apperr NotFound.
func (tx *Tx) Practice(id string) (*practices.Practice, error) { return getTx(tx.tx, id) }

// PutPractice writes a practice with the caller's other records: a new version (kept in
// the version history) and a change record, unless the content is already stored.
func (tx *Tx) PutPractice(p *practices.Practice, mode PutMode) (PutResult, error) {
	return tx.s.putTx(tx.tx, p, mode)
}

// DeletePractice removes a practice and records the deletion.
func (tx *Tx) DeletePractice(id string) error { return tx.s.deleteTx(tx.tx, id) }

// EachPractice calls fn for every practice in id order.
func (tx *Tx) EachPractice(fn func(*practices.Practice) error) error { return tx.s.eachTx(tx.tx, fn) }

// RewritePractice stores p in place, as the same version, for what is not its content
// (its provenance, local annotations), and tells the index.
func (tx *Tx) RewritePractice(p *practices.Practice) error { return tx.s.rewrite(tx.tx, p) }

// Annotate sets a practice's local annotations in place: no new version, since they are
// not the practice's content, and a change record so the index follows.
func (tx *Tx) Annotate(id string, hidden *bool, note *string) (before, after *practices.Practice, err error) {
	return tx.s.annotate(tx.tx, id, hidden, note)
}

// SetRedirect records that the practice from was merged into to.
func (tx *Tx) SetRedirect(from, to string) error { return setRedirect(tx.tx, from, to) }

// SetFeatured features or unfeatures a practice.
func (tx *Tx) SetFeatured(id string, featured bool, at time.Time) error {
	return setFeatured(tx.tx, id, featured, at)
}

// IDOfURI returns the local id of the practice with that identity, if one is held.
func (tx *Tx) IDOfURI(uri string) (string, bool) { return idOfURI(tx.tx, uri) }

// FreeID returns an id for a practice harvested with identity uri: the origin's own id
// when no practice here has it, else one prefixed with the namespace's first label.
func (tx *Tx) FreeID(uri string) (string, error) { return freeID(tx.tx, uri) }
