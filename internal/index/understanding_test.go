package index_test

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/index/explain"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// Every label, searched alone in its own language, is recognised as its concept: no
// label is lost to a stop list or an analyzer.
func TestEveryThesaurusLabelNamesItsConcept(t *testing.T) {
	th := corpusThesaurus(t)
	ix, _ := corpusIndex(t)
	for _, c := range th.Concepts {
		for lang, labels := range c.Labels {
			for _, l := range labels {
				if got := ix.ConceptsOf(lang, l); !containsStr(got, c.ID) {
					t.Errorf("%s label %q of %s names %v", lang, l, c.ID, got)
				}
			}
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A query in one language finds practices written in another.
func TestQueriesCrossLanguages(t *testing.T) {
	ix, _ := corpusIndex(t)
	tests := []struct{ q, want string }{
		{"brecha digital", "barcelona-measuring-digital-divide"},
		{"fracture numérique", "barcelona-measuring-digital-divide"},
		{"telemedicina", "hamamatsu-haruno-medical-maas"},
		{"aforo en las playas", "amb-beach-occupancy-information"},
		{"lotação das praias", "amb-beach-occupancy-information"},
		{"identidade digital", "cordoba-digital-identity-vedi"},
		{"teletrabajo salud mental", "bogota-online-psychological-care-staff"},
		// Everyday words for the study's concepts: visors are protective equipment,
		// prescriptions medicines, "far from town" the remote areas.
		{"viseras para sanitarios", "barcelona-3d-printed-ppe"},
		{"ordonnances pour les villages isolés", "hamamatsu-haruno-medical-maas"},
		{"receitas médicas longe da cidade", "hamamatsu-haruno-medical-maas"},
	}
	for _, tc := range tests {
		got := ids(mustSearch(t, ix, search.Request{Query: tc.q, Limit: 3}))
		if !containsStr(got, tc.want) {
			t.Errorf("%q: top 3 %v lack %s", tc.q, got, tc.want)
		}
		off, err := ix.SearchWithout(t.Context(), search.Request{Query: tc.q, Limit: 3}, index.Without{Concepts: true})
		if err != nil {
			t.Fatal(err)
		}
		if containsStr(ids(off), tc.want) && tc.q != "identidade digital" && tc.q != "brecha digital" {
			t.Logf("%q finds %s even without the thesaurus", tc.q, tc.want)
		}
	}
	// A stop word of one language is not a word of another: "las" must not match the
	// "la" of Villanueva de la Serena.
	for _, h := range mustSearch(t, ix, search.Request{Query: "las playas", Limit: 50}).Hits {
		if h.ID == "villanueva-de-la-serena-smart-pedestrian-crossings" {
			t.Error("'las playas' matched Villanueva de la Serena")
		}
	}
}

// Exact words outrank their stems, stems outrank concepts; a word spelled right is never
// read as a typo of another, a misspelt one is.
func TestMatchKindsRankExactStemConceptTypo(t *testing.T) {
	g := geography(t)
	mk := func(id, title string) *practices.Practice {
		return &practices.Practice{ID: id, Title: title, Summary: "A practice.", City: "Bilbao", Country: "ES", Region: "europe",
			Areas: []string{"data"}, Source: "test", Languages: []string{"en"}, Body: "Same body for all.\n"}
	}
	dir := t.TempDir()
	s := newStore(t, dir+"/store", []*practices.Practice{
		mk("typo", "Counting crowns in town"),
		mk("concept", "Counting occupancy in town"),
		mk("stem", "Counting crowd in town"),
		mk("exact", "Counting crowds in town"),
		mk("none", "Counting trees in town"),
	})
	ix, _ := openIndex(t, dir+"/index", s, g)
	got := ids(mustSearch(t, ix, search.Request{Query: "crowds"}))
	if strings.Join(got, ",") != "exact,stem,concept" {
		t.Fatalf("ranking %v, want exact, stem, concept, and no typo", got)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "crowdz"})); !slices.Contains(got, "exact") || !slices.Contains(got, "stem") {
		t.Fatalf("a misspelt word matched %v", got)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "town"})); len(got) != 5 {
		t.Fatalf("town matched %v", got)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "tress"})); len(got) != 0 {
		t.Fatalf("a five-letter word two edits away matched %v", got)
	}
}

