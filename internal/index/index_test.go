package index_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

var ctx = context.Background()

func geography(t testing.TB) *practices.Geography {
	t.Helper()
	data, _ := corpus.FS.ReadFile(corpus.GeographyFile)
	g, err := practices.ParseGeography(data)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func corpusThesaurus(t testing.TB) *thesaurus.Thesaurus {
	t.Helper()
	data, _ := corpus.FS.ReadFile(corpus.ThesaurusFile)
	th, err := thesaurus.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func corpusPractices(t testing.TB, g *practices.Geography) []*practices.Practice {
	t.Helper()
	ps, err := practices.ReadCorpus(corpus.FS, ".", g)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		g.Enrich(p)
	}
	return ps
}

func newStore(t testing.TB, dir string, ps []*practices.Practice) *store.Store {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if len(ps) > 0 {
		if _, err := s.PutMany(ctx, ps, store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func openIndex(t testing.TB, dir string, s *store.Store, g *practices.Geography) (*index.Index, index.OpenReport) {
	t.Helper()
	ix, report, err := index.Open(ctx, dir, s, index.Options{Geo: g, Thesaurus: corpusThesaurus(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, report
}

// corpusIndex is an index of the embedded corpus built by a rebuild.
func corpusIndex(t testing.TB) (*index.Index, []*practices.Practice) {
	g := geography(t)
	ps := corpusPractices(t, g)
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), ps)
	ix, _ := openIndex(t, filepath.Join(dir, "index"), s, g)
	return ix, ps
}

func mustSearch(t testing.TB, ix *index.Index, req search.Request) *search.Result {
	t.Helper()
	res, err := ix.Search(ctx, req)
	if err != nil {
		t.Fatalf("search %+v: %v", req, err)
	}
	return res
}

func ids(res *search.Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

// sortedIDs is the set of hits, in id order.
func sortedIDs(res *search.Result) []string {
	out := ids(res)
	sort.Strings(out)
	return out
}

var probeRequests = []search.Request{
	{Query: "beach occupancy"},
	{Query: "digital divide students", Limit: 20},
	{Query: "telemedecine"},
	{Query: "", Limit: 50},
	{Query: "wifi", Filters: map[string][]string{"region": {"latin-america"}}},
	{Query: "data", Filters: map[string][]string{"area": {"data", "education"}, "country": {"ES"}}},
}

func TestRebuildEqualsIncremental(t *testing.T) {
	g := geography(t)
	rebuilt, ps := corpusIndex(t)

	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), nil)
	inc, _ := openIndex(t, filepath.Join(dir, "index"), s, g)
	for _, p := range ps {
		if _, err := s.Put(ctx, p, store.NewVersion); err != nil {
			t.Fatal(err)
		}
		if _, err := inc.Sync(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// Both hold the same documents: the same hits and facets, and the best hit of each is
	// among the first of the other. (Bleve's BM25 statistics depend on how an index is
	// split into segments, which its background merger decides as it goes, so the exact
	// scores, and the order of close hits, may differ.)
	top := func(r *search.Result, id string) bool { return slices.Contains(ids(r)[:min(3, len(r.Hits))], id) }
	for _, req := range probeRequests {
		// Every hit, not a page: close scores at a page's edge may fall either side.
		req.Limit = search.MaxLimit
		a, b := mustSearch(t, rebuilt, req), mustSearch(t, inc, req)
		if a.Total != b.Total || !reflect.DeepEqual(sortedIDs(a), sortedIDs(b)) || !reflect.DeepEqual(a.Facets, b.Facets) ||
			len(a.Hits) > 0 && (!top(b, a.Hits[0].ID) || !top(a, b.Hits[0].ID)) {
			t.Errorf("%+v: rebuilt %d %v, incremental %d %v", req, a.Total, ids(a), b.Total, ids(b))
		}
	}
}

// Facet counts are checked against counts made by hand from the corpus: a facet with a
// selection is counted under the other facets' filters only.
func TestFacetCountsAreMultiSelect(t *testing.T) {
	ix, ps := corpusIndex(t)
	res := mustSearch(t, ix, search.Request{Filters: map[string][]string{"area": {"education"}, "region": {"europe"}}, Limit: 100})

	count := func(keep func(*practices.Practice) bool, values func(*practices.Practice) []string) map[string]int {
		m := map[string]int{}
		for _, p := range ps {
			if keep(p) {
				for _, v := range values(p) {
					m[v]++
				}
			}
		}
		return m
	}
	has := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	inEurope := func(p *practices.Practice) bool { return p.Region == "europe" }
	inEducation := func(p *practices.Practice) bool { return has(p.Areas, "education") }
	both := func(p *practices.Practice) bool { return inEurope(p) && inEducation(p) }

	want := map[string]map[string]int{
		"area":    count(inEurope, func(p *practices.Practice) []string { return p.Areas }),
		"region":  count(inEducation, func(p *practices.Practice) []string { return []string{p.Region} }),
		"country": count(both, func(p *practices.Practice) []string { return []string{p.Country} }),
		"tag":     count(both, func(p *practices.Practice) []string { return p.Tags }),
	}
	for facet, counts := range want {
		got := map[string]int{}
		for _, fv := range res.Facets[facet] {
			got[fv.Value] = fv.Count
		}
		if !reflect.DeepEqual(got, counts) {
			t.Errorf("facet %s = %v, want %v", facet, got, counts)
		}
	}
	if n := count(both, func(p *practices.Practice) []string { return []string{"x"} })["x"]; int(res.Total) != n {
		t.Errorf("total %d, want %d", res.Total, n)
	}
	// Population band and tag combine with the query and the other filters too.
	combo := mustSearch(t, ix, search.Request{Query: "wifi students", Filters: map[string][]string{"population_band": {">1M"}, "tag": {"wifi"}, "region": {"latin-america"}}, Limit: 100})
	if got := ids(combo); len(got) != 1 || got[0] != "mexico-city-free-wifi-students" {
		t.Errorf("wifi students, >1M, tag wifi, Latin America: %v", got)
	}
	bands := map[string]int{}
	for _, fv := range combo.Facets["population_band"] {
		bands[fv.Value] = fv.Count
	}
	if bands["100k-1M"] != 1 || bands[">1M"] != 1 { // Montevideo is also a match once the band is set aside
		t.Errorf("population band facet under the other filters: %v", bands)
	}
	// Values of one facet combine with OR, facets with AND.
	wide := mustSearch(t, ix, search.Request{Filters: map[string][]string{"area": {"education", "economy"}}, Limit: 100})
	nEdu := count(func(p *practices.Practice) bool { return has(p.Areas, "education") || has(p.Areas, "economy") }, func(*practices.Practice) []string { return []string{"x"} })["x"]
	if int(wide.Total) != nEdu {
		t.Errorf("area=education OR economy: total %d, want %d", wide.Total, nEdu)
	}
}

func TestHighlightsMarkTheMatchedWords(t *testing.T) {
	ix, _ := corpusIndex(t)
	res := mustSearch(t, ix, search.Request{Query: "beach occupancy"})
	top := res.Hits[0]
	if top.ID != "amb-beach-occupancy-information" {
		t.Fatalf("top hit %s", top.ID)
	}
	title := strings.Join(top.Highlights["title"], " ")
	if !strings.Contains(title, "<mark>occupancy</mark>") || !strings.Contains(title, "<mark>beaches</mark>") {
		t.Errorf("title highlight %q", title)
	}
	// Folding accents must not shift the marks: the whole accented word is marked.
	res = mustSearch(t, ix, search.Request{Query: "conectate"})
	var all []string
	for _, h := range res.Hits {
		for _, frags := range h.Highlights {
			all = append(all, frags...)
		}
	}
	if joined := strings.Join(all, "\n"); !strings.Contains(joined, "<mark>Conéctate</mark>") {
		t.Errorf("accented match not marked whole:\n%s", joined)
	}
	// Every fragment returned shows a match, and markup in the text is escaped.
	for _, h := range res.Hits {
		for f, frags := range h.Highlights {
			for _, fr := range frags {
				if !strings.Contains(fr, "<mark>") {
					t.Errorf("%s %s: fragment without a match: %q", h.ID, f, fr)
				}
				if strings.Contains(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(fr), "<") {
					t.Errorf("%s %s: unescaped markup: %q", h.ID, f, fr)
				}
			}
		}
	}
}

func TestCorruptIndexIsRebuiltFromTheStore(t *testing.T) {
	g := geography(t)
	ps := corpusPractices(t, g)
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), ps)
	idxDir := filepath.Join(dir, "index")
	ix, report, err := index.Open(ctx, idxDir, s, index.Options{Geo: g, Thesaurus: corpusThesaurus(t)})
	if err != nil || !report.Rebuilt {
		t.Fatalf("first open: %+v %v", report, err)
	}
	ix.Close()
	filepath.Walk(idxDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			os.WriteFile(path, []byte("garbage"), 0o600)
		}
		return nil
	})
	ix, report = openIndex(t, idxDir, s, g)
	if !report.Rebuilt || !strings.Contains(report.Reason, "unreadable") {
		t.Fatalf("corrupt index: report %+v", report)
	}
	if n, _ := ix.DocCount(); n != uint64(len(ps)) {
		t.Fatalf("rebuilt index has %d docs, want %d", n, len(ps))
	}
}

// After a crash between a store write and the index update, opening replays the change
// log instead of rebuilding.
func TestIndexReplaysChangesItMissed(t *testing.T) {
	g := geography(t)
	ps := corpusPractices(t, g)
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), ps)
	idxDir := filepath.Join(dir, "index")
	ix, _, err := index.Open(ctx, idxDir, s, index.Options{Geo: g, Thesaurus: corpusThesaurus(t)})
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()

	added := *ps[0]
	added.URI = "" // a new practice, not the study's case
	added.ID, added.Title = "zz-new-practice", "Quokka census with drones"
	if _, err := s.Put(ctx, &added, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, ps[1].ID); err != nil {
		t.Fatal(err)
	}
	ix, report := openIndex(t, idxDir, s, g)
	if report.Rebuilt || report.Replayed != 2 {
		t.Fatalf("report %+v, want 2 changes replayed without rebuild", report)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "quokka"})); len(got) != 1 || got[0] != "zz-new-practice" {
		t.Errorf("new practice not found: %v", got)
	}
	if n, _ := ix.DocCount(); n != uint64(len(ps)) {
		t.Errorf("doc count %d, want %d (one added, one deleted)", n, len(ps))
	}
	last, _ := s.LastSeq()
	if seq, _ := ix.Seq(); seq != last {
		t.Errorf("index at change %d, store at %d", seq, last)
	}
}

