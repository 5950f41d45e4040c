package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// bucketURIs maps the global identity of every practice that has one (harvested ones and
// the study's cases) to its local id, so that a harvest finds what it already holds.

// idOfURI returns the local id of the practice with that identity, if one is held.
func idOfURI(tx *bolt.Tx, uri string) (string, bool) {
	v := tx.Bucket(bucketURIs).Get([]byte(uri))
	return string(v), v != nil
}

// IDOfURI returns the local id of the practice with that identity, if one is held.
func (s *Store) IDOfURI(uri string) (string, bool) {
	var id string
	var ok bool
	s.view(func(tx *bolt.Tx) error {
		id, ok = idOfURI(tx, uri)
		return nil
	})
	return id, ok
}

// indexURI keeps the identity map in step with a write of next over old.
func indexURI(tx *bolt.Tx, old, next *practices.Practice) error {
	b := tx.Bucket(bucketURIs)
	if old != nil && old.URI != "" && (next == nil || next.URI != old.URI) {
		if err := b.Delete([]byte(old.URI)); err != nil {
			return err
		}
	}
	if next == nil || next.URI == "" {
		return nil
	}
	if held := b.Get([]byte(next.URI)); held != nil && string(held) != next.ID {
		return apperr.Errorf(apperr.Conflict, "the identity %s is already held here as practice %q", next.URI, held)
	}
	return b.Put([]byte(next.URI), []byte(next.ID))
}

// freeID returns an id for a practice harvested with identity uri: the origin's own id
// when no practice here has it, else one prefixed with the namespace's first label.
func freeID(tx *bolt.Tx, uri string) (string, error) {
	ns, id, ok := practices.SplitURI(uri)
	if !ok {
		return "", fmt.Errorf("free id: %q is not an identity", uri)
	}
	taken := func(c string) bool {
		return tx.Bucket(bucketPractices).Get([]byte(c)) != nil || tx.Bucket(bucketRedirects).Get([]byte(c)) != nil ||
			tx.Bucket(bucketStampKeys).Get([]byte(c)) != nil
	}
	if !taken(id) {
		return id, nil
	}
	label, _, _ := strings.Cut(strings.ToLower(ns), ".")
	base := label + "-" + id
	if len(base) > 110 {
		base = base[:110]
	}
	for n := 1; n < 1000; n++ {
		c := base
		if n > 1 {
			c = fmt.Sprintf("%s-%d", base, n)
		}
		if practices.ValidID(c) && !taken(c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("free id: no free id for %s", uri)
}

// migrateToIdentities brings a schema 1 store to schema 2: the datestamp order covers
// every practice held (a node now relays what it harvested), and each harvested practice
// takes as identity the identifier it was harvested under. The study's cases get theirs
// from the corpus afterwards (AdoptStudyIdentities), since the store does not know it.
func migrateToIdentities(tx *bolt.Tx) error {
	b := tx.Bucket(bucketPractices)
	var harvested []*practices.Practice
	err := b.ForEach(func(k, v []byte) error {
		if err := verifyCurrentTx(tx, string(k), v); err != nil {
			return err
		}
		var p practices.Practice
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode practice %s: %w", k, err)
		}
		if p.Origin != nil && p.URI == "" {
			harvested = append(harvested, &p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range harvested {
		if _, _, ok := practices.SplitURI(p.Origin.Identifier); !ok {
			continue
		}
		p.URI = p.Origin.Identifier
		data, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(p.ID), data); err != nil {
			return err
		}
		if err := putCurrentSumTx(tx, p.ID, data); err != nil {
			return err
		}
		if err := indexURI(tx, nil, p); err != nil {
			return err
		}
	}
	return fillDatestamps(tx)
}

var keyStudyAdopted = []byte("study_identities")

// CopyFold is a harvested copy of a study case that AdoptStudyIdentities folded into the
// case itself.
type CopyFold struct {
	Copy *practices.Practice
	Into string
}

// AdoptStudyIdentities gives the study's cases held here the identities the corpus
// writes (stores made before identities held them under their ids alone), and folds the
// copies that harvests made of them (PEER-ID practices of a case this node also holds)
// into the case: the copy goes, its id redirects to the case, and a featured copy
// features the case. onFold runs in the same transaction, for the audit log. It runs
// once per store.
func (s *Store) AdoptStudyIdentities(study []*practices.Practice, onFold func(*Tx, CopyFold) error) (adopted int, folds []CopyFold, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyStudyAdopted) != nil {
			return nil
		}
		byID := map[string]string{}
		for _, c := range study {
			if c.URI != "" {
				byID[c.ID] = c.URI
			}
		}
		b := tx.Bucket(bucketPractices)
		var all []*practices.Practice
		if err := b.ForEach(func(k, v []byte) error {
			if err := verifyCurrentTx(tx, string(k), v); err != nil {
				return s.seen(err)
			}
			var p practices.Practice
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode practice %s: %w", k, err)
			}
			all = append(all, &p)
			return nil
		}); err != nil {
			return err
		}
		for _, p := range all {
			uri, ok := byID[p.ID]
			if !ok || p.URI != "" || p.Origin != nil {
				continue
			}
			p.URI = uri
			if err := s.rewrite(tx, p); err != nil {
				return err
			}
			adopted++
		}
		for _, p := range all {
			if p.Origin == nil {
				continue
			}
			_, oid, _ := practices.SplitURI(p.Origin.Identifier)
			case_, err := getTx(tx, oid)
			if _, isStudy := byID[oid]; !isStudy || err != nil || case_.URI != byID[oid] || case_.ID == p.ID {
				continue
			}
			f := CopyFold{Copy: p, Into: case_.ID}
			if err := s.fold(tx, f); err != nil {
				return err
			}
			if onFold != nil {
				if err := onFold(&Tx{tx: tx, s: s}, f); err != nil {
					return err
				}
			}
			folds = append(folds, f)
		}
		return meta.Put(keyStudyAdopted, []byte(s.now().Format(time.RFC3339)))
	})
	return adopted, folds, err
}

