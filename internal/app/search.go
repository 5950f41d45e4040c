package app

import (
	"context"
	"sort"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/explain"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
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
	Explain        []explain.Reason    `json:"explain,omitempty"`
	// Lang is the language of Title, Summary and Highlights, Original that of the
	// practice's original text; texts and inLanguage hold the translations' and the
	// fragments by language, for In.
	Lang       string                         `json:"lang"`
	Original   string                         `json:"original_lang"`
	texts      map[string][2]string           // language → title, summary
	inLanguage map[string]map[string][]string // language → field → fragments
}

// In returns the hit as a reader of lang sees it: the title and summary of its
// translation into lang, with the fragments of that language only, when it has one.
func (h SearchHit) In(lang string) SearchHit {
	t, ok := h.texts[lang]
	if !ok || lang == h.Lang {
		return h
	}
	h.Lang, h.Title, h.Summary = lang, t[0], t[1]
	h.Highlights = h.inLanguage[lang]
	if h.Highlights == nil {
		h.Highlights = map[string][]string{}
	}
	return h
}

// SearchResult is the search document of the API.
type SearchResult struct {
	Total  uint64                         `json:"total"`
	Page   int                            `json:"page"`
	Limit  int                            `json:"limit"`
	Hits   []SearchHit                    `json:"hits"`
	Facets map[string][]search.FacetValue `json:"facets"`
	// DidYouMean proposes a corrected query when nothing matched.
	DidYouMean string `json:"did_you_mean,omitempty"`
	// Reading says how a question was read and whether a second pass widened the query.
	Reading *search.Reading `json:"reading,omitempty"`
}

// Search runs a search and fills each hit from the store.
func (a *App) Search(ctx context.Context, req search.Request) (*SearchResult, error) {
	if err := req.Validate(); err != nil { // also fills the default page and limit
		return nil, err
	}
	if a.useSemantic(req) {
		out, err := a.hybrid(ctx, req)
		if err == nil {
			return out, nil
		}
		a.log.Warn("hybrid search failed; answering with lexical search", "err", err)
	}
	res, err := a.Index.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	hits, err := a.hydrate(ctx, res.Hits)
	if err != nil {
		return nil, err
	}
	return &SearchResult{Total: res.Total, Page: req.Page, Limit: req.Limit, Hits: hits, Facets: res.Facets, DidYouMean: res.DidYouMean, Reading: res.Reading}, nil
}

// hybridWindow is how deep the lexical and semantic rankings are fused; deeper pages
// are lexical only.
const hybridWindow = search.MaxLimit

// rrfK damps the reciprocal rank fusion, as in its paper (Cormack et al., 2009).
const rrfK = 60

func (a *App) useSemantic(req search.Request) bool {
	return a.Semantic != nil && strings.TrimSpace(req.Query) != "" && !req.Latest && len(req.IDs) == 0 && !req.Explain &&
		(req.Sort == "" || req.Sort == search.SortRelevance) &&
		req.Page*req.Limit <= hybridWindow && a.Semantic.Available()
}

// hybrid fuses the lexical ranking with the semantic one by reciprocal rank fusion,
// under the same filters; facets and the total come from the lexical search.
func (a *App) hybrid(ctx context.Context, req search.Request) (*SearchResult, error) {
	lexReq := req
	lexReq.Page, lexReq.Limit = 1, hybridWindow
	lex, err := a.Index.Search(ctx, lexReq)
	if err != nil {
		return nil, err
	}
	near, err := a.Semantic.Nearest(ctx, req.Query, hybridWindow)
	if err != nil {
		return nil, err
	}
	// Keep the nearest practices that pass the filters (and are published: archived ones
	// are not in the index).
	allowed := map[string]bool{}
	if len(near) > 0 {
		ok, err := a.Index.Search(ctx, search.Request{IDs: near, Filters: req.Filters, Page: 1, Limit: hybridWindow})
		if err != nil {
			return nil, err
		}
		for _, h := range ok.Hits {
			allowed[h.ID] = true
		}
	}
	score := map[string]float64{}
	byID := map[string]search.Hit{}
	for i, h := range lex.Hits {
		score[h.ID] += 1 / float64(rrfK+i+1)
		byID[h.ID] = h
	}
	rank := 0
	for _, id := range near {
		if allowed[id] {
			rank++
			score[id] += 1 / float64(rrfK+rank)
			if _, ok := byID[id]; !ok {
				byID[id] = search.Hit{ID: id}
			}
		}
	}
	ids := make([]string, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if score[ids[i]] != score[ids[j]] {
			return score[ids[i]] > score[ids[j]]
		}
		return ids[i] < ids[j]
	})
	from := min((req.Page-1)*req.Limit, len(ids))
	page := make([]search.Hit, 0, req.Limit)
	for _, id := range ids[from:min(from+req.Limit, len(ids))] {
		h := byID[id]
		h.Score = score[id]
		page = append(page, h)
	}
	hits, err := a.hydrate(ctx, page)
	if err != nil {
		return nil, err
	}
	return &SearchResult{Total: max(lex.Total, uint64(len(ids))), Page: req.Page, Limit: req.Limit, Hits: hits, Facets: lex.Facets, DidYouMean: lex.DidYouMean, Reading: lex.Reading}, nil
}

// hydrate fills index hits with the practices' fields from the store.
func (a *App) hydrate(ctx context.Context, in []search.Hit) ([]SearchHit, error) {
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
		hit := SearchHit{
			ID: p.ID, Title: p.Title, City: p.City, Country: p.Country, Region: p.Region,
			PopulationBand: p.PopulationBand, Areas: p.Areas, Summary: p.Summary,
			Score: h.Score, Highlights: hl, Explain: h.Explain, Lang: p.Language(), Original: p.Language(), inLanguage: h.InLanguage,
		}
		for _, t := range p.Translations {
			if t.Title != "" {
				if hit.texts == nil {
					hit.texts = map[string][2]string{}
				}
				hit.texts[t.Language] = [2]string{t.Title, t.Summary}
			}
		}
		out = append(out, hit)
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
	Suggestions []search.Suggestion `json:"suggestions"`
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
	res, err := a.Index.Search(ctx, search.Request{Query: question, Page: 1, Limit: limit})
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
