package index_test

import (
	"slices"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/index"
)

// A concept's terms name terms of the practices' vocabularies, checked as the thesaurus
// is read.
func TestThesaurusTermsNameVocabularyTerms(t *testing.T) {
	for name, text := range map[string]string{
		"unknown vocabulary": "concepts:\n  - id: a\n    terms: [colour:red]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"unknown term":       "concepts:\n  - id: a\n    terms: [resource:teleporter]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"no vocabulary":      "concepts:\n  - id: a\n    terms: [elderly]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"not a list":         "concepts:\n  - id: a\n    terms: group:elderly\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
	} {
		if _, err := index.ParseThesaurus([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	th, err := index.ParseThesaurus([]byte("concepts:\n  - id: old\n    terms: [group:elderly, crisis:health]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := th.Concept("old"); !slices.Equal(c.Terms, []string{"group:elderly", "crisis:health"}) {
		t.Errorf("terms %v", c.Terms)
	}
	// Each vocabulary term a profile may name in free words has a concept standing for it,
	// but the general public, which nobody writes as a group to serve first.
	th = thesaurus(t)
	named := map[string]bool{}
	for _, c := range th.Concepts {
		for _, term := range c.Terms {
			named[term] = true
		}
	}
	for _, vocab := range []string{"resource", "group", "crisis"} {
		for _, id := range index.TermVocabularies[vocab].IDs() {
			if !named[vocab+":"+id] && id != "general-public" {
				t.Errorf("no concept stands for %s:%s", vocab, id)
			}
		}
	}
}

// Inside a flow mapping YAML reads group:elderly as a mapping of one key: the same term.
func TestThesaurusTermsInFlowStyle(t *testing.T) {
	th, err := index.ParseThesaurus([]byte("concepts:\n  - {id: old, terms: [group:elderly, crisis:health], en: [x], es: [x], fr: [x], pt: [x]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := th.Concept("old"); !slices.Equal(c.Terms, []string{"group:elderly", "crisis:health"}) {
		t.Errorf("terms %v", c.Terms)
	}
}
