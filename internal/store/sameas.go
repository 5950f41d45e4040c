package store

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// A case published by two networks is one case with two identities, linked by same_as.
// Search shows it once: of two practices held here that name each other, or one that
// names the other, the one that names gives way (the greater identity when both do), and
// its CollapsedInto says which it gave way to. The store keeps this as practices arrive in
// any order: bucketSameAs maps a named identity to the practices that name it.

func links(p *practices.Practice) []string { return append(slices.Clone(p.SameAs), p.LocalSameAs...) }

// SetNamespace tells the store this node's namespace, so that identities of its own
// practices (which carry none) are found too.
func (s *Store) SetNamespace(ns string) { s.namespace = ns }

func (s *Store) identity(p *practices.Practice) string { return p.Identity(s.namespace) }

// idOf finds the practice held with an identity, this node's own included.
func (s *Store) idOf(tx *bolt.Tx, uri string) (string, bool) {
	if id, ok := idOfURI(tx, uri); ok {
		return id, true
	}
	if ns, id, ok := practices.SplitURI(uri); ok && ns == s.namespace && tx.Bucket(bucketPractices).Get([]byte(id)) != nil {
		return id, true
	}
	return "", false
}

// collapsedInto is the practice p gives way to, or "".
func (s *Store) collapsedInto(tx *bolt.Tx, p *practices.Practice) (string, error) {
	mine := s.identity(p)
	for _, u := range links(p) {
		id, ok := s.idOf(tx, u)
		if !ok || id == p.ID {
			continue
		}
		other, err := getTx(tx, id)
		if err != nil {
			return "", err
		}
		if other.Archived {
			continue
		}
		if slices.Contains(links(other), mine) && mine < u {
			continue // both name each other: the greater identity gives way
		}
		return id, nil
	}
	return "", nil
}

// keepSameAs runs in every write of next over old (nil when removed): it derives next's
// CollapsedInto, keeps the map of who names whom, and re-derives the practices that name
// next, whose answer may have changed.
func (s *Store) keepSameAs(tx *bolt.Tx, old, next *practices.Practice) error {
	b := tx.Bucket(bucketSameAs)
	if old != nil {
		for _, u := range links(old) {
			if err := b.Delete(append(append([]byte(u), 0), old.ID...)); err != nil {
				return err
			}
		}
	}
	subject := old
	if next != nil {
		subject = next
		for _, u := range links(next) {
			if err := b.Put(append(append([]byte(u), 0), next.ID...), nil); err != nil {
				return err
			}
		}
	}
	if subject == nil {
		return nil
	}
	prefix := append([]byte(s.identity(subject)), 0)
	var namers []string
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		namers = append(namers, string(k[len(prefix):]))
	}
	for _, id := range namers {
		if next != nil && id == next.ID {
			continue
		}
		p, err := getTx(tx, id)
		if err != nil {
			continue // removed meanwhile
		}
		into, err := s.collapsedInto(tx, p)
		if err != nil {
			return err
		}
		if into == p.CollapsedInto {
			continue
		}
		p.CollapsedInto = into
		if err := s.putInPlace(tx, p); err != nil {
			return err
		}
	}
	return nil
}

// SameCase lists the practices held here that name p as the same case, for its page.
func (s *Store) SameCase(p *practices.Practice) []string {
	var out []string
	s.view(func(tx *bolt.Tx) error {
		prefix := append([]byte(s.identity(p)), 0)
		c := tx.Bucket(bucketSameAs).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		for _, u := range links(p) {
			if id, ok := s.idOf(tx, u); ok && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return nil
	})
	return out
}
