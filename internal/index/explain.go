package index

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

// explainer classifies the matches of one query.
type explainer struct {
	ix       *Index
	qb       queryBuilder
	words    []string
	concepts map[string][]string // typed word → concepts it names
	stems    map[string]string   // lang + "\x00" + word → stem
}

func (ix *Index) newExplainer(words []string, concepts map[string][]string) *explainer {
	return &explainer{ix: ix, qb: queryBuilder{m: ix.analysis}, words: words, concepts: concepts, stems: map[string]string{}}
}

func (e *explainer) stem(lang, w string) string {
	key := lang + "\x00" + w
	if s, ok := e.stems[key]; ok {
		return s
	}
	s := ""
	if toks := e.qb.analyze(lang, w); len(toks) == 1 {
		s = toks[0]
	}
	e.stems[key] = s
	return s
}

// typedFor returns the typed word that an indexed term (found as surface) is the word
// itself or a form of, and how; ok is false when it is neither.
func (e *explainer) typedFor(lang, term, surface string) (via, typed string, ok bool) {
	folded := foldWord(e.qb, surface)
	for _, w := range e.words {
		if folded == foldWord(e.qb, w) {
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
func (e *explainer) typoOf(lang, term string) string {
	best, bestDist := "", 3
	for _, w := range e.words {
		if d := highlight.EditDistance(e.stem(lang, w), term); d < bestDist {
			best, bestDist = w, d
		}
	}
	return best
}

type reasonKey struct{ via, typed, concept string }

// explain lists the reasons of one hit, strongest first. It reads the hit's term
// locations and the stored text of its fields.
func (e *explainer) explain(h *search.DocumentMatch) []Reason {
	var order []reasonKey
	reasons := map[reasonKey]*Reason{}
	add := func(k reasonKey, matched, field string) {
		r, ok := reasons[k]
		if !ok {
			r = &Reason{Via: k.via, Typed: k.typed, Concept: k.concept, ConceptNames: e.ix.concepts.names[k.concept]}
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
	for _, f := range textFields {
		for _, lang := range Languages {
			field := f.Name + "_" + lang
			text, _ := h.Fields[field].(string)
			for _, term := range inReadingOrder(h.Locations[field]) {
				locs := h.Locations[field][term]
				if len(locs) == 0 || locs[0].End > uint64(len(text)) {
					continue
				}
				surface := text[locs[0].Start:locs[0].End]
				if via, typed, ok := e.typedFor(lang, term, surface); ok {
					add(reasonKey{via, typed, ""}, surface, f.Name)
				} else if typed := e.typoOf(lang, term); typed != "" {
					add(reasonKey{ViaTypo, typed, ""}, surface, f.Name)
				}
			}
			for _, ch := range e.ix.concepts.match(e.ix.analysis, lang, text) {
				surface := text[ch.Start:ch.End]
				typed := e.wordsNaming(ch.Concept)
				if typed == "" || e.isTypedWord(lang, surface) {
					continue // a typed word itself, explained above
				}
				add(reasonKey{ViaConcept, typed, ch.Concept}, surface, f.Name)
			}
		}
	}
	out := make([]Reason, 0, len(order))
	for _, k := range order {
		r := *reasons[k]
		r.Text = e.sentence(r)
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
func (e *explainer) isTypedWord(lang, surface string) bool {
	toks := e.qb.analyze(lang, surface)
	if len(toks) != 1 {
		return false
	}
	_, _, ok := e.typedFor(lang, toks[0], surface)
	return ok
}

// wordsNaming returns the typed words that name a concept or one above it (the query
// matched it as a narrower concept), joined.
func (e *explainer) wordsNaming(concept string) string {
	var ws []string
	for _, w := range e.words {
		if slices.ContainsFunc(e.concepts[w], func(c string) bool { return c == concept || e.ix.concepts.isBelow(concept, c) }) {
			ws = append(ws, w)
		}
	}
	return strings.Join(ws, " ")
}

func (e *explainer) sentence(r Reason) string {
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
