package index

import (
	"context"
	"maps"

	"github.com/blevesearch/bleve/v2"
)

// FacetCountsBothWays counts the combined facet field over a search's hits by the
// segment tables and by Bleve's own terms facet, for tests to compare.
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
	res, err := ix.collect(ctx, idx, q, 10, 0, nil, allFacetsField)
	if err != nil {
		return nil, nil, err
	}
	br := bleve.NewSearchRequestOptions(q, 0, 0, false)
	br.AddFacet("all", bleve.NewFacetRequest(allFacetsField, 100000))
	bres, err := idx.SearchInContext(ctx, br)
	if err != nil {
		return nil, nil, err
	}
	bleves = map[string]int{}
	for _, t := range bres.Facets["all"].Terms.Terms() {
		bleves[t.Term] = t.Count
	}
	return maps.Clone(res.counts), bleves, nil
}
