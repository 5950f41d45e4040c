// Package search says what a search asks and answers: the request with its limits and
// validation, the hits, facets and suggestions, and how a query was read.
package search

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/explain"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
)

// Limits on a search request.
const (
	DefaultLimit = 10
	MaxLimit     = 100
	MaxQueryLen  = 500   // characters
	MaxWindow    = 10000 // page*limit: deeper pages are refused rather than slowly served
)

// Request is a search: typed text, filters by facet, and a page.
type Request struct {
	Query string
	// Filters maps a facet name (area, region, country, population_band, tag) to the
	// values selected: any of the values of one facet, and every facet, must match.
	Filters map[string][]string
	Page    int // from 1
	Limit   int // 1..MaxLimit
	// Explain asks, for each hit, the reasons it matched in words.
	Explain bool
	// IDs, when set, restricts the search to these practices (not an API parameter).
	IDs []string
	// Latest sorts by last update, newest first, instead of relevance (for feeds).
	Latest bool
	// Sort is the order of the hits: one of SortOrders; "" is relevance (or, without a
	// query, by title).
	Sort string
	// HitsOnly leaves out the facets and highlights: the ranked hits and the total are
	// all a shortlist needs (not an API parameter).
	HitsOnly bool
	// Lang is the reader's language (the interface's): where a query's own words do not
	// tell which language they are in, they are read in it.
	Lang string
}

// The orders a search's hits can come in.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest" // last updated first
	SortCity      = "city"   // by city name, then relevance
)

// SortOrders lists the orders, the default first.
var SortOrders = []string{SortRelevance, SortNewest, SortCity}

// Validate names every wrong parameter; it fills the defaults of a zero page and limit.
func (r *Request) Validate() error {
	var f apperr.FieldErrors
	if r.Lang != "" && !schema.IsLanguage(r.Lang) {
		f.Add("lang", "must be one of: "+strings.Join(schema.Languages, ", "), apperr.NotAChoice, r.Lang)
	}
	if n := utf8.RuneCountInString(r.Query); n > MaxQueryLen {
		f.Add("q", fmt.Sprintf("is too long (%d characters, at most %d)", n, MaxQueryLen), apperr.TooLong, MaxQueryLen)
	}
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Limit < 1 || r.Limit > MaxLimit {
		f.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit), apperr.OutOfRange, 1, MaxLimit)
	}
	if r.Page < 1 {
		f.Add("page", "must be 1 or more", apperr.OutOfRange, 1, MaxWindow/max(r.Limit, 1))
	} else if !f.Has("limit") && r.Page > MaxWindow/r.Limit {
		// Divided, not multiplied: page × limit overflows for a huge page, and the
		// negative offset it makes panics in the evaluator.
		f.Add("page", fmt.Sprintf("is too deep: page × limit may be at most %d; narrow the search with filters", MaxWindow), apperr.OutOfRange, 1, MaxWindow/r.Limit)
	}
	if r.Sort != "" && !slices.Contains(SortOrders, r.Sort) {
		f.Add("sort", "must be one of "+strings.Join(SortOrders, ", "), apperr.NotAChoice, r.Sort)
	}
	for name, values := range r.Filters {
		if _, ok := schema.FacetFields[name]; !ok {
			f.Add(name, "is not a filter; filters are: "+strings.Join(schema.FacetNames, ", "), apperr.Unknown, name)
		}
		for _, v := range values {
			if v == "" || len(v) > 100 {
				f.Add(name, "values must be between 1 and 100 characters", apperr.TooLong, 100)
			}
		}
	}
	return f.Err("the search request is not valid")
}

// Hit is one matching practice.
type Hit struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
	// Highlights maps a field (title, summary, body) to fragments where the matches are
	// wrapped in <mark>; the rest of each fragment is HTML-escaped, without Markdown, and
	// starts and ends at whole words, never inside a figure.
	Highlights map[string][]string `json:"highlights,omitempty"`
	// InLanguage holds the same fragments by language, then field, for showing a hit in
	// its reader's language.
	InLanguage map[string]map[string][]string `json:"-"`
	// Explain says why the hit matched (with Request.Explain).
	Explain []explain.Reason `json:"explain,omitempty"`
}

// FacetValue is one value of a facet with the number of practices that have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is one page of hits, the total, and the facets.
type Result struct {
	Total  uint64                  `json:"total"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetValue `json:"facets"`
	// DidYouMean is, when nothing matched, the query with each unknown word replaced by
	// the nearest indexed word, if that query finds something.
	DidYouMean string `json:"did_you_mean,omitempty"`
	// Reading says how the query was read, when it was more than its words: the asking
	// phrases set aside, and the second pass that widened it.
	Reading *Reading `json:"reading,omitempty"`
}
