package store

import (
	"fmt"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// keyStudyTranslated records that the held study cases were given the corpus's
// translations (a data dir seeded before they existed is never seeded again).
var keyStudyTranslated = []byte("study_translations")

// TranslationsAdded is one study case given the corpus's translations it lacked.
type TranslationsAdded struct {
	Before, After *practices.Practice
	Languages     []string
}

// AdoptStudyTranslations gives each study case this store holds as its own copy (not
// harvested) the translations of the corpus it lacks, as a new version; a language
// it already has a translation in (a coordinator's) is kept. It runs once per store;
// onAdd records each change in the same transaction (the audit log).
func (s *Store) AdoptStudyTranslations(study []*practices.Practice, onAdd func(*Tx, TranslationsAdded) error) (added []TranslationsAdded, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		added = nil
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyStudyTranslated) != nil {
			return nil
		}
		for _, c := range study {
			p, err := getTx(tx, c.ID)
			if apperr.Code(err) == apperr.NotFound {
				continue
			}
			if err != nil {
				return s.seen(err)
			}
			if !p.Study() || p.Origin != nil || p.URI != c.URI || len(c.Translations) == 0 {
				continue
			}
			next := p.Clone()
			var langs []string
			for _, t := range c.Translations {
				if !slices.ContainsFunc(next.Translations, func(x practices.Translation) bool { return x.Language == t.Language }) {
					t.Results = slices.Clone(t.Results)
					next.Translations = append(next.Translations, t)
					langs = append(langs, t.Language)
				}
			}
			if len(langs) == 0 {
				continue
			}
			sort.SliceStable(next.Translations, func(i, j int) bool { return next.Translations[i].Language < next.Translations[j].Language })
			if p.Version == 1 {
				// The case as seeded, never edited: it becomes, as version 1, what a node
				// seeded today holds, so that every node holds the same version 1 and a
				// version 2 of the study's authority is newer everywhere.
				if err := s.rewrite(tx, next); err != nil {
					return fmt.Errorf("translations of %s: %w", p.ID, err)
				}
			} else {
				res, err := s.putTx(tx, next, NewVersion)
				if err != nil {
					return fmt.Errorf("translations of %s: %w", p.ID, err)
				}
				next.Version = res.Version
			}
			a := TranslationsAdded{Before: p, After: next, Languages: langs}
			if onAdd != nil {
				if err := onAdd(&Tx{tx: tx, s: s}, a); err != nil {
					return err
				}
			}
			added = append(added, a)
		}
		return meta.Put(keyStudyTranslated, []byte(s.now().Format(time.RFC3339)))
	})
	return added, err
}
