package recommend

import (
	"slices"
	"strings"
	"unicode"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// Concepts is what reading a profile's words needs from the index: the thesaurus
// concepts a text names, and each concept's terms.
type Concepts interface {
	ConceptsOf(lang, text string) []string
	Concept(id string) (*thesaurus.Concept, bool)
}

// Reading says how one phrase a profile wrote in a field was read: as a term of the
// field's vocabulary, or, not recognised, kept as part of the need (a group, a crisis) or
// reported as unread (a resource: what the city has is not something it lacks). A phrase
// written as a term's id is taken as it is and needs no reading.
type Reading struct {
	Field   string    `json:"field"`
	Written string    `json:"written"`
	Term    string    `json:"term,omitempty"`
	Need    bool      `json:"need,omitempty"`
	Unread  bool      `json:"unread,omitempty"`
	Says    i18n.Text `json:"says"`
	Text    string    `json:"text"` // Says in one language, once said (Result.SayIn)
}

// wordField is a profile field that takes free words, with the vocabulary it is read in
// and the prefix of that vocabulary in the thesaurus's terms and the catalogues. Words of
// a field that says what the city has (had) are never kept as need: kept, "internet at
// the town hall" would be searched as something the city lacks.
type wordField struct {
	name  string
	vocab string
	terms practices.Vocabulary
	list  func(*Profile) *[]string
	had   bool
}

var wordFields = []wordField{
	{"weak_areas", "area", practices.Areas, func(p *Profile) *[]string { return &p.WeakAreas }, false},
	{"priority_groups", "group", practices.TargetGroups, func(p *Profile) *[]string { return &p.PriorityGroups }, false},
	{"crises", "crisis", practices.Crises, func(p *Profile) *[]string { return &p.Crises }, false},
	{"resources", "resource", practices.Resources, func(p *Profile) *[]string { return &p.Resources }, true},
}

// reader reads the words of a profile into the vocabularies: a term's id, a term's label
// in any interface language, the words of a thesaurus concept that stands for a term, or
// words that only one term's label holds ("transports" in "Mobilité et transports").
type reader struct {
	concepts Concepts
	labels   map[string]map[string]string // vocabulary → folded label → term id
	words    map[string][]labelWords      // vocabulary → the content words of each label
}

type labelWords struct {
	term  string
	words map[string]bool
}

func newReader(c Concepts) *reader {
	r := &reader{concepts: c, labels: map[string]map[string]string{}, words: map[string][]labelWords{}}
	cat, _ := i18n.Embedded() // without catalogues, ids and concepts still read
	for _, f := range wordFields {
		m := map[string]string{}
		for _, t := range f.terms {
			labels := []string{t.Label}
			for _, lang := range i18n.Codes() {
				if cat != nil && cat.Has(lang, f.vocab+"."+t.ID) {
					labels = append(labels, cat.T(lang, f.vocab+"."+t.ID))
				}
			}
			for _, l := range labels {
				m[practices.Fold(l)] = t.ID
				lw := labelWords{term: t.ID, words: map[string]bool{}}
				for _, w := range contentWordList(practices.Fold(l)) {
					lw.words[w] = true
				}
				r.words[f.vocab] = append(r.words[f.vocab], lw)
			}
		}
		r.labels[f.vocab] = m
	}
	return r
}

// read replaces the words of each field of p by the terms they name and returns how each
// phrase was read and the phrases kept as part of the need, by field (a resource's never).
func (r *reader) read(p *Profile) (readings []Reading, kept []Part) {
	for _, f := range wordFields {
		list := f.list(p)
		var terms []string
		for _, phrase := range phrases(*list) {
			var found []string
			exact := false
			if !f.had || !lacking(phrase) {
				found, exact = r.terms(f, phrase)
			}
			for _, t := range found {
				if !slices.Contains(terms, t) {
					terms = append(terms, t)
				}
				if !exact {
					readings = append(readings, Reading{Field: f.name, Written: phrase, Term: t,
						Says: i18n.Say("read.term", i18n.Value(phrase), i18n.Term(f.vocab, t))})
				}
			}
			switch {
			case len(found) > 0:
			case f.had:
				readings = append(readings, Reading{Field: f.name, Written: phrase, Unread: true,
					Says: i18n.Say("read.unread", i18n.Value(phrase), i18n.Term("read.field", f.name))})
			default:
				readings = append(readings, Reading{Field: f.name, Written: phrase, Need: true,
					Says: i18n.Say("read.need", i18n.Value(phrase), i18n.Term("read.field", f.name))})
				kept = append(kept, Part{Text: phrase, From: f.name})
			}
		}
		*list = terms
	}
	// A severity may be keyed by the words of its weak area too.
	for key, sev := range p.Severity {
		if found, _ := r.terms(wordFields[0], key); !practices.Areas.Has(key) && len(found) == 1 {
			delete(p.Severity, key)
			p.Severity[found[0]] = sev
		}
	}
	return readings, kept
}

// lacking reports whether a phrase says something is missing ("sin internet", "no
// fibre"): written among the resources, it is not one the city has, though it names one.
func lacking(phrase string) bool {
	for _, w := range strings.FieldsFunc(practices.Fold(phrase), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if lackWords[w] {
			return true
		}
	}
	return false
}

// lackWords say, in the four languages, that something is missing (folded).
var lackWords = map[string]bool{
	"without": true, "no": true, "not": true, "lack": true, "lacking": true, "missing": true,
	"sin": true, "falta": true, "faltan": true, "carece": true,
	"sans": true, "pas": true, "manque": true, "aucun": true, "aucune": true,
	"sem": true, "nao": true, "nenhum": true, "nenhuma": true,
}

// terms returns the terms of f's vocabulary a phrase names, and whether it was written
// as a term's id.
func (r *reader) terms(f wordField, phrase string) ([]string, bool) {
	folded := practices.Fold(phrase)
	if id := strings.NewReplacer(" ", "-", "_", "-").Replace(folded); f.terms.Has(id) {
		return []string{id}, true
	}
	if id, ok := r.labels[f.vocab][folded]; ok {
		return []string{id}, false
	}
	if out := r.conceptTerms(f, phrase); len(out) > 0 {
		return out, false
	}
	return r.labelHolding(f, folded), false
}

// conceptTerms returns the terms of f's vocabulary that the concepts a phrase names stand
// for: their own, or when none has any, those of the nearest concepts above them (at most
// termSteps up: "niños" is the children's, whose families are a group). Areas are only
// read from the concepts' own terms: above them everything is somebody's area.
func (r *reader) conceptTerms(f wordField, phrase string) []string {
	if r.concepts == nil {
		return nil
	}
	// The phrase's language is not known, and a short phrase would not tell it: it is
	// read in each, and a concept named in any counts.
	var level []string
	for _, lang := range schema.Languages {
		for _, id := range r.concepts.ConceptsOf(lang, phrase) {
			if !slices.Contains(level, id) {
				level = append(level, id)
			}
		}
	}
	steps := termSteps
	if f.vocab == "area" {
		steps = 0
	}
	for step := 0; step <= steps && len(level) > 0; step++ {
		var found, next []string
		for _, id := range level {
			c, ok := r.concepts.Concept(id)
			if !ok {
				continue
			}
			for _, t := range c.Terms {
				if v, term, _ := strings.Cut(t, ":"); v == f.vocab && !slices.Contains(found, term) {
					found = append(found, term)
				}
			}
			next = append(next, c.Broader...)
		}
		if len(found) > 0 {
			return found
		}
		level = next
	}
	return nil
}

// termSteps is how far up the broader concepts a phrase whose concepts have no terms of
// their own is read.
const termSteps = 2

// labelHolding returns the one term of f's vocabulary with a label that holds every
// content word of the phrase, or none when no label or several terms' do.
func (r *reader) labelHolding(f wordField, folded string) []string {
	words := contentWordList(folded)
	if len(words) == 0 {
		return nil
	}
	var found []string
	for _, lw := range r.words[f.vocab] {
		holds := true
		for _, w := range words {
			holds = holds && lw.words[w]
		}
		if holds && !slices.Contains(found, lw.term) {
			found = append(found, lw.term)
		}
	}
	if len(found) != 1 {
		return nil
	}
	return found
}

// phrases splits what was written in a field into phrases: list items, and within an
// item, the parts a comma, semicolon, slash or line separates.
func phrases(items []string) []string {
	var out []string
	for _, item := range items {
		for _, p := range strings.FieldsFunc(item, func(r rune) bool { return strings.ContainsRune(",;/\n·", r) }) {
			if p = strings.Join(strings.Fields(p), " "); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}
