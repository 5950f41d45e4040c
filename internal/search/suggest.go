package search

import (
	"fmt"
	"unicode/utf8"

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
