package search_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/search"
)

func TestRequestValidation(t *testing.T) {
	tests := []struct {
		req    search.Request
		fields []string
	}{
		{search.Request{}, nil},
		{search.Request{Limit: 101}, []string{"limit"}},
		{search.Request{Limit: -1, Page: -2}, []string{"limit", "page"}},
		{search.Request{Page: 1000, Limit: 10}, nil},
		{search.Request{Page: 1001, Limit: 10}, []string{"page"}},
		{search.Request{Query: strings.Repeat("é", 501)}, []string{"q"}},
		{search.Request{Filters: map[string][]string{"colour": {"red"}, "area": {""}}}, []string{"area", "colour"}},
	}
	for _, tc := range tests {
		err := tc.req.Validate()
		var got []string
		if err != nil {
			for f := range apperr.As(err).Fields {
				got = append(got, f)
			}
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(tc.fields) {
			t.Errorf("%+v: fields %v, want %v", tc.req, got, tc.fields)
		}
	}
}

// page × limit would overflow for a huge page: the window check must not.
func TestHugePagesAreRefusedWithoutOverflow(t *testing.T) {
	for _, r := range []search.Request{{Page: math.MaxInt, Limit: 10}, {Page: math.MaxInt / 10 * 2, Limit: 100}, {Page: math.MaxInt, Limit: 1}} {
		err := r.Validate()
		if apperr.Code(err) != apperr.Invalid || apperr.As(err).Fields["page"] == "" {
			t.Fatalf("page %d limit %d: %v", r.Page, r.Limit, err)
		}
	}
	if r := (search.Request{Page: search.MaxWindow / 10, Limit: 10}); r.Validate() != nil {
		t.Fatal("the last page of the window is refused")
	}
}

// A sort order, a language and the suggestion parameters outside their choices are
// named.
func TestChoicesAndSuggestionsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		err   error
		field string
	}{
		{(&search.Request{Sort: "oldest"}).Validate(), "sort"},
		{(&search.Request{Lang: "de"}).Validate(), "lang"},
		{search.ValidateSuggest("tele", 0), "limit"},
		{search.ValidateSuggest("tele", search.MaxSuggestLimit+1), "limit"},
		{search.ValidateSuggest(strings.Repeat("é", search.MaxSuggestQuery+1), search.DefaultSuggestLimit), "q"},
	} {
		if apperr.Code(tc.err) != apperr.Invalid || apperr.As(tc.err).Fields[tc.field] == "" {
			t.Errorf("%s: %v", tc.field, tc.err)
		}
	}
	for _, s := range search.SortOrders {
		if err := (&search.Request{Sort: s, Lang: "es"}).Validate(); err != nil {
			t.Errorf("sort %s: %v", s, err)
		}
	}
	if err := search.ValidateSuggest(strings.Repeat("é", search.MaxSuggestQuery), search.MaxSuggestLimit); err != nil {
		t.Errorf("the longest suggestion request is refused: %v", err)
	}
}

// A reading is said in the reader's language; a concept without a name there is said by
// its id in words, and no reading says nothing.
func TestAReadingIsSaidInTheReadersLanguage(t *testing.T) {
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	r := &search.Reading{Asked: []string{"how can we"}, Widened: &search.Widening{
		Concepts:     []string{"open-data", "smart-lighting"},
		ConceptNames: map[string]map[string]string{"open-data": {"en": "open data"}},
		Words:        []string{"portal"},
	}}
	got := r.In(cat, "en")
	want := []string{
		"Read as a question: ‘how can we’ set aside, the rest searched.",
		"Few practices matched well, so the search was widened with what its best matches are about: ‘open data’, ‘smart lighting’, ‘portal’.",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("said %q, want %q", got, want)
	}
	if es := r.In(cat, "es"); len(es) != 2 || es[0] == want[0] {
		t.Errorf("said in Spanish %q", es)
	}
	if said := (*search.Reading)(nil).In(cat, "en"); said != nil {
		t.Errorf("no reading said %q", said)
	}
}
