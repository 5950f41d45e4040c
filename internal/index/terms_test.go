package index_test

import (
	"slices"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/index"
)

// head is what a thesaurus file gives before its concepts.
const head = "sources:\n  kb: test\ndefault_source: kb\n"

// A concept's terms name terms of the practices' vocabularies, checked as the thesaurus
// is read.
func TestThesaurusTermsNameVocabularyTerms(t *testing.T) {
	for name, text := range map[string]string{
		"unknown vocabulary": head + "concepts:\n  - id: a\n    terms: [colour:red]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"unknown term":       head + "concepts:\n  - id: a\n    terms: [resource:teleporter]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"no vocabulary":      head + "concepts:\n  - id: a\n    terms: [elderly]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"not a list":         head + "concepts:\n  - id: a\n    terms: group:elderly\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
	} {
		if _, err := index.ParseThesaurus([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	th, err := index.ParseThesaurus([]byte(head + "concepts:\n  - id: old\n    terms: [group:elderly, crisis:health]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := th.Concept("old"); !slices.Equal(c.Terms, []string{"group:elderly", "crisis:health"}) {
		t.Errorf("terms %v", c.Terms)
	}
	// Each vocabulary term a profile may name in free words has a concept standing for it.
	th = thesaurus(t)
	named := map[string]bool{}
	for _, c := range th.Concepts {
		for _, term := range c.Terms {
			named[term] = true
		}
	}
	for _, vocab := range []string{"resource", "group", "crisis"} {
		for _, id := range index.TermVocabularies[vocab].IDs() {
			if !named[vocab+":"+id] {
				t.Errorf("no concept stands for %s:%s", vocab, id)
			}
		}
	}
}

// Inside a flow mapping YAML reads group:elderly as a mapping of one key: the same term.
func TestThesaurusTermsInFlowStyle(t *testing.T) {
	th, err := index.ParseThesaurus([]byte(head + "concepts:\n  - {id: old, terms: [group:elderly, crisis:health], en: [x], es: [x], fr: [x], pt: [x]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := th.Concept("old"); !slices.Equal(c.Terms, []string{"group:elderly", "crisis:health"}) {
		t.Errorf("terms %v", c.Terms)
	}
}

// The concepts the index holds for each practice say which of some practices name one.
func TestNamingConcept(t *testing.T) {
	ix, _ := corpusIndex(t)
	got, err := ix.NamingConcept(t.Context(), "funding", []string{"cordoba-resilient-industry-4-0-challenge", "bilbao-geobilbao", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got["cordoba-resilient-industry-4-0-challenge"] {
		t.Errorf("practices naming funding: %v", got)
	}
	if got, err := ix.NamingConcept(t.Context(), "funding", nil); err != nil || len(got) != 0 {
		t.Errorf("no practices: %v %v", got, err)
	}
}
