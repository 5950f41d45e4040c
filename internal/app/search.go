package app

import (
	"context"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
)

// SearchHit is one hit as the API and the CLI show it.
type SearchHit struct {
	ID             string              `json:"id"`
	Title          string              `json:"title"`
	City           string              `json:"city"`
	Country        string              `json:"country"`
	Region         string              `json:"region"`
	PopulationBand string              `json:"population_band"`
	Areas          []string            `json:"areas"`
	Summary        string              `json:"summary"`
	Score          float64             `json:"score"`
	Highlights     map[string][]string `json:"highlights"`
}

// SearchResult is the search document of the API.
type SearchResult struct {
	Total  uint64                        `json:"total"`
	Page   int                           `json:"page"`
	Limit  int                           `json:"limit"`
	Hits   []SearchHit                   `json:"hits"`
	Facets map[string][]index.FacetValue `json:"facets"`
}

// Search runs a search and fills each hit from the store.
func (a *App) Search(ctx context.Context, req index.Request) (*SearchResult, error) {
	if err := req.Validate(); err != nil { // also fills the default page and limit
		return nil, err
	}
	res, err := a.Index.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &SearchResult{Total: res.Total, Page: req.Page, Limit: req.Limit, Hits: make([]SearchHit, 0, len(res.Hits)), Facets: res.Facets}
	for _, h := range res.Hits {
		p, err := a.Store.Get(ctx, h.ID)
		if apperr.Code(err) == apperr.NotFound {
			continue // deleted since the index saw it; the next sync drops it
		}
		if err != nil {
			return nil, err
		}
		hl := h.Highlights
		if hl == nil {
			hl = map[string][]string{}
		}
		out.Hits = append(out.Hits, SearchHit{
			ID: p.ID, Title: p.Title, City: p.City, Country: p.Country, Region: p.Region,
			PopulationBand: p.PopulationBand, Areas: p.Areas, Summary: p.Summary,
			Score: h.Score, Highlights: hl,
		})
	}
	return out, nil
}