// Opened to leave what it missed behind, the index answers at once as it was, and a
// catch-up afterwards brings it to the store: a server answers right after a crash and
// catches up in the background.
func TestIndexLeftBehindCatchesUpLater(t *testing.T) {
	g := geography(t)
	ps := corpusPractices(t, g)
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), ps)
	idxDir := filepath.Join(dir, "index")
	ix, _, err := index.Open(ctx, idxDir, s, index.Options{Geo: g, Thesaurus: corpusThesaurus(t)})
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	added := *ps[0]
	added.URI = "" // a new practice, not the study's case
	added.ID, added.Title = "zz-new-practice", "Quokka census with drones"
	if _, err := s.Put(ctx, &added, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	ix, report, err := index.Open(ctx, idxDir, s, index.Options{Geo: g, Thesaurus: corpusThesaurus(t), LeaveBehind: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	last, _ := s.LastSeq()
	if seq, _ := ix.Seq(); report.Replayed != 0 || seq == last {
		t.Fatalf("the index replayed at open: %+v, at change %d of %d", report, seq, last)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "quokka"})); len(got) != 0 {
		t.Fatalf("found before the catch-up: %v", got)
	}
	if n, _, err := ix.CatchUp(ctx, s, nil); err != nil || n != 1 {
		t.Fatalf("catch-up: %d changes, %v", n, err)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "quokka"})); len(got) != 1 {
		t.Fatalf("not found after the catch-up: %v", got)
	}
}

