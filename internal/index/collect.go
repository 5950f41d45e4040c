package index

import (
	"context"
	"errors"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/facet"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// collected is what collect finds: the page of hits, the total, and the count of each
// value of the facet field asked for.
type collected struct {
	hits   search.DocumentMatchCollection
	total  uint64
	counts map[string]int
}

// collect runs a query for kb's page searches (BM25, no stored fields, no highlighting:
// annotate does that for the page), through the term-at-a-time evaluator when it can,
// else through Bleve's searcher and top-N collector. Either way it counts the values of
// one facet field from the segments' facet tables: Bleve's terms facet decompresses every
// hit's values and builds a new string for each; at 100 000 practices a broad search
// visits a million values, and that was half of its time (pprof).
func (ix *Index) collect(ctx context.Context, idx bleve.Index, q query.Query, size, from int, sortBy []string, facetField string) (*collected, error) {
	r, err := reader(idx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ctx = searchContext(ctx)
	// Facets by the tables of the snapshot's segments; by Bleve's own terms facet where
	// there are none (an index that is not scorch's).
	var fast *facetCount
	if facetField != "" && !ix.noFacetTables {
		fast, _ = ix.facetTables(facetField).counter(r)
	}
	if res, err := ix.evaluate(ctx, r, idx.Mapping(), q, size, from, sortBy, facetField, fast); !errors.Is(err, errNotEvaluable) {
		return res, err
	}
	opts := search.SearcherOptions{}
	order := search.SortOrder{&search.SortScore{Desc: true}}
	switch {
	case slices.Equal(sortBy, indexOrder):
		opts.Score = "none"
	case len(sortBy) > 0:
		order = search.ParseSortOrderStrings(sortBy)
	}
	s, err := q.Searcher(ctx, r, idx.Mapping(), opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	coll := collector.NewTopNCollector(size, from, order)
	if facetField != "" {
		if fast != nil {
			ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, fast.handler())
		} else {
			fb := search.NewFacetsBuilder(r)
			fb.Add(facetField, facet.NewTermsFacetBuilder(facetField, math.MaxInt32))
			coll.SetFacetsBuilder(fb)
		}
	}
	if err := coll.Collect(ctx, s, r); err != nil {
		return nil, err
	}
	out := &collected{hits: coll.Results(), total: coll.Total(), counts: map[string]int{}}
	switch fr := coll.FacetResults()[facetField]; {
	case fast != nil:
		out.counts = fast.result()
	case fr != nil && fr.Terms != nil:
		for _, t := range fr.Terms.Terms() {
			out.counts[t.Term] = t.Count
		}
	}
	return out, nil
}

// evaluate runs a search with the term-at-a-time evaluator; errNotEvaluable for what
// only Bleve's collector does: sorts other than by title, facets without tables.
func (ix *Index) evaluate(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, q query.Query, size, from int, sortBy []string, facetField string, fc *facetCount) (*collected, error) {
	if ix.noEvaluator || (facetField != "" && fc == nil) {
		return nil, errNotEvaluable
	}
	var byTitle *titleOrder
	inIndexOrder := slices.Equal(sortBy, indexOrder)
	if len(sortBy) > 0 && !inIndexOrder {
		if !slices.Equal(sortBy, titleOrderFields) {
			return nil, errNotEvaluable
		}
		var err error
		if byTitle, err = ix.titleOrder(r); err != nil {
			return nil, errNotEvaluable
		}
	}
	e, err := newEvaluation(ctx, r, m, q)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	e.decoded = ix.decoded
	if byTitle != nil {
		e.ids = byTitle.ids
	} else {
		e.ids, _ = ix.facetTables("id").view(r)
	}
	e.inIndexOrder = inIndexOrder
	return e.run(size, from, byTitle, fc, &ix.runs)
}

// searchContext is what Bleve's searchers expect of a search's context: BM25 scoring,
// and a count of term searchers.
func searchContext(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return bleveindex.BM25Scoring }))
	return search.ContextWithTermSearchersCounter(ctx)
}

