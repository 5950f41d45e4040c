package index

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// CandidateRequest asks for the practices in some areas, best first for a context.
type CandidateRequest struct {
	Areas                 []string
	Region, Country, Band string
	Limit                 int
}

// Candidates returns the ids of practices in any of the areas, ranked by how much of the
// context they share (region, country, population band) and whether they are operational.
// It is the first, cheap stage of a recommendation: a few hundred candidates that the
// recommender then scores in full, so that no request reads every practice.
func (ix *Index) Candidates(ctx context.Context, r CandidateRequest) ([]string, error) {
	if len(r.Areas) == 0 || r.Limit < 1 {
		return nil, nil
	}
	key := fmt.Sprintf("candidates|%q|%q|%q|%q|%d", r.Areas, r.Region, r.Country, r.Band, r.Limit)
	return cached(ctx, ix.answers, key, ix.gen.Load(), func(ctx context.Context) ([]string, error) { return ix.candidates(ctx, r) })
}

func (ix *Index) candidates(ctx context.Context, r CandidateRequest) ([]string, error) {
	idx, release, err := ix.current()
	if err != nil {
		return nil, err
	}
	defer release()
	var areas []query.Query
	for _, a := range r.Areas {
		areas = append(areas, termOn(facetFields["area"], a))
	}
	should := []query.Query{boosted(termOn("status", "operational"), 0.5)}
	for field, v := range map[string]string{"region": r.Region, "country": r.Country, "population_band": r.Band} {
		if v != "" {
			should = append(should, termOn(field, v))
		}
	}
	q := query.NewBooleanQuery([]query.Query{query.NewDisjunctionQuery(areas)}, should, nil)
	req := bleve.NewSearchRequestOptions(q, r.Limit, 0, false)
	req.SortBy([]string{"-_score", "id"})
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, apperr.Wrap(err, "candidates failed")
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}