// rewrite stores p in place, as the same version, and tells the index.
func (s *Store) rewrite(tx *bolt.Tx, p *practices.Practice) error {
	old, err := getTx(tx, p.ID)
	if err != nil {
		return err
	}
	if p.CollapsedInto, err = s.collapsedInto(tx, p); err != nil {
		return err
	}
	if err := s.keepSameAs(tx, old, p); err != nil {
		return err
	}
	if err := indexURI(tx, nil, p); err != nil {
		return err
	}
	return s.putInPlace(tx, p)
}

// putInPlace writes p over its stored value as the same version, with its checksum, and
// appends a change so the index follows.
func (s *Store) putInPlace(tx *bolt.Tx, p *practices.Practice) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode practice %s: %w", p.ID, err)
	}
	if err := tx.Bucket(bucketPractices).Put([]byte(p.ID), data); err != nil {
		return err
	}
	if err := putCurrentSumTx(tx, p.ID, data); err != nil {
		return err
	}
	s.decoded.write(p.ID, tx.ID())
	return appendChange(tx, Change{Time: s.now(), ID: p.ID, Op: "put", Version: p.Version})
}

func (s *Store) fold(tx *bolt.Tx, f CopyFold) error {
	id := f.Copy.ID
	if err := tx.Bucket(bucketPractices).Delete([]byte(id)); err != nil {
		return err
	}
	if err := dropSumTx(tx, id); err != nil {
		return err
	}
	if err := addCount(tx, -1); err != nil {
		return err
	}
	s.decoded.write(id, tx.ID())
	if err := indexURI(tx, f.Copy, nil); err != nil {
		return err
	}
	if err := stampRemoval(tx, f.Copy, s.now()); err != nil {
		return err
	}
	if err := setRedirect(tx, id, f.Into); err != nil {
		return err
	}
	fb := tx.Bucket(bucketFeatured)
	if at := fb.Get([]byte(id)); at != nil {
		if fb.Get([]byte(f.Into)) == nil {
			if err := fb.Put([]byte(f.Into), bytes.Clone(at)); err != nil {
				return err
			}
		}
		if err := fb.Delete([]byte(id)); err != nil {
			return err
		}
	}
	return appendChange(tx, Change{Time: s.now(), ID: id, Op: "delete"})
}

// annotate sets a practice's local annotations in place: no new version, since they
// are not the practice's content, and a change record so the index follows.
func (s *Store) annotate(tx *bolt.Tx, id string, hidden *bool, note *string) (before, after *practices.Practice, err error) {
	before, err = getTx(tx, id)
	if err != nil {
		return nil, nil, err
	}
	p := *before
	if hidden != nil {
		p.Hidden = *hidden
	}
	if note != nil {
		p.LocalNote = strings.TrimSpace(*note)
		if n := len([]rune(p.LocalNote)); n > practices.MaxNote {
			return nil, nil, apperr.InvalidFields("the note is too long", map[string]string{"local_note": fmt.Sprintf("is too long (%d characters, at most %d)", n, practices.MaxNote)})
		}
	}
	if err := s.rewrite(tx, &p); err != nil {
		return nil, nil, err
	}
	return before, &p, nil
}