func TestExplainSaysWhyInWords(t *testing.T) {
	ix, _ := corpusIndex(t)
	reasons := func(q, id string) []explain.Reason {
		t.Helper()
		for _, h := range mustSearch(t, ix, search.Request{Query: q, Explain: true, Limit: 20}).Hits {
			if h.ID == id {
				return h.Explain
			}
		}
		t.Fatalf("%q: %s not found", q, id)
		return nil
	}
	find := func(rs []explain.Reason, via, typed string) *explain.Reason {
		for i := range rs {
			if rs[i].Via == via && rs[i].Typed == typed {
				return &rs[i]
			}
		}
		return nil
	}
	rs := reasons("aforo", "amb-beach-occupancy-information")
	r := find(rs, explain.ViaConcept, "aforo")
	if r == nil || r.Concept != "crowds" || !containsStr(r.Matched, "occupancy") || !containsStr(r.Fields, "title") {
		t.Fatalf("aforo: %+v", rs)
	}
	if !strings.Contains(r.Text, "matched 'occupancy'") || !strings.Contains(r.Text, "via concept crowds (from 'aforo')") || !strings.Contains(r.Text, "title") {
		t.Errorf("reason text %q", r.Text)
	}
	rs = reasons("beaches occupancy", "amb-beach-occupancy-information")
	if r := find(rs, explain.ViaWord, "beaches"); r == nil || !containsStr(r.Fields, "title") {
		t.Errorf("exact word not explained: %+v", rs)
	}
	if r := find(rs, explain.ViaStem, "beaches"); r == nil || !containsStr(r.Matched, "beach") {
		t.Errorf("stem not explained: %+v", rs)
	}
	rs = reasons("telemedicne", "hamamatsu-haruno-medical-maas")
	if r := find(rs, explain.ViaTypo, "telemedicne"); r == nil || !containsStr(r.Matched, "telemedicine") || !strings.Contains(r.Text, "typo") {
		t.Errorf("typo not explained: %+v", rs)
	}
	// Without explain=1, no reasons are computed.
	for _, h := range mustSearch(t, ix, search.Request{Query: "aforo"}).Hits {
		if h.Explain != nil {
			t.Fatal("reasons without explain")
		}
	}
}

func TestDidYouMean(t *testing.T) {
	ix, _ := corpusIndex(t)
	res := mustSearch(t, ix, search.Request{Query: "wfii"})
	if res.Total != 0 || res.DidYouMean != "wifi" {
		t.Fatalf("wfii: total %d, did you mean %q", res.Total, res.DidYouMean)
	}
	res = mustSearch(t, ix, search.Request{Query: "drnes mapp"})
	if res.Total != 0 || res.DidYouMean == "" {
		t.Fatalf("drnes mapp: total %d, did you mean %q", res.Total, res.DidYouMean)
	}
	if got := mustSearch(t, ix, search.Request{Query: res.DidYouMean}); got.Total == 0 {
		t.Fatalf("the suggestion %q finds nothing", res.DidYouMean)
	}
	for _, q := range []string{"xqzvbkw", "beach", "the"} {
		if res := mustSearch(t, ix, search.Request{Query: q}); res.DidYouMean != "" {
			t.Errorf("%q: unexpected did you mean %q", q, res.DidYouMean)
		}
	}
}

func TestSuggest(t *testing.T) {
	ix, _ := corpusIndex(t)
	has := func(ss []search.Suggestion, kind, text string) bool {
		for _, s := range ss {
			if s.Kind == kind && s.Text == text {
				return true
			}
		}
		return false
	}
	suggest := func(q string, limit int) []search.Suggestion {
		t.Helper()
		ss, err := ix.Suggest(ctx, q, limit)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if len(ss) > limit {
			t.Fatalf("%q: %d suggestions over the limit %d", q, len(ss), limit)
		}
		return ss
	}
	if ss := suggest("bil", 8); !has(ss, search.SuggestCity, "Bilbao") {
		t.Errorf("bil: %+v", ss)
	}
	if ss := suggest("Bogo", 8); !has(ss, search.SuggestCity, "Bogotá") {
		t.Errorf("Bogo (no accent): %+v", ss)
	}
	if ss := suggest("telem", 8); !has(ss, search.SuggestConcept, "telemedicine") {
		t.Errorf("telem: %+v", ss)
	}
	if ss := suggest("brecha", 8); !has(ss, search.SuggestConcept, "brecha digital") {
		t.Errorf("brecha: %+v", ss)
	}
	// A word inside the title, not only its start; several fragments narrow it.
	if ss := suggest("occup bea", 8); !has(ss, search.SuggestPractice, "Information system on the occupancy level of beaches") {
		t.Errorf("occup bea: %+v", ss)
	}
	// A practice with translations is suggested under one title, the same every time (a
	// shorter limit is computed again, not served from the answers already given).
	for _, q := range []string{"dig", "covid", "a"} {
		a, b := suggest(q, 20), suggest(q, 19)
		if !reflect.DeepEqual(a[:min(len(a), 19)], b) {
			t.Errorf("%q: %+v, then %+v", q, a, b)
		}
	}
	if ss := suggest("", 8); len(ss) != 0 {
		t.Errorf("empty prefix: %+v", ss)
	}
	if ss := suggest("+-:^~*", 8); len(ss) != 0 {
		t.Errorf("punctuation: %+v", ss)
	}
	if ss := suggest("a", 3); len(ss) == 0 {
		t.Error("one letter suggests nothing")
	}
	for _, bad := range []struct {
		q     string
		limit int
	}{{"x", 0}, {"x", 21}, {strings.Repeat("x", 101), 5}} {
		if _, err := ix.Suggest(ctx, bad.q, bad.limit); apperr.Code(err) != apperr.Invalid {
			t.Errorf("suggest(%d chars, %d): %v", len(bad.q), bad.limit, err)
		}
	}
}

