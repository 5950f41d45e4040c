package index_test

import (
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Recent answers are served again until the index changes; identical requests in flight
// share one computation; a write is seen by the very next search.
func TestRecentAnswersFollowTheIndex(t *testing.T) {
	s, ix, ps, g := corpusStoreAndIndex(t)
	req := search.Request{Query: "wifi", Filters: map[string][]string{"region": {"europe", "latin-america"}}}
	first := mustSearch(t, ix, req)
	// The same request with its filter values in another order is the same answer.
	again := mustSearch(t, ix, search.Request{Query: "wifi", Filters: map[string][]string{"region": {"latin-america", "europe"}}})
	if again != first {
		t.Fatal("the same request was computed again")
	}
	if served, computed := ix.AnswerCache(); served != 1 || computed != 1 {
		t.Fatalf("served %d, computed %d", served, computed)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := ix.Search(ctx, search.Request{Query: "students"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, computed := ix.AnswerCache(); computed != 2 {
		t.Fatalf("16 identical searches were computed %d times", computed-1)
	}
	added := *ps[0]
	added.URI = "" // a new practice, not the study's case
	added.ID, added.Title, added.Country, added.Region = "zz-wifi-trams", "Wifi on every tram", "ES", ""
	g.Enrich(&added)
	if _, err := s.Put(ctx, &added, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(ctx, s); err != nil {
		t.Fatal(err)
	}
	if after := mustSearch(t, ix, req); after.Total != first.Total+1 {
		t.Fatalf("after a write: %d hits, before %d", after.Total, first.Total)
	}
}

// Candidates come best context first: the city's country and size, its country, its
// region and size, its region, its size, then any practice in the areas; operational
// ones first within each.
func TestCandidatesComeInTiersOfContext(t *testing.T) {
	ix, ps := corpusIndex(t)
	byID := map[string]*practices.Practice{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	r := search.CandidateRequest{Areas: []string{"education", "public-services"}, Country: "AR", Region: "latin-america", Band: "100k-1M", Limit: 12}
	rank := func(p *practices.Practice) int {
		tier := 5
		switch {
		case p.Country == r.Country && p.PopulationBand == r.Band:
			tier = 0
		case p.Country == r.Country:
			tier = 1
		case p.Region == r.Region && p.PopulationBand == r.Band:
			tier = 2
		case p.Region == r.Region:
			tier = 3
		case p.PopulationBand == r.Band:
			tier = 4
		}
		if p.Status != "operational" {
			return 2*tier + 1
		}
		return 2 * tier
	}
	ids, err := ix.Candidates(ctx, r)
	if err != nil || len(ids) != r.Limit {
		t.Fatalf("%d candidates (%v)", len(ids), err)
	}
	last := -1
	for _, id := range ids {
		p := byID[id]
		if !slices.ContainsFunc(r.Areas, func(a string) bool { return slices.Contains(p.Areas, a) }) {
			t.Errorf("%s is in none of the areas", id)
		}
		if k := rank(p); k < last {
			t.Errorf("%s (rank %d) after a candidate of rank %d", id, k, last)
		} else {
			last = k
		}
	}
	if rank(byID[ids[0]]) > 1 {
		t.Errorf("the first candidate %s shares neither country nor size", ids[0])
	}
}

// A practice's translation is searched in its language, apart from the authors' text: a
// Spanish case with an English translation answers a word only the translation has.
func TestTranslationsAreSearchedInTheirLanguage(t *testing.T) {
	s, ix, ps, _ := corpusStoreAndIndex(t)
	p := *ps[0]
	p.URI = "" // a new practice, not the study's case
	p.ID, p.Languages = "zz-caso-traducido", []string{"es"}
	p.Title, p.Summary, p.Body = "Censo de aves con sensores", "Un censo de aves.", "Sensores en los parques.\n"
	p.Translations = []practices.Translation{{Language: "en", Title: "Bird census with sensors", Summary: "A census of birds.", Body: "Sensors in the parks.", Machine: true}}
	if _, err := s.Put(ctx, &p, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"aves", "birds"} {
		if got := ids(mustSearch(t, ix, search.Request{Query: q})); !slices.Contains(got, "zz-caso-traducido") {
			t.Errorf("%q does not find the translated case: %v", q, got)
		}
	}
}

// Facets counted by the segment tables equal Bleve's own counts, over segments with
// deleted and replaced documents, and after a rebuild renumbers the segments.
func TestFacetTablesCountAsBleveDoes(t *testing.T) {
	s, ix, ps, _ := corpusStoreAndIndex(t)
	reqs := []search.Request{{}, {Query: "wifi"}, {Query: "digital divide"}, {Query: "data", Filters: map[string][]string{"region": {"europe"}}}}
	compare := func(when string) {
		t.Helper()
		for _, req := range reqs {
			tables, bleves, err := ix.FacetCountsBothWays(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tables, bleves) || len(tables) == 0 {
				t.Fatalf("%s, %+v: tables %v, Bleve %v", when, req, tables, bleves)
			}
		}
	}
	compare("built")
	for i, p := range ps[:12] {
		q := *p
		if i%3 == 0 {
			if err := s.Delete(ctx, q.ID); err != nil {
				t.Fatal(err)
			}
			continue
		}
		q.Areas, q.Tags = []string{"data"}, []string{"replaced-tag"}
		if _, err := s.Put(ctx, &q, store.NewVersion); err != nil {
			t.Fatal(err)
		}
		if _, err := ix.Sync(ctx, s); err != nil { // one small segment per change
			t.Fatal(err)
		}
	}
	if _, err := ix.Sync(ctx, s); err != nil {
		t.Fatal(err)
	}
	compare("after changes")
	if err := ix.Rebuild(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	compare("after a rebuild")
}

// corpusStoreAndIndex is a store of the embedded corpus with its index, for tests that
// write.
func corpusStoreAndIndex(t *testing.T) (*store.Store, *index.Index, []*practices.Practice, *practices.Geography) {
	g := geography(t)
	ps := corpusPractices(t, g)
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), ps)
	ix, _ := openIndex(t, filepath.Join(dir, "index"), s, g)
	return s, ix, ps, g
}
