package index

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/answers"
	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// Candidates returns the ids of practices in any of the areas, ranked by how much of the
// context they share (country, region, population band) and whether they are
// operational; within one such tier, in the index's order.
// It is the first, cheap stage of a recommendation: a few hundred candidates that the
// recommender then scores in full, so that no request reads every practice.
func (ix *Index) Candidates(ctx context.Context, r search.CandidateRequest) ([]string, error) {
	if len(r.Areas) == 0 || r.Limit < 1 {
		return nil, nil
	}
	key := fmt.Sprintf("candidates|%q|%q|%q|%q|%d", r.Areas, r.Region, r.Country, r.Band, r.Limit)
	return answers.Get(ctx, ix.answers, key, ix.gen.Load(), func(ctx context.Context) ([]string, error) { return ix.candidates(ctx, r, viaEngine) })
}

func (ix *Index) candidates(ctx context.Context, r search.CandidateRequest, way searchWay) ([]string, error) {
	idx, release, err := ix.current()
	if err != nil {
		return nil, err
	}
	defer release()
	var areas []query.Query
	for _, a := range r.Areas {
		areas = append(areas, termOn(schema.FacetFields["area"], a))
	}
	inAreas := query.NewDisjunctionQuery(areas)
	var ids []string
	taken := map[string]bool{}
	for _, tier := range candidateTiers(r) {
		for _, operational := range []bool{true, false} {
			must := append([]query.Query{inAreas}, tier...)
			if operational {
				must = append(must, termOn(schema.StatusField, "operational"))
			}
			// Unscored, in the index's order: within a tier all are equally good, and the
			// recommender scores them in full. r.Limit hits cover those already taken
			// from better tiers and the rest.
			res, err := way(idx).Search(ctx, engine.Query{Query: query.NewConjunctionQuery(must), Size: r.Limit, Unscored: true})
			if err != nil {
				return nil, apperr.Wrap(err, "candidates failed")
			}
			for _, h := range res.Hits {
				if !taken[h.ID] && len(ids) < r.Limit {
					taken[h.ID] = true
					ids = append(ids, h.ID)
				}
			}
			if len(ids) == r.Limit {
				return ids, nil
			}
		}
	}
	return ids, nil
}

// candidateTiers lists, best first, how much context a candidate shares with the city:
// its country and size, its country, its region and size, its region, its size, then
// the areas alone. A tier that needs what the city did not give is left out.
func candidateTiers(r search.CandidateRequest) [][]query.Query {
	var tiers [][]query.Query
	for _, tier := range [][][2]string{
		{{"country", r.Country}, {"population_band", r.Band}},
		{{"country", r.Country}},
		{{"region", r.Region}, {"population_band", r.Band}},
		{{"region", r.Region}},
		{{"population_band", r.Band}},
		{},
	} {
		var qs []query.Query
		for _, fv := range tier {
			if fv[1] == "" {
				qs = nil
				break
			}
			qs = append(qs, termOn(fv[0], fv[1]))
		}
		if len(qs) == len(tier) {
			tiers = append(tiers, qs)
		}
	}
	return tiers
}
