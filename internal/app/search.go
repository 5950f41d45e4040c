package app

import (
	"context"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
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
	Explain        []index.Reason      `json:"explain,omitempty"`
}

// SearchResult is the search document of the API.
type SearchResult struct {
	Total  uint64                        `json:"total"`
	Page   int                           `json:"page"`
	Limit  int                           `json:"limit"`
	Hits   []SearchHit                   `json:"hits"`
	Facets map[string][]index.FacetValue `json:"facets"`
	// DidYouMean proposes a corrected query when nothing matched.
	DidYouMean string `json:"did_you_mean,omitempty"`
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
	hits, err := a.hydrate(ctx, res.Hits)
	if err != nil {
		return nil, err
	}
	return &SearchResult{Total: res.Total, Page: req.Page, Limit: req.Limit, Hits: hits, Facets: res.Facets, DidYouMean: res.DidYouMean}, nil
}

// hydrate fills index hits with the practices' fields from the store.
func (a *App) hydrate(ctx context.Context, in []index.Hit) ([]SearchHit, error) {
	out := make([]SearchHit, 0, len(in))
	for _, h := range in {
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
		out = append(out, SearchHit{
			ID: p.ID, Title: p.Title, City: p.City, Country: p.Country, Region: p.Region,
			PopulationBand: p.PopulationBand, Areas: p.Areas, Summary: p.Summary,
			Score: h.Score, Highlights: hl, Explain: h.Explain,
		})
	}
	return out, nil
}

// SimilarResult lists the practices most like one.
type SimilarResult struct {
	Similar []SearchHit `json:"similar"`
}

// Similar finds the practices most like the practice id.
func (a *App) Similar(ctx context.Context, id string, limit int) (*SimilarResult, error) {
	p, err := a.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	hits, err := a.Index.Similar(ctx, p, limit)
	if err != nil {
		return nil, err
	}
	out, err := a.hydrate(ctx, hits)
	if err != nil {
		return nil, err
	}
	return &SimilarResult{Similar: out}, nil
}

// SuggestResult completes what is being typed.
type SuggestResult struct {
	Suggestions []index.Suggestion `json:"suggestions"`
}

// Suggest completes a prefix with practice titles, cities and concepts.
func (a *App) Suggest(ctx context.Context, q string, limit int) (*SuggestResult, error) {
	s, err := a.Index.Suggest(ctx, q, limit)
	if err != nil {
		return nil, err
	}
	return &SuggestResult{Suggestions: s}, nil
}

// Retrieve returns the published practices that best match a question, for grounded
// answers: only what search would show anyone.
func (a *App) Retrieve(ctx context.Context, question string, limit int) ([]*practices.Practice, error) {
	res, err := a.Index.Search(ctx, index.Request{Query: question, Page: 1, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]*practices.Practice, 0, len(res.Hits))
	for _, h := range res.Hits {
		p, err := a.Store.Get(ctx, h.ID)
		if apperr.Code(err) == apperr.NotFound {
			continue // removed since the index saw it
		}
		if err != nil {
			return nil, err
		}
		if !p.Archived {
			out = append(out, p)
		}
	}
	return out, nil
}