func TestSimilar(t *testing.T) {
	ix, ps := corpusIndex(t)
	byID := map[string]*practices.Practice{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	for id, want := range map[string]string{
		"amb-beach-occupancy-information":         "montevideo-beach-capacity-drones-ai",
		"mexico-city-free-wifi-students":          "montevideo-wifi-abc",
		"bogota-against-digital-divide-ruta-100k": "mexico-city-free-wifi-students",
	} {
		hits, err := ix.Similar(ctx, byID[id], 3)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(hits))
		for i, h := range hits {
			got[i] = h.ID
		}
		if containsStr(got, id) {
			t.Errorf("%s is similar to itself", id)
		}
		if !containsStr(got, want) {
			t.Errorf("similar to %s: %v, want %s among them", id, got, want)
		}
	}
	// A draft that is not indexed finds the practice it duplicates.
	draft := *byID["tehran-urban-cycling-app"]
	draft.ID = "draft-submission"
	hits, err := ix.Similar(ctx, &draft, 1)
	if err != nil || len(hits) != 1 || hits[0].ID != "tehran-urban-cycling-app" {
		t.Fatalf("duplicate draft: %v %v", hits, err)
	}
	if _, err := ix.Similar(ctx, &draft, 0); apperr.Code(err) != apperr.Invalid {
		t.Errorf("limit 0: %v", err)
	}
}

// A query naming a broad concept finds the practices naming only a narrower one, below
// those naming the concept itself; the narrower concept's own query does not widen up.
func TestBroaderConceptFindsNarrowerAtLowerWeight(t *testing.T) {
	ix, _ := corpusIndex(t)
	// "vulnerable groups" is typed; a practice about the elderly that never says
	// "vulnerable" is found through elderly → vulnerable-groups.
	res := mustSearch(t, ix, search.Request{Query: "vulnerable", Limit: 100, Explain: true})
	found := false
	for _, h := range res.Hits {
		for _, r := range h.Explain {
			if r.Via == explain.ViaConcept && r.Concept == "elderly" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no hit of 'vulnerable' is explained by the narrower concept elderly: %v", ids(res))
	}
}

// Of two words as near, did-you-mean offers the one in more practices: the counts come
// from the index itself (Bleve's fuzzy dictionary reports every count as 0, which left
// the first word in the dictionary's order).
func TestDidYouMeanPrefersTheCommonerWord(t *testing.T) {
	g := geography(t)
	base := corpusPractices(t, g)[:4]
	var ps []*practices.Practice
	for i, title := range []string{"Zorvek pilot in the harbour", "Zorvex sensors", "Zorvex lights", "Zorvex benches"} {
		p := *base[i]
		p.Title = title
		ps = append(ps, &p)
	}
	dir := t.TempDir()
	ix, _ := openIndex(t, filepath.Join(dir, "index"), newStore(t, filepath.Join(dir, "store"), ps), g)
	// zorvek (one practice) comes first in the dictionary; zorvex is in three.
	got, err := ix.NearestWord(ctx, "zorvez", 1)
	if err != nil || got != "zorvex" {
		t.Fatalf("zorvez: %q (%v), want zorvex", got, err)
	}
}
