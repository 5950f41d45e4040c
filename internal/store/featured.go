package store

import (
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Seeded reports whether the embedded corpus was loaded into this store once already.
func (s *Store) Seeded() (bool, error) {
	var seeded bool
	err := s.view(func(tx *bolt.Tx) error {
		seeded = tx.Bucket(bucketMeta).Get(keySeeded) != nil
		return nil
	})
	return seeded, err
}

// MarkSeeded records that the embedded corpus was loaded, so it is never loaded again
// over what curators have changed since.
func (s *Store) MarkSeeded() error {
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySeeded, []byte(s.now().Format(time.RFC3339)))
	})
}

// setRedirect records that from was merged into to.
func setRedirect(tx *bolt.Tx, from, to string) error {
	return tx.Bucket(bucketRedirects).Put([]byte(from), []byte(to))
}

// Redirect returns the id a merged practice now lives at.
func (s *Store) Redirect(id string) (string, bool) {
	var to string
	s.view(func(tx *bolt.Tx) error {
		to = string(tx.Bucket(bucketRedirects).Get([]byte(id)))
		return nil
	})
	return to, to != ""
}

// setFeatured features or unfeatures a practice.
func setFeatured(tx *bolt.Tx, id string, featured bool, at time.Time) error {
	b := tx.Bucket(bucketFeatured)
	if !featured {
		return b.Delete([]byte(id))
	}
	return b.Put([]byte(id), []byte(at.UTC().Format(time.RFC3339)))
}

// Featured lists the featured practice ids, most recently featured first.
func (s *Store) Featured() ([]string, error) {
	type f struct {
		id, at string
	}
	var fs []f
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeatured).ForEach(func(k, v []byte) error {
			fs = append(fs, f{string(k), string(v)})
			return nil
		})
	})
	sort.Slice(fs, func(i, j int) bool { return fs[i].at > fs[j].at })
	ids := make([]string, len(fs))
	for i, x := range fs {
		ids[i] = x.id
	}
	return ids, err
}
