// Package engine answers Bleve queries over scorch's segments term at a time, as Bleve
// would but faster: hits, totals, facet counts and term statistics, knowing nothing of kb.
package engine

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/facet"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Options are fixed when an engine is made.
type Options struct {
	// IDField is a keyword field with doc values that holds each document's id: hits'
	// ids are read from its table (reading the stored id decompresses a block of
	// documents per hit), and it breaks ties in the sorts of SortFields.
	IDField string
	// SortFields are keyword fields with doc values, one value a document, by which (then
	// by IDField) the evaluator sorts itself; other sorts go through Bleve's collector.
	SortFields []string
	// PostingsCacheBytes bounds the decoded postings kept; 0 is DefaultPostingsCacheBytes.
	PostingsCacheBytes int

	// minDecoded: shorter postings lists are not kept decoded (0: minDecoded). Tests set
	// it through export_test.go.
	minDecoded uint64
}

// DefaultPostingsCacheBytes keeps the common terms of a few hundred searches at 100 000
// practices.
const DefaultPostingsCacheBytes = 32 << 20

// Engine searches one Bleve index. It keeps tables and decoded postings by segment, so
// it lives as long as the index: an index built afresh numbers its segments afresh and
// needs an engine of its own. It is safe for concurrent use.
type Engine struct {
	idx  bleve.Index
	opts Options

	tablesMu sync.Mutex
	tables   map[string]*facetTables // field → its values by segment
	decoded  *postingsCache          // the longest postings lists, decoded
	// runs keeps the evaluator's per-segment arrays (*segmentRun) from search to search.
	runs sync.Pool
}

// New makes the engine of idx.
func New(idx bleve.Index, opts Options) *Engine {
	if opts.PostingsCacheBytes == 0 {
		opts.PostingsCacheBytes = DefaultPostingsCacheBytes
	}
	if opts.minDecoded == 0 {
		opts.minDecoded = minDecoded
	}
	c := newPostingsCache(opts.PostingsCacheBytes, opts.minDecoded)
	return &Engine{idx: idx, opts: opts, tables: map[string]*facetTables{}, decoded: c}
}

// Query is one search.
type Query struct {
	Query      query.Query
	Size, From int
	// Sort is an order in Bleve's notation ("-updated", "id"); nil is by score.
	Sort []string
	// Unscored ranks the matches in the index's order, every score 0: what Bleve gives
	// with scoring off (though Bleve then stops counting at the page; Total counts all).
	Unscored bool
	// FacetField, when set, is a keyword field with doc values whose values are counted
	// over every match.
	FacetField string
}

// Hit is a match.
type Hit struct {
	ID    string
	Score float64
}

// Result is a page of hits, the number of matches, and the count of each value of the
// facet field over the matches.
type Result struct {
	Hits   []Hit
	Total  uint64
	Counts map[string]int
}

// Search runs q as Bleve's searcher, top-N collector and terms facet would, through the
// term-at-a-time evaluator when it can. Either way it counts the facet field from the
// segments' tables: Bleve's terms facet decompresses every hit's values and builds a
// new string for each; at 100 000 practices a broad search visits a million values, and
// that was half of its time (pprof).
func (e *Engine) Search(ctx context.Context, q Query) (*Result, error) {
	r, err := e.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ctx = searchContext(ctx)
	// Facets by the tables of the snapshot's segments; by Bleve's own terms facet where
	// there are none (an index that is not scorch's).
	var fast *facetCount
	if q.FacetField != "" {
		fast, _ = e.facetTables(q.FacetField).counter(r)
	}
	if res, err := e.evaluate(ctx, r, q, fast); !errors.Is(err, errNotEvaluable) {
		return res, err
	}
	opts := search.SearcherOptions{}
	order := search.SortOrder{&search.SortScore{Desc: true}}
	switch {
	case q.Unscored:
		opts.Score = "none"
	case len(q.Sort) > 0:
		order = search.ParseSortOrderStrings(q.Sort)
	}
	s, err := q.Query.Searcher(ctx, r, e.idx.Mapping(), opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	coll := collector.NewTopNCollector(q.Size, q.From, order)
	if q.FacetField != "" {
		if fast != nil {
			ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, fast.handler())
		} else {
			fb := search.NewFacetsBuilder(r)
			fb.Add(q.FacetField, facet.NewTermsFacetBuilder(q.FacetField, math.MaxInt32))
			coll.SetFacetsBuilder(fb)
		}
	}
	if err := coll.Collect(ctx, s, r); err != nil {
		return nil, err
	}
	out := &Result{Total: coll.Total(), Counts: map[string]int{}}
	for _, h := range coll.Results() {
		out.Hits = append(out.Hits, Hit{ID: h.ID, Score: h.Score})
	}
	switch fr := coll.FacetResults()[q.FacetField]; {
	case fast != nil:
		out.Counts = fast.result()
	case fr != nil && fr.Terms != nil:
		for _, t := range fr.Terms.Terms() {
			out.Counts[t.Term] = t.Count
		}
	}
	return out, nil
}

