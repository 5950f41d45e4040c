package index

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/answers"
	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// The most cities and concepts a suggestion list starts with.
const (
	maxSuggestCities   = 2
	maxSuggestConcepts = 2
)

// Suggest completes what is being typed: practice titles, cities and concepts with a word
// starting with each typed fragment ("tele med" finds "Haruno Medical ... telemedicine"
// concepts and titles alike). Cities and concepts come first, a few each; titles fill the
// rest. Every lookup is a term lookup, so it is fast enough for every keystroke.
func (ix *Index) Suggest(ctx context.Context, q string, limit int) ([]search.Suggestion, error) {
	if err := search.ValidateSuggest(q, limit); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("suggest|%q|%d", q, limit)
	return answers.Get(ctx, ix.answers, key, ix.gen.Load(), func(ctx context.Context) ([]search.Suggestion, error) { return ix.suggest(ctx, q, limit) })
}

func (ix *Index) suggest(ctx context.Context, q string, limit int) ([]search.Suggestion, error) {
	var frags []string
	for _, w := range schema.NewAnalysis(ix.analysis).Words(q) {
		if r := []rune(w); len(r) > schema.MaxSuggestPrefix {
			w = string(r[:schema.MaxSuggestPrefix])
		}
		frags = append(frags, w)
	}
	out := []search.Suggestion{}
	if len(frags) == 0 {
		return out, nil
	}
	idx, release, err := ix.current()
	if err != nil {
		return nil, err
	}
	defer release()

	cities, err := idx.eng.Search(ctx, engine.Query{Query: allTerms(schema.CitySuggestField, frags), FacetField: schema.CityField})
	if err != nil {
		return nil, apperr.Wrap(err, "suggest failed")
	}
	for _, v := range facetValues(cities.Counts)[:min(len(cities.Counts), maxSuggestCities)] {
		out = append(out, search.Suggestion{Kind: search.SuggestCity, Text: v.Value, Count: v.Count})
	}
	for _, c := range ix.concepts.Complete(frags, maxSuggestConcepts) {
		out = append(out, search.Suggestion{Kind: search.SuggestConcept, Text: c.Label, ID: c.Concept})
	}

	if room := limit - len(out); room > 0 {
		// By score alone: a tie-break by title would read the title of every practice
		// that matches a short prefix (thousands at 100 000 practices).
		res, err := idx.eng.Search(ctx, engine.Query{Query: allTerms(schema.TitleSuggestField, frags), Size: room})
		if err != nil {
			return nil, apperr.Wrap(err, "suggest failed")
		}
		for _, h := range res.Hits {
			doc, err := idx.Document(h.ID)
			if err != nil {
				return nil, apperr.Wrap(err, "suggest failed")
			}
			if title := titleOf(doc); title != "" {
				out = append(out, search.Suggestion{Kind: search.SuggestPractice, Text: title, ID: h.ID})
			}
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// titleOf is a practice's title in the first of schema.Languages it has one in ("" for a
// document gone since it matched).
func titleOf(doc bleveindex.Document) string {
	if doc == nil {
		return ""
	}
	titles := map[string]string{}
	doc.VisitFields(func(f bleveindex.Field) {
		if strings.HasPrefix(f.Name(), "title_") {
			titles[f.Name()] = string(f.Value())
		}
	})
	for _, lang := range schema.Languages {
		if t := titles[schema.TextField("title", lang)]; t != "" {
			return t
		}
	}
	return ""
}

func allTerms(field string, terms []string) query.Query {
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		qs[i] = termOn(field, t)
	}
	return query.NewConjunctionQuery(qs)
}