func TestIndexAheadOfStoreIsRebuilt(t *testing.T) {
	g := geography(t)
	ps := corpusPractices(t, g)
	dir := t.TempDir()
	idxDir := filepath.Join(dir, "index")
	big := newStore(t, filepath.Join(dir, "big"), ps)
	ix, _, err := index.Open(ctx, idxDir, big, index.Options{Geo: g, Thesaurus: corpusThesaurus(t)})
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	small := newStore(t, filepath.Join(dir, "small"), ps[:3])
	ix, report := openIndex(t, idxDir, small, g)
	if !report.Rebuilt {
		t.Fatalf("report %+v: an index ahead of its store must be rebuilt", report)
	}
	if n, _ := ix.DocCount(); n != 3 {
		t.Fatalf("doc count %d, want 3", n)
	}
}

// What people type is never query syntax, and odd input never fails.
func TestAwkwardQueries(t *testing.T) {
	ix, ps := corpusIndex(t)
	plain := ids(mustSearch(t, ix, search.Request{Query: "beach occupancy"}))
	for _, q := range []string{"+beach -occupancy", "beach:occupancy", "beach^ occupancy~", "(beach) occupancy*", `"beach occupancy`, "beach && occupancy ||"} {
		if got := ids(mustSearch(t, ix, search.Request{Query: q})); !reflect.DeepEqual(got, plain) {
			t.Errorf("%q ranked %v, want the same as plain words %v", q, got, plain)
		}
	}
	for _, q := range []string{"the of and", "¿¡…!?", "+-:^~*\"()", "   ", "\x00\x01", "ключ", "城市", strings.Repeat("a", 500), strings.Repeat("beach ", 80)} {
		if _, err := ix.Search(ctx, search.Request{Query: q}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	if res := mustSearch(t, ix, search.Request{Query: "the of and"}); res.Total != 0 {
		t.Errorf("a query of stop words matched %d", res.Total)
	}
	// A quoted phrase must appear as such; the same words apart do not count.
	text := map[string]string{}
	for _, p := range ps {
		text[p.ID] = strings.ToLower(strings.Join(append([]string{p.Title, p.Summary, p.Body}, p.Tags...), " "))
	}
	phraseHits := ids(mustSearch(t, ix, search.Request{Query: `"digital divide"`, Limit: 50}))
	if len(phraseHits) == 0 {
		t.Fatal("no hit for a phrase the corpus contains")
	}
	for _, id := range phraseHits {
		if !strings.Contains(strings.ReplaceAll(text[id], "-", " "), "digital divide") {
			t.Errorf("phrase hit %s does not contain the phrase", id)
		}
	}
}

// Exact words outrank their stems; a word spelled right is not read as a typo of another
// ("crowds" never finds "crowns"), a misspelt one finds the words near it.
func TestMatchKindsRankExactThenStemThenFuzzy(t *testing.T) {
	g := geography(t)
	mk := func(id, title string) *practices.Practice {
		return &practices.Practice{ID: id, Title: title, Summary: "A practice.", City: "Bilbao", Country: "ES", Region: "europe",
			Areas: []string{"data"}, Source: "test", Languages: []string{"en"}, Body: "Same body for all.\n"}
	}
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), []*practices.Practice{
		mk("fuzzy", "Counting crowns in town"),
		mk("stem", "Counting crowd in town"),
		mk("exact", "Counting crowds in town"),
		mk("none", "Counting trees in town"),
	})
	ix, _ := openIndex(t, filepath.Join(dir, "index"), s, g)
	got := ids(mustSearch(t, ix, search.Request{Query: "crowds"}))
	if !reflect.DeepEqual(got, []string{"exact", "stem"}) {
		t.Fatalf("ranking %v, want exact, stem", got)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "crownz"})); !reflect.DeepEqual(got, []string{"fuzzy"}) {
		t.Fatalf("a misspelt word matched %v", got)
	}
	// Short words are not fuzzy-matched: "tree" must not find "three"-like noise.
	if got := ids(mustSearch(t, ix, search.Request{Query: "town"})); len(got) != 4 {
		t.Fatalf("town matched %v", got)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "tress"})); len(got) != 0 {
		t.Fatalf("a five-letter typo two edits away matched %v", got)
	}
}
