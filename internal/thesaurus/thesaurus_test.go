package thesaurus_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

func corpusThesaurus(t testing.TB) *thesaurus.Thesaurus {
	t.Helper()
	th, err := thesaurus.Parse(mustRead(t, corpus.ThesaurusFile))
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestThesaurusIsComplete(t *testing.T) {
	th := corpusThesaurus(t)
	if len(th.Concepts) < 300 { // the study's whole vocabulary: several hundred concepts
		t.Errorf("%d concepts", len(th.Concepts))
	}
	for _, id := range []string{"crowds", "telemedicine", "digital-divide", "participatory-budget", "digital-identity", "teleworking"} {
		if _, ok := th.Concept(id); !ok {
			t.Errorf("the thesaurus lacks %s", id)
		}
	}
}

// head is what a thesaurus file gives before its concepts.
const head = "sources:\n  kb: test\ndefault_source: kb\n"

func TestThesaurusRejectsIncompleteEntries(t *testing.T) {
	for name, text := range map[string]string{
		"missing language": "concepts:\n  - id: a\n    en: [x]\n    es: [x]\n    fr: [x]\n",
		"duplicate id":     "concepts:\n  - {id: a, en: [x], es: [x], fr: [x], pt: [x]}\n  - {id: a, en: [y], es: [y], fr: [y], pt: [y]}\n",
		"bad id":           "concepts:\n  - {id: A B, en: [x], es: [x], fr: [x], pt: [x]}\n",
		"unknown language": "concepts:\n  - {id: a, en: [x], es: [x], fr: [x], pt: [x], de: [x]}\n",
		"empty label":      "concepts:\n  - {id: a, en: [''], es: [x], fr: [x], pt: [x]}\n",
	} {
		if _, err := thesaurus.Parse([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := thesaurus.Parse(mustRead(t, corpus.ThesaurusFile)); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t testing.TB, name string) []byte {
	data, err := corpus.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestThesaurusRelations(t *testing.T) {
	const head = "sources: {s: the test}\ndefault_source: s\nconcepts:\n"
	for name, text := range map[string]string{
		"unknown broader": head + "  - {id: a, broader: [b], en: [x], es: [x], fr: [x], pt: [x]}\n",
		"unknown source":  head + "  - {id: a, source: t, en: [x], es: [x], fr: [x], pt: [x]}\n",
		"self":            head + "  - {id: a, broader: [a], en: [x], es: [x], fr: [x], pt: [x]}\n",
		"cycle": head + "  - {id: a, broader: [b], en: [x], es: [x], fr: [x], pt: [x]}\n" +
			"  - {id: b, broader: [c], en: [y], es: [y], fr: [y], pt: [y]}\n  - {id: c, narrower: [b], broader: [a], en: [z], es: [z], fr: [z], pt: [z]}\n",
		"broader not a list": head + "  - {id: a, broader: b, en: [x], es: [x], fr: [x], pt: [x]}\n",
	} {
		if _, err := thesaurus.Parse([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	th, err := thesaurus.Parse([]byte(head + "  - {id: a, narrower: [b], en: [x], es: [x], fr: [x], pt: [x]}\n  - {id: b, en: [y], es: [y], fr: [y], pt: [y]}\n  - {id: c, broader: [a], en: [z], es: [z], fr: [z], pt: [z]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := th.Concept("a")
	b, _ := th.Concept("b")
	if !reflect.DeepEqual(a.Narrower, []string{"b", "c"}) || !reflect.DeepEqual(b.Broader, []string{"a"}) {
		t.Errorf("a narrower %v, b broader %v", a.Narrower, b.Broader)
	}
}

// A concept's terms name terms of the practices' vocabularies, checked as the thesaurus
// is read.
func TestThesaurusTermsNameVocabularyTerms(t *testing.T) {
	for name, text := range map[string]string{
		"unknown vocabulary": head + "concepts:\n  - id: a\n    terms: [colour:red]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"unknown term":       head + "concepts:\n  - id: a\n    terms: [resource:teleporter]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"no vocabulary":      head + "concepts:\n  - id: a\n    terms: [elderly]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
		"not a list":         head + "concepts:\n  - id: a\n    terms: group:elderly\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n",
	} {
		if _, err := thesaurus.Parse([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	th, err := thesaurus.Parse([]byte(head + "concepts:\n  - id: old\n    terms: [group:elderly, crisis:health]\n    en: [x]\n    es: [x]\n    fr: [x]\n    pt: [x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := th.Concept("old"); !slices.Equal(c.Terms, []string{"group:elderly", "crisis:health"}) {
		t.Errorf("terms %v", c.Terms)
	}
	// Each vocabulary term a profile may name in free words has a concept standing for it.
	th = corpusThesaurus(t)
	named := map[string]bool{}
	for _, c := range th.Concepts {
		for _, term := range c.Terms {
			named[term] = true
		}
	}
	for _, vocab := range []string{"resource", "group", "crisis"} {
		for _, id := range thesaurus.TermVocabularies[vocab].IDs() {
			if !named[vocab+":"+id] {
				t.Errorf("no concept stands for %s:%s", vocab, id)
			}
		}
	}
}

// Inside a flow mapping YAML reads group:elderly as a mapping of one key: the same term.
func TestThesaurusTermsInFlowStyle(t *testing.T) {
	th, err := thesaurus.Parse([]byte(head + "concepts:\n  - {id: old, terms: [group:elderly, crisis:health], en: [x], es: [x], fr: [x], pt: [x]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := th.Concept("old"); !slices.Equal(c.Terms, []string{"group:elderly", "crisis:health"}) {
		t.Errorf("terms %v", c.Terms)
	}
}