// evaluate runs a search with the term-at-a-time evaluator; errNotEvaluable for what
// only Bleve's collector does: sorts other than by a sort field, facets without tables.
func (e *Engine) evaluate(ctx context.Context, r bleveindex.IndexReader, q Query, fc *facetCount) (*Result, error) {
	if q.FacetField != "" && fc == nil {
		return nil, errNotEvaluable
	}
	var byField *fieldSort
	if len(q.Sort) > 0 && !q.Unscored {
		field, ok := e.sortField(q.Sort)
		if !ok {
			return nil, errNotEvaluable
		}
		var err error
		if byField, err = e.fieldOrder(r, field); err != nil {
			return nil, errNotEvaluable
		}
	}
	ev, err := newEvaluation(ctx, r, e.idx.Mapping(), q.Query)
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	ev.decoded = e.decoded
	if byField != nil {
		ev.ids = byField.ids
	} else if e.opts.IDField != "" {
		ev.ids, _ = e.facetTables(e.opts.IDField).view(r)
	}
	ev.inIndexOrder = q.Unscored
	return ev.run(q.Size, q.From, byField, fc, &e.runs)
}

// sortField returns the sort field of an order that is one of SortFields, then IDField.
func (e *Engine) sortField(sortBy []string) (string, bool) {
	if len(sortBy) != 2 || e.opts.IDField == "" || sortBy[1] != e.opts.IDField || !slices.Contains(e.opts.SortFields, sortBy[0]) {
		return "", false
	}
	return sortBy[0], true
}

// searchContext is what Bleve's searchers expect of a search's context: BM25 scoring,
// and a count of term searchers.
func searchContext(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return bleveindex.BM25Scoring }))
	return search.ContextWithTermSearchersCounter(ctx)
}

// Selection is a facet with values selected: its field, and the filter the selection
// makes.
type Selection struct {
	Field  string
	Filter query.Query
}

// CountSelected counts, for each selection, the values of its field over the documents
// that match text (nil: every document) and the filters of the other selections
// (multi-select facets): in one pass over bitsets (see selectedCounts), or one search
// per selection where that cannot be done.
func (e *Engine) CountSelected(ctx context.Context, text query.Query, sels []Selection) ([]map[string]int, error) {
	if len(sels) == 0 {
		return nil, nil
	}
	out, err := e.selectedInOnePass(ctx, text, sels)
	if !errors.Is(err, errNotEvaluable) {
		return out, err
	}
	out = make([]map[string]int, len(sels))
	for j, sel := range sels {
		res, err := e.Search(ctx, Query{Query: selectionQuery(text, sels, j), FacetField: sel.Field})
		if err != nil {
			return nil, err
		}
		out[j] = res.Counts
	}
	return out, nil
}

// selectionQuery is text and the filters of every selection but the one at except (-1:
// every one), in order.
func selectionQuery(text query.Query, sels []Selection, except int) query.Query {
	if text == nil {
		text = query.NewMatchAllQuery()
	}
	must := []query.Query{text}
	for j, s := range sels {
		if j != except {
			must = append(must, s.Filter)
		}
	}
	if len(must) == 1 {
		return text
	}
	return query.NewConjunctionQuery(must)
}

func (e *Engine) selectedInOnePass(ctx context.Context, text query.Query, sels []Selection) ([]map[string]int, error) {
	r, err := e.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	counters := make([]*facetCount, len(sels))
	for j, sel := range sels {
		if counters[j], err = e.facetTables(sel.Field).counter(r); err != nil {
			return nil, errNotEvaluable
		}
	}
	ev, err := newEvaluation(searchContext(ctx), r, e.idx.Mapping(), selectionQuery(text, sels, -1))
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	ev.decoded = e.decoded
	if err := ev.selectedCounts(counters, &e.runs); err != nil {
		return nil, err
	}
	out := make([]map[string]int, len(sels))
	for j := range sels {
		out[j] = counters[j].result()
	}
	return out, nil
}

// fieldOrder is the order of a sort by field then id over r's segments, from the two
// fields' tables.
func (e *Engine) fieldOrder(r bleveindex.IndexReader, field string) (*fieldSort, error) {
	values, err := e.facetTables(field).sortedView(r)
	if err != nil {
		return nil, err
	}
	ids, err := e.facetTables(e.opts.IDField).sortedView(r)
	if err != nil {
		return nil, err
	}
	return &fieldSort{values: values, ids: ids}, nil
}

// facetTables returns the tables of a field, made on first use.
func (e *Engine) facetTables(field string) *facetTables {
	e.tablesMu.Lock()
	defer e.tablesMu.Unlock()
	t, ok := e.tables[field]
	if !ok {
		t = newFacetTables(field)
		e.tables[field] = t
	}
	return t
}

// reader opens a reader of the index's current snapshot; the caller closes it.
func (e *Engine) reader() (bleveindex.IndexReader, error) {
	adv, err := e.idx.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// Prepare builds the tables searches read (the values of fields, the ids, and the order
// of each sort field) for the current segments, so that the first searches after a
// start do not pay for them: at 100 000 practices the first browse took 110 ms, most of
// it building the title and id tables. Later segments get theirs on first use.
func (e *Engine) Prepare(ctx context.Context, fields ...string) error {
	r, err := e.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	for _, field := range fields {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := e.facetTables(field).view(r); err != nil && !errors.Is(err, errNotScorch) {
			return err
		}
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || e.opts.IDField == "" {
		return nil
	}
	for _, field := range e.opts.SortFields {
		byField, err := e.fieldOrder(r, field)
		if err != nil {
			return err
		}
		for s, ss := range snap.Segments() {
			if err := ctx.Err(); err != nil {
				return err
			}
			byField.order(s, uint32(ss.Segment().Count()))
		}
	}
	return ctx.Err()
}
