// Package explain says in words why a hit matched: for each typed word, whether as typed,
// as another form, through a thesaurus concept or as a typo, which words and where.
package explain

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/index/highlight"
)

// Ways a typed word can match, from strongest to weakest.
const (
	ViaWord    = "word"    // the word as typed
	ViaStem    = "stem"    // another form of it ("beaches" for "beach")
	ViaConcept = "concept" // a word of the same thesaurus concept, in any language
	ViaTypo    = "typo"    // a near spelling of a misspelt word
)

var viaOrder = map[string]int{ViaWord: 0, ViaStem: 1, ViaConcept: 2, ViaTypo: 3}

// Reason says in words why a hit matched: for one typed word, how it matched, which
// words of the practice matched, and in which fields.
type Reason struct {
	Via     string `json:"via"`
	Typed   string `json:"typed"`
	Concept string `json:"concept,omitempty"`
	// ConceptNames names the concept in each language of the thesaurus.
	ConceptNames map[string]string `json:"concept_names,omitempty"`
	Matched      []string          `json:"matched"`
	// Fields are where it matched: title, summary, keywords (tags and place) or body.
	Fields []string `json:"fields"`
	Text   string   `json:"text"` // the reason in English
}

// maxMatchedShown bounds the words quoted in one reason.
const maxMatchedShown = 3

// fieldLabels name the indexed fields as a person reads them.
var fieldLabels = map[string]string{"title": "title", "summary": "summary", "keywords": "tags and place", "body": "text"}

// Analyzer reads words as the index's text fields do.
type Analyzer interface {
	// Analyze returns the terms a field of lang makes of text.
	Analyze(lang, text string) []string
	// Fold returns a word as the fields of words as written hold it.
	Fold(word string) string
}

// Thesaurus is what the reasons ask of the concepts.
type Thesaurus interface {
	// Find lists the concepts named in a text of lang, where they stand, in order.
	Find(lang, text string) []Span
	// Names names a concept in each language.
	Names(concept string) map[string]string
	// IsBelow reports whether concept lies under ancestor.
	IsBelow(concept, ancestor string) bool
}

// Span is where a text names a concept, in byte offsets.
type Span struct {
	Concept    string
	Start, End int
}

// Field is one text field of a hit in one language: its stored text, and where the
// query's terms stand in it.
type Field struct {
	Name  string // title, summary, keywords or body
	Lang  string
	Text  string
	Terms search.TermLocationMap
}

// Explainer classifies the matches of one query.
type Explainer struct {
	an       Analyzer
	th       Thesaurus
	words    []string
	concepts map[string][]string // typed word → concepts it names
	stems    map[string]string   // lang + "\x00" + word → stem
}

// New explains the hits of a query of words, given the concepts each word names.
func New(an Analyzer, th Thesaurus, words []string, concepts map[string][]string) *Explainer {
	return &Explainer{an: an, th: th, words: words, concepts: concepts, stems: map[string]string{}}
}

func (e *Explainer) stem(lang, w string) string {
	key := lang + "\x00" + w
	if s, ok := e.stems[key]; ok {
		return s
	}
	s := ""
	if toks := e.an.Analyze(lang, w); len(toks) == 1 {
		s = toks[0]
	}
	e.stems[key] = s
	return s
}

// typedFor returns the typed word that an indexed term (found as surface) is the word
// itself or a form of, and how; ok is false when it is neither.
func (e *Explainer) typedFor(lang, term, surface string) (via, typed string, ok bool) {
	folded := e.an.Fold(surface)
	for _, w := range e.words {
		if folded == e.an.Fold(w) {
			return ViaWord, w, true
		}
	}
	for _, w := range e.words {
		if e.stem(lang, w) == term {
			return ViaStem, w, true
		}
	}
	return "", "", false
}

// typoOf returns the typed word nearest to an indexed term.
func (e *Explainer) typoOf(lang, term string) string {
	best, bestDist := "", 3
	for _, w := range e.words {
		if d := highlight.EditDistance(e.stem(lang, w), term); d < bestDist {
			best, bestDist = w, d
		}
	}
	return best
}

type reasonKey struct{ via, typed, concept string }

