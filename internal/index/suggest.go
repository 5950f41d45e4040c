package index

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Kinds of suggestion.
const (
	SuggestPractice = "practice"
	SuggestCity     = "city"
	SuggestConcept  = "concept"
)

// Suggest limits.
const (
	DefaultSuggestLimit = 8
	MaxSuggestLimit     = 20
	MaxSuggestQuery     = 100
	maxSuggestCities    = 2
	maxSuggestConcepts  = 2
)

// Suggestion is one completion of what is being typed.
type Suggestion struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	// ID is the practice id or the concept id; Count the practices of a city.
	ID    string `json:"id,omitempty"`
	Count int    `json:"count,omitempty"`
}

// ValidateSuggest checks the parameters of a suggestion request.
func ValidateSuggest(q string, limit int) error {
	f := map[string]string{}
	if n := utf8.RuneCountInString(q); n > MaxSuggestQuery {
		f["q"] = fmt.Sprintf("is too long (%d characters, at most %d)", n, MaxSuggestQuery)
	}
	if limit < 1 || limit > MaxSuggestLimit {
		f["limit"] = fmt.Sprintf("must be between 1 and %d", MaxSuggestLimit)
	}
	if len(f) > 0 {
		return apperr.InvalidFields("the suggestion request is not valid", f)
	}
	return nil
}

// Suggest completes what is being typed: practice titles, cities and concepts with a word
// starting with each typed fragment ("tele med" finds "Haruno Medical ... telemedicine"
// concepts and titles alike). Cities and concepts come first, a few each; titles fill the
// rest. Every lookup is a term lookup, so it is fast enough for every keystroke.
func (ix *Index) Suggest(ctx context.Context, q string, limit int) ([]Suggestion, error) {
	if err := ValidateSuggest(q, limit); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("suggest|%q|%d", q, limit)
	return cached(ctx, ix.answers, key, ix.gen.Load(), func(ctx context.Context) ([]Suggestion, error) { return ix.suggest(ctx, q, limit) })
}

func (ix *Index) suggest(ctx context.Context, q string, limit int) ([]Suggestion, error) {
	qb := queryBuilder{m: ix.analysis}
	var frags []string
	for _, w := range tokenize(q) {
		w = foldWord(qb, w)
		if r := []rune(w); len(r) > maxSuggestPrefix {
			w = string(r[:maxSuggestPrefix])
		}
		frags = append(frags, w)
	}
	out := []Suggestion{}
	if len(frags) == 0 {
		return out, nil
	}
	idx, release, err := ix.current()
	if err != nil {
		return nil, err
	}
	defer release()

	cities, err := ix.collect(ctx, idx, allTerms(citySuggestField, frags), 0, 0, nil, cityField)
	if err != nil {
		return nil, apperr.Wrap(err, "suggest failed")
	}
	for _, v := range facetValues(cities.counts)[:min(len(cities.counts), maxSuggestCities)] {
		out = append(out, Suggestion{Kind: SuggestCity, Text: v.Value, Count: v.Count})
	}
	out = append(out, ix.suggestConcepts(qb, frags, maxSuggestConcepts)...)

	if room := limit - len(out); room > 0 {
		// By score alone: a tie-break by title would read the title of every practice
		// that matches a short prefix (thousands at 100 000 practices).
		titles := bleve.NewSearchRequestOptions(allTerms(titleSuggestField, frags), room, 0, false)
		titles.Fields = []string{"title_en", "title_es", "title_fr", "title_pt"}
		res, err := idx.SearchInContext(ctx, titles)
		if err != nil {
			return nil, apperr.Wrap(err, "suggest failed")
		}
		for _, h := range res.Hits {
			for _, v := range h.Fields {
				if title, ok := v.(string); ok {
					out = append(out, Suggestion{Kind: SuggestPractice, Text: title, ID: h.ID})
					break
				}
			}
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func allTerms(field string, terms []string) query.Query {
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		qs[i] = termOn(field, t)
	}
	return query.NewConjunctionQuery(qs)
}

// suggestConcepts finds concept labels, in any language, with a word starting with each
// fragment.
func (ix *Index) suggestConcepts(qb queryBuilder, frags []string, max int) []Suggestion {
	var out []Suggestion
	if ix.thes == nil {
		return out
	}
	for _, c := range ix.thes.Concepts {
		for _, lang := range Languages {
			if label := firstLabelMatching(qb, c.Labels[lang], frags); label != "" {
				out = append(out, Suggestion{Kind: SuggestConcept, Text: label, ID: c.ID})
				break
			}
		}
		if len(out) >= max {
			break
		}
	}
	return out
}

func firstLabelMatching(qb queryBuilder, labels []string, frags []string) string {
	for _, label := range labels {
		words := tokenize(label)
		for i := range words {
			words[i] = foldWord(qb, words[i])
		}
		ok := true
		for _, f := range frags {
			found := false
			for _, w := range words {
				if strings.HasPrefix(w, f) {
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			return label
		}
	}
	return ""
}