// selectedFacets counts each facet with selected values over the practices that match
// text and the selections of the other facets (multi-select facets): in one pass over
// bitsets (see selectedCounts), or one search per facet where that cannot be done.
func (ix *Index) selectedFacets(ctx context.Context, idx bleve.Index, text query.Query, filters map[string][]string) (map[string]map[string]int, error) {
	var names []string
	for _, name := range FacetNames {
		if len(filters[name]) > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	out, err := ix.selectedInOnePass(ctx, idx, text, filters, names)
	if !errors.Is(err, errNotEvaluable) {
		return out, err
	}
	out = map[string]map[string]int{}
	for _, name := range names {
		res, err := ix.collect(ctx, idx, conjunction(text, filterQuery(filters, name)), 0, 0, nil, facetFields[name])
		if err != nil {
			return nil, err
		}
		out[name] = res.counts
	}
	return out, nil
}

func (ix *Index) selectedInOnePass(ctx context.Context, idx bleve.Index, text query.Query, filters map[string][]string, names []string) (map[string]map[string]int, error) {
	if ix.noEvaluator || ix.noFacetTables {
		return nil, errNotEvaluable
	}
	r, err := reader(idx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	counters := make([]*facetCount, len(names))
	for j, name := range names {
		if counters[j], err = ix.facetTables(facetFields[name]).counter(r); err != nil {
			return nil, errNotEvaluable
		}
	}
	e, err := newEvaluation(searchContext(ctx), r, idx.Mapping(), conjunction(text, filterQuery(filters, "")))
	if err != nil {
		return nil, err
	}
	defer e.Close()
	e.decoded = ix.decoded
	if err := e.selectedCounts(counters, &ix.runs); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]int, len(names))
	for j, name := range names {
		out[name] = counters[j].result()
	}
	return out, nil
}

// titleOrder is the order of a browse over r's segments, from the title and id tables.
func (ix *Index) titleOrder(r bleveindex.IndexReader) (*titleOrder, error) {
	titles, err := ix.facetTables(titleSortField).sortedView(r)
	if err != nil {
		return nil, err
	}
	ids, err := ix.facetTables("id").sortedView(r)
	if err != nil {
		return nil, err
	}
	return &titleOrder{titles: titles, ids: ids}, nil
}

// titleOrderFields is the order of a browse: by title, then id.
var titleOrderFields = []string{titleSortField, "id"}

// indexOrder asks collect for the matches in the order of the index, unscored: what
// Bleve gives with scoring off (every score 0, ties in the index's order).
var indexOrder = []string{"\x00index order"}

// facetTables returns the tables of a facet field, made on first use.
func (ix *Index) facetTables(field string) *facetTables {
	ix.tablesMu.Lock()
	defer ix.tablesMu.Unlock()
	if ix.tables == nil {
		ix.tables = map[string]*facetTables{}
	}
	t, ok := ix.tables[field]
	if !ok {
		t = newFacetTables(field)
		ix.tables[field] = t
	}
	return t
}

// reader opens a reader of the index's current snapshot; the caller closes it.
func reader(idx bleve.Index) (bleveindex.IndexReader, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// Prepare builds the tables searches read (facet values, titles and ids by document,
// cities for suggestions, the order of a browse) for the current segments, so that the
// first searches after a start do not pay for them: at 100 000 practices the first
// browse took 110 ms, most of it building the title and id tables. Later segments get
// theirs on first use.
func (ix *Index) Prepare(ctx context.Context) error {
	idx, release, err := ix.current()
	if err != nil {
		return err
	}
	defer release()
	r, err := reader(idx)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, field := range []string{allFacetsField, cityField} {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := ix.facetTables(field).view(r); err != nil && !errors.Is(err, errNotScorch) {
			return err
		}
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	byTitle, err := ix.titleOrder(r)
	if err != nil {
		return err
	}
	for s, ss := range snap.Segments() {
		byTitle.order(s, uint32(ss.Segment().Count()))
	}
	return ctx.Err()
}