// Explain lists the reasons of one hit, strongest first, from its fields in the order
// given.
func (e *Explainer) Explain(fields []Field) []Reason {
	var order []reasonKey
	reasons := map[reasonKey]*Reason{}
	add := func(k reasonKey, matched, field string) {
		r, ok := reasons[k]
		if !ok {
			r = &Reason{Via: k.via, Typed: k.typed, Concept: k.concept}
			if k.concept != "" {
				r.ConceptNames = e.th.Names(k.concept)
			}
			reasons[k] = r
			order = append(order, k)
		}
		if m := strings.ToLower(matched); !slices.Contains(r.Matched, m) {
			r.Matched = append(r.Matched, m)
		}
		if !slices.Contains(r.Fields, field) {
			r.Fields = append(r.Fields, field)
		}
	}
	for _, f := range fields {
		for _, term := range inReadingOrder(f.Terms) {
			locs := f.Terms[term]
			if len(locs) == 0 || locs[0].End > uint64(len(f.Text)) {
				continue
			}
			surface := f.Text[locs[0].Start:locs[0].End]
			if via, typed, ok := e.typedFor(f.Lang, term, surface); ok {
				add(reasonKey{via, typed, ""}, surface, f.Name)
			} else if typed := e.typoOf(f.Lang, term); typed != "" {
				add(reasonKey{ViaTypo, typed, ""}, surface, f.Name)
			}
		}
		for _, s := range e.th.Find(f.Lang, f.Text) {
			surface := f.Text[s.Start:s.End]
			typed := e.wordsNaming(s.Concept)
			if typed == "" || e.isTypedWord(f.Lang, surface) {
				continue // a typed word itself, explained above
			}
			add(reasonKey{ViaConcept, typed, s.Concept}, surface, f.Name)
		}
	}
	out := make([]Reason, 0, len(order))
	for _, k := range order {
		r := *reasons[k]
		r.Text = sentence(r)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return viaOrder[out[i].Via] < viaOrder[out[j].Via] })
	return out
}

// inReadingOrder lists the terms of a field's locations by their first occurrence, so
// that reasons come in the order a reader meets the words (and the same order each time).
func inReadingOrder(locs search.TermLocationMap) []string {
	terms := make([]string, 0, len(locs))
	for t, l := range locs {
		if len(l) > 0 {
			terms = append(terms, t)
		}
	}
	sort.Slice(terms, func(i, j int) bool {
		a, b := locs[terms[i]][0], locs[terms[j]][0]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return terms[i] < terms[j]
	})
	return terms
}

// isTypedWord reports whether surface is one of the typed words or a form of one.
func (e *Explainer) isTypedWord(lang, surface string) bool {
	toks := e.an.Analyze(lang, surface)
	if len(toks) != 1 {
		return false
	}
	_, _, ok := e.typedFor(lang, toks[0], surface)
	return ok
}

// wordsNaming returns the typed words that name a concept or one above it (the query
// matched it as a narrower concept), joined.
func (e *Explainer) wordsNaming(concept string) string {
	var ws []string
	for _, w := range e.words {
		if slices.ContainsFunc(e.concepts[w], func(c string) bool { return c == concept || e.th.IsBelow(concept, c) }) {
			ws = append(ws, w)
		}
	}
	return strings.Join(ws, " ")
}

func sentence(r Reason) string {
	shown := r.Matched
	more := ""
	if len(shown) > maxMatchedShown {
		shown, more = shown[:maxMatchedShown], fmt.Sprintf(" and %d more", len(r.Matched)-maxMatchedShown)
	}
	quoted := "'" + strings.Join(shown, "', '") + "'" + more
	labels := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		labels[i] = fieldLabels[f]
	}
	where := strings.Join(labels, ", ")
	switch r.Via {
	case ViaStem:
		return fmt.Sprintf("matched %s, a form of '%s'; %s", quoted, r.Typed, where)
	case ViaConcept:
		return fmt.Sprintf("matched %s via concept %s (from '%s'); %s", quoted, strings.ReplaceAll(r.Concept, "-", " "), r.Typed, where)
	case ViaTypo:
		return fmt.Sprintf("matched %s, read as a typo of '%s'; %s", quoted, r.Typed, where)
	default:
		return fmt.Sprintf("matched %s; %s", quoted, where)
	}
}

// In says the reason in lang, from the catalogues (explain.*), the concept by its name in
// lang.
func (r Reason) In(cat *i18n.Catalog, lang string) string {
	shown := r.Matched[:min(len(r.Matched), maxMatchedShown)]
	quoted := make([]string, len(shown))
	for i, m := range shown {
		quoted[i] = cat.T(lang, "explain.quote", m)
	}
	words := strings.Join(quoted, ", ")
	if more := len(r.Matched) - len(shown); more > 0 {
		words = cat.T(lang, "explain.more", words, more)
	}
	where := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		where[i] = cat.T(lang, "explain.field."+f)
	}
	concept := r.ConceptNames[lang]
	if concept == "" {
		concept = strings.ReplaceAll(r.Concept, "-", " ")
	}
	return cat.T(lang, "explain."+r.Via, words, cat.T(lang, "explain.quote", r.Typed), concept, strings.Join(where, ", "))
}
