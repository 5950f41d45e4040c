package index

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/answers"
	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// facetSize is the most values a facet shows.
const facetSize = 50

// Search runs a validated request. The facet counts of each facet are computed with the
// filters of the other facets only, so that selecting one value still shows how many
// practices the other values of the same facet would add (multi-select facets).
func (ix *Index) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return answers.Get(ctx, ix.answers, requestKey(req), ix.gen.Load(), func(ctx context.Context) (*search.Result, error) { return ix.search(ctx, req, Without{}, viaEngine) })
}

// Without names parts of the ranking a search leaves out, to measure what each adds
// (internal/relevance): the thesaurus's expansion of the query, and the second pass that
// widens a weak one.
type Without struct{ Concepts, Widening bool }

// SearchWithout is Search leaving out the parts w names, without the cache of answers.
func (ix *Index) SearchWithout(ctx context.Context, req search.Request, w Without) (*search.Result, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return ix.search(ctx, req, w, viaEngine)
}

// searcher is what a search asks of the engine. Tests hand it Bleve's own collector
// and terms facet instead, to compare the two ways.
type searcher interface {
	Search(ctx context.Context, q engine.Query) (*engine.Result, error)
	CountSelected(ctx context.Context, text query.Query, sels []engine.Selection) ([]map[string]int, error)
}

// searchWay is the searcher of an open index.
type searchWay func(*opened) searcher

func viaEngine(o *opened) searcher { return o.eng }

func (ix *Index) search(ctx context.Context, req search.Request, without Without, way searchWay) (*search.Result, error) {
	idx, release, err := ix.current()
	if err != nil {
		return nil, err
	}
	defer release()

	qb, done, err := ix.builder(idx)
	if err != nil {
		return nil, apperr.Wrap(err, "search failed")
	}
	defer done()
	if without.Concepts {
		qb.concepts = nil
	}
	pq := parseQuery(req.Query)
	qb.lang = qb.queryLanguage(pq, req.Lang)
	pq, asked := withoutAsking(qb.lang, req.Query, pq)
	concepts := qb.queryConcepts(pq)
	text := qb.textQuery(pq, concepts)
	if text == nil && strings.TrimSpace(req.Query) != "" {
		// Only stop words or punctuation: nothing can match, and everything is not what
		// the person asked for.
		return &search.Result{Hits: []search.Hit{}, Facets: emptyFacets()}, nil
	}

	filters := filterQuery(req.Filters, "")
	if len(req.IDs) > 0 {
		filters = append(filters, query.NewDocIDQuery(req.IDs))
	}
	var sortBy []string
	switch {
	case req.Latest || req.Sort == search.SortNewest:
		sortBy = []string{"-" + schema.UpdatedField, schema.IDField}
	case req.Sort == search.SortCity:
		sortBy = []string{schema.CitySortField, "-_score", schema.IDField}
	case text == nil:
		sortBy = []string{schema.TitleSortField, schema.IDField}
	}
	// The facets without a selection are counted in one pass over one field that holds
	// every facet value of a practice ("area:education", "tag:iot"): visiting each hit's
	// values once instead of once per facet.
	facetField := schema.AllFacetsField
	if req.HitsOnly {
		facetField = ""
	}
	s := way(idx)
	res, err := s.Search(ctx, engine.Query{Query: conjunction(text, filters), Size: req.Limit, From: (req.Page - 1) * req.Limit, Sort: sortBy, FacetField: facetField})
	if err != nil {
		return nil, apperr.Wrap(err, "search failed")
	}
	shown, widened := text, (*search.Widening)(nil) // highlights and reasons stay those of the typed words
	if text != nil && sortBy == nil && len(req.IDs) == 0 && !without.Widening {
		if text, widened, err = ix.secondPass(ctx, idx, s, qb, req, text, filters, res, pq, concepts); err != nil {
			return nil, apperr.Wrap(err, "search failed")
		}
		if widened != nil {
			if res, err = s.Search(ctx, engine.Query{Query: conjunction(text, filters), Size: req.Limit, From: (req.Page - 1) * req.Limit, Sort: sortBy, FacetField: facetField}); err != nil {
				return nil, apperr.Wrap(err, "search failed")
			}
		}
	}
	out := &search.Result{Total: res.Total, Hits: make([]search.Hit, 0, len(res.Hits)), Facets: emptyFacets(), Reading: reading(asked, widened)}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, search.Hit{ID: h.ID, Score: h.Score})
	}
	if text != nil && len(out.Hits) > 0 && (!req.HitsOnly || req.Explain) {
		if err := ix.annotate(ctx, idx, shown, out.Hits, req.Explain, pq, concepts); err != nil {
			return nil, err
		}
	}
	if res.Total == 0 && text != nil {
		out.DidYouMean = ix.suggestQuery(ctx, idx, qb, pq, req.Filters)
	}
	for name, values := range splitFacets(res.Counts) {
		if len(req.Filters[name]) == 0 {
			out.Facets[name] = values
		}
	}
	// Each facet with a selection is counted without its own filter.
	if !req.HitsOnly {
		names, sels := selections(req.Filters)
		selected, err := s.CountSelected(ctx, text, sels)
		if err != nil {
			return nil, apperr.Wrap(err, "facet count failed")
		}
		for j, counts := range selected {
			values := facetValues(counts)
			out.Facets[names[j]] = values[:min(len(values), facetSize)]
		}
	}
	return out, nil
}

