package recommend

import (
	"slices"
	"testing"
)

func TestNeedSplitsIntoParts(t *testing.T) {
	for need, want := range map[string][]string{
		"elderly residents in hilly outskirts struggle to reach doctors and pharmacies; independent restaurants lost customers": {
			"elderly residents in hilly outskirts struggle to reach doctors and pharmacies", "independent restaurants lost customers"},
		"students without internet at home": {"students without internet at home"},
		// "and" between two clauses splits; between two nouns it does not.
		"students have no internet at home and small shops lost their customers": {"students have no internet at home", "small shops lost their customers"},
		"food and medicine for families who lost their income":                   {"food and medicine for families who lost their income"},
		// Spanish, French and Portuguese "and".
		"los alumnos no tienen internet en casa y los padres no saben acompañar las clases": {"los alumnos no tienen internet en casa", "los padres no saben acompañar las clases"},
		"les élèves n'ont pas internet à la maison et les parents ne savent pas aider":      {"les élèves n'ont pas internet à la maison", "les parents ne savent pas aider"},
		"as cheias isolam os bairros e os doentes não chegam ao centro de saúde":            {"as cheias isolam os bairros", "os doentes não chegam ao centro de saúde"},
		// Sentences; a part too short to stand alone joins the one before it; a figure's
		// point does not split.
		"Crowds on the beaches. And buses. We have 0.5 million visitors a year.": {"Crowds on the beaches; And buses", "We have 0.5 million visitors a year"},
		"": nil,
	} {
		var got []string
		for _, p := range splitNeed(need) {
			if p.From != fromNeed {
				t.Errorf("%q: part from %q", need, p.From)
			}
			got = append(got, p.Text)
		}
		if !slices.Equal(got, want) {
			t.Errorf("splitNeed(%q)\n got %q\nwant %q", need, got, want)
		}
	}
	long := "a b c one. two words. three more words. four more words here. five more words here. six more words here. seven more words here"
	if n := len(splitNeed(long)); n != maxParts {
		t.Errorf("%d parts, want at most %d", n, maxParts)
	}
}
