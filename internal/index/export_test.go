package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// FacetCountsBothWays counts the combined facet field over a search's hits by the
// segment tables and by Bleve's own terms facet (the fallback), for tests to compare.
func (ix *Index) FacetCountsBothWays(ctx context.Context, req Request) (tables, bleves map[string]int, err error) {
	idx, release, err := ix.current()
	if err != nil {
		return nil, nil, err
	}
	defer release()
	qb, done, err := ix.builder(idx)
	if err != nil {
		return nil, nil, err
	}
	defer done()
	pq := parseQuery(req.Query)
	q := conjunction(qb.textQuery(pq, qb.queryConcepts(pq)), filterQuery(req.Filters, ""))
	counts := func(noTables bool) (map[string]int, error) {
		ix.noFacetTables = noTables
		defer func() { ix.noFacetTables = false }()
		res, err := ix.collect(ctx, idx, q, 10, 0, nil, allFacetsField)
		if err != nil {
			return nil, err
		}
		return res.counts, nil
	}
	if tables, err = counts(false); err != nil {
		return nil, nil, err
	}
	bleves, err = counts(true)
	return tables, bleves, err
}

// SearchBothWays runs a request term at a time and through Bleve's collector, bypassing
// the answer cache, for tests to compare.
func (ix *Index) SearchBothWays(ctx context.Context, req Request) (evaluated, bleves *Result, err error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	if evaluated, err = ix.search(ctx, req); err != nil {
		return nil, nil, err
	}
	ix.noEvaluator = true
	defer func() { ix.noEvaluator = false }()
	bleves, err = ix.search(ctx, req)
	return evaluated, bleves, err
}

// DecodeEveryList keeps every postings list decoded, however short, for tests to cover
// the decoded lists with a small corpus.
func (ix *Index) DecodeEveryList() { ix.decoded.minLen = 1 }

// SegmentCount is the number of segments of the index's current snapshot.
func (ix *Index) SegmentCount() (int, error) {
	idx, release, err := ix.current()
	if err != nil {
		return 0, err
	}
	defer release()
	r, err := reader(idx)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return len(r.(*scorch.IndexSnapshot).Segments()), nil
}

// CandidatesBothWays lists candidates term at a time and through Bleve's collector,
// bypassing the answer cache, for tests to compare.
func (ix *Index) CandidatesBothWays(ctx context.Context, r CandidateRequest) (evaluated, bleves []string, err error) {
	if evaluated, err = ix.candidates(ctx, r); err != nil {
		return nil, nil, err
	}
	ix.noEvaluator = true
	defer func() { ix.noEvaluator = false }()
	bleves, err = ix.candidates(ctx, r)
	return evaluated, bleves, err
}

// TablesBuilt is the number of segments whose table of a field is built.
func (ix *Index) TablesBuilt(field string) int {
	t := ix.facetTables(field)
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.bySeg)
}