// selections are the facets with values selected, in the order of schema.FacetNames.
func selections(filters map[string][]string) (names []string, sels []engine.Selection) {
	for _, name := range schema.FacetNames {
		if len(filters[name]) > 0 {
			names = append(names, name)
			sels = append(sels, engine.Selection{Field: schema.FacetFields[name], Filter: anyValue(name, filters[name])})
		}
	}
	return names, sels
}

// builder makes the query builder of one search: with the languages of the index, and
// the terms of its current snapshot (the returned func releases them).
func (ix *Index) builder(idx *opened) (queryBuilder, func(), error) {
	qb := queryBuilder{m: ix.analysis, concepts: ix.concepts, langs: ix.presentLanguages()}
	terms, err := idx.eng.Terms()
	if err != nil {
		return qb, func() {}, err
	}
	qb.terms = terms
	qb.docs = terms.Docs()
	qb.rareBelow = max(minTypoDocs, qb.docs/typoShare)
	qb.docFreq = func(field, term string) uint64 {
		n, _ := terms.DocFrequency(context.Background(), field, term)
		return n
	}
	return qb, func() { terms.Close() }, nil
}

// A stem in fewer than max(minTypoDocs, practices/typoShare) practices may be a typo.
const (
	minTypoDocs = 3
	typoShare   = 1000
)

// suggestQuery proposes a corrected query that finds something under the same filters.
func (ix *Index) suggestQuery(ctx context.Context, idx bleve.Index, qb queryBuilder, pq parsedQuery, filters map[string][]string) string {
	dym := didYouMean(ctx, qb, pq.words)
	if dym == "" {
		return ""
	}
	fixed := parseQuery(dym)
	check := bleve.NewSearchRequestOptions(conjunction(qb.textQuery(fixed, qb.queryConcepts(fixed)), filterQuery(filters, "")), 0, 0, false)
	res, err := idx.SearchInContext(ctx, check)
	if err != nil || res.Total == 0 {
		return ""
	}
	return dym
}

func emptyFacets() map[string][]search.FacetValue {
	m := make(map[string][]search.FacetValue, len(schema.FacetNames))
	for _, name := range schema.FacetNames {
		m[name] = []search.FacetValue{}
	}
	return m
}

// splitFacets sorts the values of the combined facet field into their facets, at most
// facetSize each.
func splitFacets(counts map[string]int) map[string][]search.FacetValue {
	out := map[string][]search.FacetValue{}
	for _, v := range facetValues(counts) {
		name, value, ok := strings.Cut(v.Value, ":")
		if ok && len(out[name]) < facetSize {
			out[name] = append(out[name], search.FacetValue{Value: value, Count: v.Count})
		}
	}
	return out
}

// facetValues lists counted values, most frequent first.
func facetValues(counts map[string]int) []search.FacetValue {
	out := make([]search.FacetValue, 0, len(counts))
	for term, n := range counts {
		out = append(out, search.FacetValue{Value: term, Count: n})
	}
	// Values are distinct, so the order is total; a stable sort through reflection was a
	// twentieth of a search's time under load (pprof).
	slices.SortFunc(out, func(a, b search.FacetValue) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}
