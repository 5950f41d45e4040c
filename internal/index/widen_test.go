package index_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// A query whose first pass finds little is widened with the concepts and words of its
// best hits, and the result says so, the same on every page; a strong keyword query is
// not widened; SearchWithout(Widening) keeps the first pass.
func TestAWeakFirstPassIsWidenedByItsBestHits(t *testing.T) {
	ix, _ := corpusIndex(t)
	weak := "lobbying regional lawmakers to scrap rules that stopped the town hall from going paperless"
	first, err := ix.SearchWithout(t.Context(), search.Request{Query: weak}, index.Without{Widening: true})
	if err != nil {
		t.Fatal(err)
	}
	if first.Reading != nil {
		t.Fatalf("the first pass alone says %+v", first.Reading)
	}
	res := mustSearch(t, ix, search.Request{Query: weak})
	if res.Reading == nil || res.Reading.Widened == nil {
		t.Fatalf("%q was not widened: %+v", weak, res.Reading)
	}
	w := res.Reading.Widened
	if !reflect.DeepEqual(w.From, ids(first)[:3]) || len(w.Concepts) == 0 || len(w.Words) == 0 {
		t.Fatalf("widened from %v (first pass %v) with %v and %v", w.From, ids(first), w.Concepts, w.Words)
	}
	for _, c := range w.Concepts {
		if w.ConceptNames[c]["es"] == "" {
			t.Errorf("concept %s has no Spanish name", c)
		}
	}
	if ids(res)[0] != "cordoba-administrative-simplification" {
		t.Errorf("the widened search ranks %v", ids(res))
	}
	page2 := mustSearch(t, ix, search.Request{Query: weak, Page: 2, Limit: 5})
	if page2.Reading == nil || !reflect.DeepEqual(page2.Reading.Widened, w) {
		t.Errorf("page 2 read the query otherwise: %+v", page2.Reading)
	}
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	said := res.Reading.In(cat, "es")
	if len(said) != 1 || !strings.Contains(said[0], w.ConceptNames[w.Concepts[0]]["es"]) || !strings.Contains(said[0], w.Words[0]) {
		t.Errorf("said in Spanish: %q", said)
	}
	for _, strong := range []string{"beach occupancy", "free wifi for students", "QR code contact tracing"} {
		if r := mustSearch(t, ix, search.Request{Query: strong}).Reading; r != nil {
			t.Errorf("%q was read as %+v", strong, r)
		}
	}
	// Sorted otherwise than by relevance, nothing is widened: the order is not the
	// first pass's.
	if r := mustSearch(t, ix, search.Request{Query: weak, Sort: search.SortNewest}).Reading; r != nil && r.Widened != nil {
		t.Errorf("a search by date was widened: %+v", r.Widened)
	}
}

// A question says which asking phrases were set aside.
func TestAQuestionSaysWhatWasSetAside(t *testing.T) {
	ix, _ := corpusIndex(t)
	res := mustSearch(t, ix, search.Request{Query: "¿Cómo podemos evitar aglomeraciones en las playas?", Lang: "es"})
	if res.Reading == nil || !slices.Equal(res.Reading.Asked, []string{"cómo podemos"}) {
		t.Fatalf("reading %+v", res.Reading)
	}
	if len(res.Hits) == 0 || !slices.Contains([]string{"amb-beach-occupancy-information", "montevideo-beach-capacity-drones-ai"}, res.Hits[0].ID) {
		t.Errorf("ranks %v", ids(res))
	}
}
