package thesaurus_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"

	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// plural drops a final s: a stemmer small enough to see what the matcher does with one.
type plural struct{}

func (plural) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = []byte(strings.TrimSuffix(string(t.Term), "s"))
	}
	return in
}

// testAnalysis reads every language alike: lowercased, plurals dropped; typed words are
// split on spaces and lowercased.
type testAnalysis struct{}

func (testAnalysis) Analyzer(string) analysis.Analyzer {
	return &analysis.DefaultAnalyzer{TokenFilters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter(), plural{}}}
}

func (testAnalysis) Words(text string) []string { return strings.Fields(strings.ToLower(text)) }

func testMatcher(t *testing.T) *thesaurus.Matcher {
	t.Helper()
	th, err := thesaurus.Parse([]byte(head + `concepts:
  - {id: people, en: [people], es: [gente], fr: [gens], pt: [pessoas]}
  - {id: groups, broader: [people], en: [groups], es: [grupos], fr: [groupes], pt: [grupos]}
  - {id: elderly, broader: [groups], en: [elderly], es: [mayores], fr: [aînés], pt: [idosos]}
  - {id: widows, broader: [elderly], en: [widows], es: [viudas], fr: [veuves], pt: [viúvas]}
  - {id: digital, en: [digital], es: [digital], fr: [numérique], pt: [digital]}
  - {id: digital-divide, en: [digital divide, gap], es: [brecha digital], fr: [fracture numérique], pt: [exclusão digital]}
  - {id: sensors, en: [sensor], es: [sensor], fr: [capteur], pt: [sensor]}
  - {id: detectors, en: [sensor, detector], es: [detector], fr: [détecteur], pt: [detector]}
`))
	if err != nil {
		t.Fatal(err)
	}
	return thesaurus.NewMatcher(th, testAnalysis{})
}

func TestMatcherFindsTheLongestLabelAndEveryConceptOfIt(t *testing.T) {
	m := testMatcher(t)
	text := "The Digital Divides of sensors, digital."
	var got []string
	for _, h := range m.Match("en", text) {
		got = append(got, h.Concept+"="+text[h.Start:h.End])
	}
	// "digital divide" wins over "digital" where both start; "sensor" names two concepts,
	// and its plural is found through the analyzer's filters.
	want := []string{"digital-divide=Digital Divides", "sensors=sensors", "detectors=sensors", "digital=digital"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hits %v, want %v", got, want)
	}
	if hits := m.Match("es", "the digital divides"); len(hits) != 1 || hits[0].Concept != "digital" {
		t.Errorf("read as Spanish, only the Spanish labels match: %v", hits)
	}
	if hits := m.Match("de", "digital"); hits != nil {
		t.Errorf("a language without labels: %v", hits)
	}
}

func TestMatcherKnowsTheHierarchyTwoStepsDeep(t *testing.T) {
	m := testMatcher(t)
	if got := m.Above("widows"); !reflect.DeepEqual(got, []string{"1:elderly", "2:groups"}) {
		t.Errorf("above widows: %v", got)
	}
	for c, want := range map[string]int{"people": 2, "groups": 2, "elderly": 1, "widows": 0} {
		if got := m.Below(c); got != want {
			t.Errorf("%d steps below %s, want %d", got, c, want)
		}
	}
	if !m.IsBelow("widows", "groups") || m.IsBelow("widows", "people") || m.IsBelow("groups", "widows") {
		t.Error("IsBelow does not follow broader two steps up and no further")
	}
	if names := m.Names("elderly"); names["fr"] != "aînés" || names["en"] != "elderly" || m.Names("nope") != nil {
		t.Errorf("names %v", names)
	}
	if !m.Knows("fr", "capteur") || m.Knows("en", "capteur") || !m.Knows("en", "detector") {
		t.Error("Knows does not hold each language's label stems")
	}
}

func TestMatcherCompletesFragmentsInAnyLanguage(t *testing.T) {
	m := testMatcher(t)
	if got := m.Complete([]string{"fra", "num"}, 2); !reflect.DeepEqual(got, []thesaurus.Completion{{Concept: "digital-divide", Label: "fracture numérique"}}) {
		t.Errorf("fra num: %v", got)
	}
	// One label per concept, in the thesaurus's order, at most max.
	if got := m.Complete([]string{"dig"}, 5); len(got) != 2 || got[0] != (thesaurus.Completion{Concept: "digital", Label: "digital"}) || got[1].Label != "digital divide" {
		t.Errorf("dig: %v", got)
	}
	if got := m.Complete([]string{"dig"}, 1); len(got) != 1 {
		t.Errorf("at most 1: %v", got)
	}
}

func TestMatcherWithoutThesaurusFindsNothing(t *testing.T) {
	m := thesaurus.NewMatcher(nil, testAnalysis{})
	if m.Match("en", "digital divide") != nil || m.Complete([]string{"d"}, 3) != nil || m.Knows("en", "digital") {
		t.Error("a matcher without thesaurus found something")
	}
}
