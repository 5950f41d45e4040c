// Package enginetest answers an engine's queries with Bleve's own searcher, top-N
// collector and terms facet: the reference the engine is compared with in tests.
package enginetest

import (
	"context"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/index/engine"
)

// Bleve searches an index as stock Bleve does, with the engine's method set.
type Bleve struct{ Index bleve.Index }

// Search runs q through Bleve's SearchInContext.
func (b Bleve) Search(ctx context.Context, q engine.Query) (*engine.Result, error) {
	req := bleve.NewSearchRequestOptions(q.Query, q.Size, q.From, false)
	switch {
	case q.Unscored:
		req.Score = "none"
	case len(q.Sort) > 0:
		req.SortBy(q.Sort)
	}
	if q.FacetField != "" {
		req.AddFacet(q.FacetField, bleve.NewFacetRequest(q.FacetField, math.MaxInt32))
	}
	res, err := b.Index.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &engine.Result{Total: res.Total, Counts: map[string]int{}}
	if res.TotalRelation == bleve.TotalRelationGte {
		// Unscored, Bleve stops at the page and the total is a lower bound; the
		// engine's is exact, as Bleve's own count without a page.
		count := bleve.NewSearchRequestOptions(q.Query, 0, 0, false)
		count.Score = "none"
		all, err := b.Index.SearchInContext(ctx, count)
		if err != nil {
			return nil, err
		}
		out.Total = all.Total
	}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, engine.Hit{ID: h.ID, Score: h.Score})
	}
	if fr := res.Facets[q.FacetField]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			out.Counts[t.Term] = t.Count
		}
	}
	return out, nil
}

// CountSelected counts each selection's field with one search of text and the other
// selections' filters.
func (b Bleve) CountSelected(ctx context.Context, text query.Query, sels []engine.Selection) ([]map[string]int, error) {
	if len(sels) == 0 {
		return nil, nil
	}
	if text == nil {
		text = query.NewMatchAllQuery()
	}
	out := make([]map[string]int, len(sels))
	for j, sel := range sels {
		must := []query.Query{text}
		for k, o := range sels {
			if k != j {
				must = append(must, o.Filter)
			}
		}
		res, err := b.Search(ctx, engine.Query{Query: query.NewConjunctionQuery(must), FacetField: sel.Field})
		if err != nil {
			return nil, err
		}
		out[j] = res.Counts
	}
	return out, nil
}

// OnOneSnapshot runs f again until the index's segments are the same after it as before:
// Bleve's merger may replace segments between two searches, and BM25's mean field length
// is counted per segment, so two ways of searching compare only on one snapshot.
func OnOneSnapshot(idx bleve.Index, f func() error) error {
	for {
		before, err := SegmentIDs(idx)
		if err != nil {
			return err
		}
		if err := f(); err != nil {
			return err
		}
		after, err := SegmentIDs(idx)
		if err != nil || slices.Equal(before, after) {
			return err
		}
	}
}

// SegmentIDs lists the segments of the index's current snapshot.
func SegmentIDs(idx bleve.Index) ([]uint64, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, nil
	}
	var ids []uint64
	for _, ss := range snap.Segments() {
		ids = append(ids, ss.Id())
	}
	return ids, nil
}
