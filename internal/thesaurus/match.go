package thesaurus

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Analysis is how the index reads text. The matcher reads labels the same way, so that a
// label matches any inflection the index's stemmer folds together.
type Analysis interface {
	// Analyzer is the analyzer of a language's text.
	Analyzer(lang string) analysis.Analyzer
	// Words splits typed text into words, folded as suggestions compare them.
	Words(text string) []string
}

// Matcher finds the labels of concepts in text, and answers what a search asks of the
// hierarchy; all of it worked out once, when the index opens.
type Matcher struct {
	analysis Analysis
	// byFirst maps a language and the first stem of a label to the labels starting with it.
	byFirst map[string]map[string][]labelStems
	// suggestable is every concept's labels with their words folded, in the order of the
	// thesaurus and of the languages: suggestions look for typed prefixes in them, and
	// folding every label again on each keystroke was half of a suggestion (pprof).
	suggestable []suggestableConcept
	// above maps a concept to the concepts above it as "distance:id"; below to how many
	// steps of narrower concepts lie under it (at most maxConceptDistance), the distances
	// worth a query clause.
	above map[string][]string
	below map[string]int
	// names is each concept's name in each language, for the reasons a hit matched.
	names map[string]map[string]string
	// stems holds, per language, the stems of the words its labels are made of: words
	// of that language, whatever the practices say.
	stems map[string]map[string]bool
}

type suggestableConcept struct {
	id     string
	labels []foldedLabel
}

type foldedLabel struct {
	label string
	words []string
}

type labelStems struct {
	concept string
	label   string
	stems   []string
}

// Hit is one occurrence of a concept label in a text.
type Hit struct {
	Concept    string
	Label      string
	Start, End int // byte offsets in the text
}

// NewMatcher reads the labels of t's concepts with a; a nil t finds nothing.
func NewMatcher(t *Thesaurus, a Analysis) *Matcher {
	m := &Matcher{analysis: a, byFirst: map[string]map[string][]labelStems{}, above: map[string][]string{}, below: map[string]int{}, names: map[string]map[string]string{}, stems: map[string]map[string]bool{}}
	if t == nil {
		return m
	}
	for _, c := range t.Concepts {
		anc := t.ancestors(c.ID)
		for _, id := range slices.Sorted(maps.Keys(anc)) {
			m.above[c.ID] = append(m.above[c.ID], strconv.Itoa(anc[id])+":"+id)
			m.below[id] = max(m.below[id], anc[id])
		}
	}
	for _, c := range t.Concepts {
		m.names[c.ID] = map[string]string{}
		for _, lang := range languages {
			m.names[c.ID][lang] = c.Name(lang)
		}
		sc := suggestableConcept{id: c.ID}
		for _, lang := range languages {
			for _, label := range c.Labels[lang] {
				sc.labels = append(sc.labels, foldedLabel{label: label, words: a.Words(label)})
			}
		}
		m.suggestable = append(m.suggestable, sc)
	}
	for _, lang := range languages {
		idx := map[string][]labelStems{}
		m.stems[lang] = map[string]bool{}
		for _, c := range t.Concepts {
			for _, label := range c.Labels[lang] {
				var stems []string
				for _, tok := range m.analyze(lang, label) {
					stems = append(stems, string(tok.Term))
					m.stems[lang][string(tok.Term)] = true
				}
				if len(stems) == 0 {
					continue
				}
				idx[stems[0]] = append(idx[stems[0]], labelStems{concept: c.ID, label: label, stems: stems})
			}
		}
		// Longer labels first, so "digital divide" wins over a one-word label at the same place.
		for k := range idx {
			sort.SliceStable(idx[k], func(i, j int) bool { return len(idx[k][i].stems) > len(idx[k][j].stems) })
		}
		m.byFirst[lang] = idx
	}
	return m
}

// Above lists the concepts above c, at most maxConceptDistance steps up, as "distance:id"
// ("1:vulnerable-groups" for elderly), sorted by id.
func (m *Matcher) Above(c string) []string { return m.above[c] }

// Below is how many steps of narrower concepts lie under c, at most maxConceptDistance.
func (m *Matcher) Below(c string) int { return m.below[c] }

// IsBelow reports whether c lies under ancestor, at most maxConceptDistance steps down.
func (m *Matcher) IsBelow(c, ancestor string) bool {
	return slices.ContainsFunc(m.above[c], func(a string) bool {
		_, id, _ := strings.Cut(a, ":")
		return id == ancestor
	})
}

// Names maps each language to c's name in it (nil for an unknown concept). The map is
// shared: callers do not change it.
func (m *Matcher) Names(c string) map[string]string { return m.names[c] }

// Knows reports whether stem, of a word in lang, is a stem of some label in lang.
func (m *Matcher) Knows(lang, stem string) bool { return m.stems[lang][stem] }

// Completion is a concept label that completes what is being typed.
type Completion struct {
	Concept string
	Label   string
}

// Complete finds, for at most max concepts, a label in any language with a word starting
// with each fragment (fragments folded as Analysis.Words folds).
func (m *Matcher) Complete(frags []string, max int) []Completion {
	var out []Completion
	for _, c := range m.suggestable {
		if len(out) >= max {
			break
		}
		for _, l := range c.labels {
			if everyPrefixIn(frags, l.words) {
				out = append(out, Completion{Concept: c.id, Label: l.label})
				break
			}
		}
	}
	return out
}

// everyPrefixIn reports whether each fragment starts one of the words.
func everyPrefixIn(frags, words []string) bool {
	for _, f := range frags {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, f) }) {
			return false
		}
	}
	return true
}

// analyze reads text for concept matching: words split on anything that is not a letter
// or digit (much cheaper than Bleve's Unicode word segmenter, and the same on the plain
// words labels are made of), then the language analyzer's own filters, so that the stems
// are exactly those the index and queries use.
func (m *Matcher) analyze(lang, text string) analysis.TokenStream {
	a := m.analysis.Analyzer(lang)
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok {
		return a.Analyze([]byte(text))
	}
	var toks analysis.TokenStream
	start, pos := -1, 0
	for i, r := range text + " " {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			pos++
			toks = append(toks, &analysis.Token{Term: []byte(text[start:i]), Start: start, End: i, Position: pos, Type: analysis.AlphaNumeric})
			start = -1
		}
	}
	for _, f := range da.TokenFilters {
		toks = f.Filter(toks)
	}
	return toks
}

// Match returns the concept labels found in text read as lang, in order.
func (m *Matcher) Match(lang, text string) []Hit {
	idx := m.byFirst[lang]
	if len(idx) == 0 || text == "" {
		return nil
	}
	toks := m.analyze(lang, text)
	var hits []Hit
	for i := 0; i < len(toks); i++ {
		// Labels are sorted longest first: take every concept of the longest label that
		// matches here (a word may name two concepts).
		matched := 0
		for _, ls := range idx[string(toks[i].Term)] {
			if matched > 0 && len(ls.stems) < matched {
				break
			}
			if !stemsAt(toks, i, ls.stems) {
				continue
			}
			matched = len(ls.stems)
			last := toks[i+matched-1]
			hits = append(hits, Hit{Concept: ls.concept, Label: ls.label, Start: toks[i].Start, End: last.End})
		}
	}
	return hits
}

func stemsAt(toks analysis.TokenStream, i int, stems []string) bool {
	if i+len(stems) > len(toks) {
		return false
	}
	for j, st := range stems {
		if string(toks[i+j].Term) != st {
			return false
		}
	}
	return true
}
