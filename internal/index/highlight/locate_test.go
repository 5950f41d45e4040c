package highlight

import (
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
)

func TestEditDistanceCountsATranspositionAsOne(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"wfii", "wifi", 1}, {"wifi", "wifi", 0}, {"parkz", "bark", 2}, {"", "abc", 3}, {"café", "cafe", 1}} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("%q, %q: %d edits, want %d", c.a, c.b, got, c.want)
		}
	}
}

// Locate finds the terms and the near spellings a query looks for, where a field's
// analyzer puts them, and nothing in another field.
func TestLocateFindsTermsAndNearSpellings(t *testing.T) {
	a, err := registry.NewCache().AnalyzerNamed(standard.Name)
	if err != nil {
		t.Fatal(err)
	}
	var l Wanted
	l.AddTerm("body", "parks")
	fq := query.NewFuzzyQuery("wifi")
	fq.SetField("body")
	fq.Fuzziness, fq.Prefix = 1, 1
	l.AddFuzzy(fq)
	text := "Free wfii in the Parks, and ifwi nowhere"
	locs := l.Locate(NewWords(a), "body", text)
	if len(locs) != 2 || len(locs["parks"]) != 1 || len(locs["wfii"]) != 1 || locs["ifwi"] != nil {
		t.Fatalf("located %v", locs)
	}
	if p := locs["parks"][0]; text[p.Start:p.End] != "Parks" || p.Pos != 5 {
		t.Errorf("parks at %+v", p)
	}
	if l.Locate(NewWords(a), "title", text) != nil {
		t.Error("terms of body located in title")
	}
}
