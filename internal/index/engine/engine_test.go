package engine_test

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/engine/enginetest"
)

func term(field, t string, boost float64) query.Query {
	q := query.NewTermQuery(t)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func fuzzy(field, t string, fuzziness, prefix int) query.Query {
	q := query.NewFuzzyQuery(t)
	q.SetField(field)
	q.Fuzziness, q.Prefix = fuzziness, prefix
	q.SetBoost(0.25)
	return q
}

func phrase(field, p string) query.Query {
	q := query.NewMatchPhraseQuery(p)
	q.SetField(field)
	return q
}

func anyOf(min int, qs ...query.Query) query.Query {
	q := query.NewDisjunctionQuery(qs)
	q.SetMin(float64(min))
	return q
}

func allOf(qs ...query.Query) query.Query { return query.NewConjunctionQuery(qs) }

// shapes are the kinds of query kb builds, and a few it does not.
var shapes = []engine.Query{
	{Query: anyOf(0, term("title", "park", 3), term("body", "park", 1), term("body", "citi", 1)), Size: 10, FacetField: "tags"},
	{Query: anyOf(2, term("body", "data", 1), term("body", "transport", 1), term("title", "health", 2)), Size: 20, From: 5},
	{Query: allOf(anyOf(0, term("body", "energi", 1), term("title", "energi", 3)), anyOf(0, term("tags", "iot", 1), term("tags", "covid-19", 1))), Size: 10, FacetField: "area"},
	{Query: anyOf(0, term("body", "scholar", 1), fuzzy("body", "scholar", 1, 1), fuzzy("title", "mobilty", 2, 1)), Size: 10, FacetField: "tags"},
	{Query: anyOf(0, fuzzy("body", "budgt", 1, 0)), Size: 10},
	{Query: anyOf(0, phrase("body", "street of the lights"), term("body", "street", 1)), Size: 10, FacetField: "tags"},
	{Query: allOf(phrase("title", "public service"), anyOf(0, term("body", "water", 1))), Size: 10},
	{Query: allOf(query.NewMatchAllQuery(), term("area", "health", 1)), Size: 7, From: 14, Sort: []string{sortField, idField}, FacetField: "tags"},
	{Query: query.NewMatchAllQuery(), Size: 10, Sort: []string{sortField, idField}, FacetField: "area"},
	{Query: query.NewMatchAllQuery(), Size: 10, From: 300, Sort: []string{sortField, idField}},
	{Query: allOf(anyOf(0, term("body", "data", 1)), query.NewDocIDQuery([]string{"doc-00003", "doc-00050", "doc-00700", "no-such-doc"})), Size: 10},
	{Query: allOf(anyOf(0, term("area", "mobility", 1)), term("tags", "iot", 1)), Size: 50, Unscored: true},
	{Query: anyOf(0, term("body", "wast", 1)), Size: 10, Sort: []string{"-year", idField}, FacetField: "tags"}, // Bleve's collector, the engine's tables
	{Query: term("body", "bus", 1), Size: 10, FacetField: "tags"},                                              // a lone leaf: Bleve's collector
	{Query: anyOf(0), Size: 10, FacetField: "tags"},
	{Query: anyOf(0, term("body", "nosuchword", 1)), Size: 10, FacetField: "tags"},
	{Query: anyOf(0, term("body", "rout", 1)), Size: 0, FacetField: "area"},
}

// The engine finds what Bleve's collector and terms facet find, for every shape, from
// postings read or decoded, across segments with deleted and replaced documents.
func TestEngineSearchesAsBleveDoes(t *testing.T) {
	idx := testIndex(t, 2000, 400)
	for _, decodeAll := range []bool{false, true} {
		e := newEngine(idx, decodeAll)
		for round := range 2 { // the second from decoded postings and built tables
			for i, q := range shapes {
				ev, bl, err := bothWays(idx, e, q)
				if err != nil {
					t.Fatalf("shape %d: %v", i, err)
				}
				if d := differ(q, ev, bl); d != "" {
					t.Errorf("decode all %v, round %d, shape %d: %s", decodeAll, round, i, d)
				}
				if i == 0 && ev.Total == 0 {
					t.Fatal("the test corpus does not have the words the test needs")
				}
			}
		}
	}
}

// Selected facets count as Bleve counts them with one search per facet, in one pass or
// facet by facet (a phrase's matches are not the union of its terms').
func TestCountSelectedAsBleveDoes(t *testing.T) {
	idx := testIndex(t, 1500, 500)
	e := newEngine(idx, false)
	sels := []engine.Selection{
		{Field: "area", Filter: anyOf(0, term("area", "health", 1), term("area", "energy", 1))},
		{Field: "tags", Filter: anyOf(0, term("tags", "iot", 1))},
	}
	for i, text := range []query.Query{nil, anyOf(0, term("body", "data", 1), fuzzy("body", "parkin", 1, 1)), allOf(phrase("body", "open data"))} {
		var ev, bl []map[string]int
		err := enginetest.OnOneSnapshot(idx, func() (err error) {
			if ev, err = e.CountSelected(ctx, text, sels); err != nil {
				return err
			}
			bl, err = enginetest.Bleve{Index: idx}.CountSelected(ctx, text, sels)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ev, bl) || len(ev[0]) == 0 {
			t.Errorf("text %d: %v, Bleve %v", i, ev, bl)
		}
	}
}

// Prepare builds the tables the first searches would otherwise build.
func TestPrepareBuildsTheTables(t *testing.T) {
	idx := testIndex(t, 600, 200)
	e := newEngine(idx, false)
	if err := e.Prepare(ctx, "tags", "area"); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"tags", "area", sortField, idField} {
		if e.TablesBuilt(field) == 0 {
			t.Errorf("no table of %s after Prepare", field)
		}
	}
	if e.SortOrdersBuilt(sortField) == 0 {
		t.Error("no sort order after Prepare")
	}
}

// Near terms carry the edits and the live document counts the index really has: did-
// you-mean breaks ties by them (Bleve's fuzzy dictionary reports every count as 0).
func TestNearTermsCountTheirDocuments(t *testing.T) {
	idx := testIndex(t, 800, 200)
	terms, err := newEngine(idx, false).Terms()
	if err != nil {
		t.Fatal(err)
	}
	defer terms.Close()
	near, err := terms.Near(ctx, "title", "parkz", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"park": 1, "bark": 2} // stems of the title field
	found := 0
	for _, n := range near {
		res, err := idx.Search(bleve.NewSearchRequestOptions(term("title", n.Term, 1), 0, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		if n.Docs == 0 || n.Docs != res.Total {
			t.Errorf("%q counted in %d documents, Bleve finds %d", n.Term, n.Docs, res.Total)
		}
		if d, ok := want[n.Term]; ok {
			found++
			if n.Edits != d {
				t.Errorf("%q is %d edits from parkz, want %d", n.Term, n.Edits, d)
			}
		}
	}
	if found != len(want) {
		t.Fatalf("near parkz: %+v, want among them %v", near, want)
	}
	if _, err := terms.Near(ctx, "title", "parkz", 3); err == nil {
		t.Error("3 edits accepted")
	}
}

// cancelledAfter is a context that is cancelled after its Err has been asked n times:
// a search stopped at any point of its evaluation.
type cancelledAfter struct {
	context.Context
	n atomic.Int32
}

func (c *cancelledAfter) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// A search stopped halfway leaves nothing behind for the next one: its half-filled
// arrays are not reused.
func TestStoppedSearchesLeaveNothingBehind(t *testing.T) {
	idx := testIndex(t, 1000, 250)
	e := newEngine(idx, false)
	q := shapes[2]
	for n := range 40 {
		stopped := &cancelledAfter{Context: ctx}
		stopped.n.Store(int32(n))
		e.Search(stopped, q) // stopped somewhere, or not at all
		ev, bl, err := bothWays(idx, e, q)
		if err != nil {
			t.Fatal(err)
		}
		if d := differ(q, ev, bl); d != "" {
			t.Fatalf("after a search stopped at step %d: %s", n, d)
		}
	}
}

func ExampleEngine_Search() {
	idx, _ := bleve.NewMemOnly(testMapping())
	idx.Index("a", map[string]any{"id": "a", "title": "parks and streets", "tags": []string{"iot"}})
	idx.Index("b", map[string]any{"id": "b", "title": "street lights", "tags": []string{"iot", "open-data"}})
	e := engine.New(idx, engine.Options{IDField: "id"})
	res, _ := e.Search(context.Background(), engine.Query{Query: anyOf(0, term("title", "street", 1), term("title", "light", 1)), Size: 10, FacetField: "tags"})
	fmt.Println(res.Total, res.Hits[0].ID, res.Counts)
	// Output: 2 b map[iot:2 open-data:1]
}
