package store_test

import (
	"context"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// A store seeded before the corpus had translations gets those its study cases lack, once;
// a translation a coordinator set is kept, and a harvested copy is left to its origin.
func TestAdoptStudyTranslationsKeepsWhatIsThere(t *testing.T) {
	ctx := context.Background()
	geo, err := app.LoadGeography()
	if err != nil {
		t.Fatal(err)
	}
	study, err := practices.ReadCorpus(corpus.FS, ".", geo)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, t.TempDir())
	for _, c := range study[:3] {
		old := c.Clone()
		old.Translations = nil
		if _, err := s.Put(ctx, old, store.NewVersion); err != nil {
			t.Fatal(err)
		}
		if c.ID == study[0].ID { // a coordinator's edit: version 2
			old.Translations = []practices.Translation{{Language: "es", Title: "Título del coordinador", Summary: "Resumen.", Body: "Texto."}}
			if _, err := s.Put(ctx, old, store.NewVersion); err != nil {
				t.Fatal(err)
			}
		}
	}
	var audited []string
	added, err := s.AdoptStudyTranslations(study, func(_ *store.Tx, a store.TranslationsAdded) error {
		audited = append(audited, a.After.ID)
		return nil
	})
	if err != nil || len(added) != 3 || len(audited) != 3 {
		t.Fatalf("added %d, audited %v (%v)", len(added), audited, err)
	}
	first, _ := s.Get(ctx, study[0].ID)
	if len(first.Translations) != 3 || first.Translations[0].Title != "Título del coordinador" || first.Translations[0].By != "" || first.Version != 3 {
		t.Fatalf("the coordinator's translation: %+v (version %d)", first.Translations, first.Version)
	}
	if got := added[0].Languages; len(got) != 2 || got[0] != "fr" || got[1] != "pt" {
		t.Fatalf("languages added to the first case: %v", got)
	}
	// A case as seeded becomes, as version 1, what a node seeded today holds.
	second, _ := s.Get(ctx, study[1].ID)
	if len(second.Translations) != 3 || second.Translations[0].By != practices.TranslatedByKB || second.Version != 1 {
		t.Fatalf("the second case: %+v (version %d)", second.Translations, second.Version)
	}
	again, err := s.AdoptStudyTranslations(study, nil)
	if err != nil || len(again) != 0 {
		t.Fatalf("a second run added %d (%v)", len(again), err)
	}
}
