package index_test

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/synth"
)

// kb's searches through the engine find what they find through Bleve's collector: the
// same total, the same facet counts, the same page in the same order with the same
// scores (to rounding, where two hits tie), over the real corpus and synthetic
// practices, across segments with deleted and replaced documents. (The engine's own
// tests cover every query shape and decoded postings on a corpus of their own.)
func TestSearchesRankAsBleveDoes(t *testing.T) {
	g := geography(t)
	ps := corpusPractices(t, g)
	th := corpusThesaurus(t)
	var labels []string
	for _, c := range th.Concepts {
		labels = append(labels, c.Labels["en"]...)
	}
	model := synth.NewModel(ps, g, labels)
	all := append([]*practices.Practice(nil), ps...)
	for i := range 1500 {
		all = append(all, model.Practice(7, i))
	}
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), all)
	ix, _ := openIndex(t, filepath.Join(dir, "index"), s, g)

	f := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	reqs := []search.Request{
		{Query: "students"},
		{Query: "digital services for the public"},
		{Query: "brecha digital"},
		{Query: "telemedecine"}, // a typo: the near terms of fuzzy clauses
		{Query: `"public transport" mobility`},
		{Query: `"access to the internet"`}, // stop words leave positions any word fills
		{Query: `"digital divide" "older people"`},
		{Query: "wifi hotspots", Page: 3},
		{Query: "data", Filters: f("area", "education", "region", "europe", "region", "latin-america")},
		{Query: "health", Filters: f("population_band", "over-1m")},
		{Query: "covid response", Limit: 100, Page: 2},
		{Query: "elderly", Explain: true},
		{Query: "citizens participation", HitsOnly: true},
		{Query: "zzzz qqqq"},
		{}, // browse: by title, then id
		{Page: 4, Limit: 7},
		{Filters: f("area", "education", "tag", "covid-19")},
		{Query: "data", IDs: []string{all[3].ID, all[50].ID, all[700].ID, "no-such-id"}}, // ids, run by Bleve
	}
	compare := func(when string) {
		t.Helper()
		for _, req := range reqs {
			ev, bl, err := ix.SearchBothWays(ctx, req)
			if err != nil {
				t.Fatalf("%s %+v: %v", when, req, err)
			}
			if ev.Total != bl.Total || !reflect.DeepEqual(ev.Facets, bl.Facets) || ev.DidYouMean != bl.DidYouMean {
				t.Errorf("%s %+v: total %d, facets %v, did you mean %q; Bleve %d, %v, %q", when, req, ev.Total, ev.Facets, ev.DidYouMean, bl.Total, bl.Facets, bl.DidYouMean)
				continue
			}
			if len(ev.Hits) != len(bl.Hits) {
				t.Errorf("%s %+v: %d hits, Bleve %d", when, req, len(ev.Hits), len(bl.Hits))
				continue
			}
			for i, h := range ev.Hits {
				b := bl.Hits[i]
				if math.Abs(h.Score-b.Score) > 1e-9*math.Max(1, math.Abs(b.Score)) {
					t.Errorf("%s %+v: hit %d is %s at %g, Bleve's %s at %g", when, req, i, h.ID, h.Score, b.ID, b.Score)
					break
				}
				// Hits whose scores tie to rounding may swap; a browse is ordered by title.
				if h.ID != b.ID && (req.Query == "" || !tiedIn(bl.Hits, h)) {
					t.Errorf("%s %+v: hit %d is %s, Bleve's %s", when, req, i, h.ID, b.ID)
					break
				}
				if h.ID == b.ID && !reflect.DeepEqual(h.Highlights, b.Highlights) {
					t.Errorf("%s %+v: %s highlighted %v, Bleve's %v", when, req, h.ID, h.Highlights, b.Highlights)
				}
			}
			if ev.Total == 0 && req.Query == "students" {
				t.Fatalf("%s: the test corpus does not have the words the test needs", when)
			}
		}
	}
	compare("built")
	for _, q := range []string{"students", "digital services for the public", "telemedecine", "vacunacion covid", `"public transport" buses`, "brecha digital", "wifi", "elderly loneliness", "participatory budgeting", "turismo playas"} {
		mine, bleves, err := ix.AnnotateBothWays(ctx, search.Request{Query: q, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(mine, bleves) {
			for i := range mine {
				if !reflect.DeepEqual(mine[i], bleves[i]) {
					t.Errorf("%q: hit %s annotated\n%+v\nBleve's\n%+v", q, mine[i].ID, mine[i], bleves[i])
					break
				}
			}
		}
	}
	for _, r := range []search.CandidateRequest{
		{Areas: []string{"education"}, Country: "AR", Region: "latin-america", Band: "100k-1m", Limit: 300},
		{Areas: []string{"health", "data"}, Region: "europe", Limit: 40},
	} {
		ev, bl, err := ix.CandidatesBothWays(ctx, r)
		if err != nil || !slices.Equal(ev, bl) || len(ev) == 0 {
			t.Errorf("candidates %+v: %v (%v), Bleve %v", r, ev, err, bl)
		}
	}
	for i, p := range all[:40] {
		q := *p
		if i%4 == 0 {
			if err := s.Delete(ctx, q.ID); err != nil {
				t.Fatal(err)
			}
			continue
		}
		q.Title = "Students and elderly people online: " + q.Title
		if _, err := s.Put(ctx, &q, store.NewVersion); err != nil {
			t.Fatal(err)
		}
		if i%8 == 1 {
			if _, err := ix.Sync(ctx, s); err != nil { // small segments, deletions in the large one
				t.Fatal(err)
			}
		}
	}
	if _, err := ix.Sync(ctx, s); err != nil {
		t.Fatal(err)
	}
	compare("after changes") // lists decoded before the deletions no longer serve
}

// tiedIn reports whether hits has h at a score equal to h's to rounding.
func tiedIn(hits []search.Hit, h search.Hit) bool {
	for _, o := range hits {
		if o.ID == h.ID {
			return math.Abs(o.Score-h.Score) <= 1e-9*math.Max(1, math.Abs(h.Score))
		}
	}
	return false
}

// A rebuild ends with its last batches' segments merged into one: each segment costs
// every search a lookup per term, and memory when the index opens.
func TestRebuildMergesItsLastSegments(t *testing.T) {
	g := geography(t)
	model := synth.NewModel(corpusPractices(t, g), g, nil)
	var ps []*practices.Practice
	for i := range 5000 { // three batches
		p := model.Practice(3, i)
		// Segments and their merge are the point, not the text: a short body makes the
		// rebuild a fraction of the time.
		p.Body = "## What was done\n" + p.Summary
		ps = append(ps, p)
	}
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), ps)
	ix, _ := openIndex(t, filepath.Join(dir, "index"), s, g)
	if n, err := ix.SegmentCount(); err != nil || n != 1 {
		t.Fatalf("%d segments after a rebuild (%v), want 1", n, err)
	}
	if n, _ := ix.DocCount(); n != 5000 {
		t.Fatalf("%d documents after the merge, want 5000", n)
	}
}
