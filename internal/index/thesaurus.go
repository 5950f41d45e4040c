package index

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/goccy/go-yaml"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Concept is one idea of the domain with the words for it in each language.
type Concept struct {
	ID string `json:"id"`
	// Labels maps a language to its labels; the first label is the concept's name there.
	Labels map[string][]string `json:"labels"`
}

// Name returns the concept's first label in lang, or in English.
func (c *Concept) Name(lang string) string {
	if l := c.Labels[lang]; len(l) > 0 {
		return l[0]
	}
	return c.Labels["en"][0]
}

// Thesaurus is the set of concepts the search expands queries with.
type Thesaurus struct {
	Concepts []*Concept
	byID     map[string]*Concept
}

// ParseThesaurus reads thesaurus.yaml and checks that every concept has a unique slug id
// and labels in every language the index analyses.
func ParseThesaurus(data []byte) (*Thesaurus, error) {
	var doc struct {
		Concepts []map[string]any `yaml:"concepts"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("thesaurus: %s", yaml.FormatError(err, false, false))
	}
	t := &Thesaurus{byID: map[string]*Concept{}}
	for i, raw := range doc.Concepts {
		c := &Concept{Labels: map[string][]string{}}
		for key, v := range raw {
			if key == "id" {
				c.ID, _ = v.(string)
				continue
			}
			if !isLanguage(key) {
				return nil, fmt.Errorf("thesaurus: concept %d: %q is neither id nor a language (%s)", i+1, key, strings.Join(Languages, ", "))
			}
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("thesaurus: concept %q: %s must be a list of labels", c.ID, key)
			}
			for _, l := range list {
				s := strings.TrimSpace(fmt.Sprint(l))
				if s == "" {
					return nil, fmt.Errorf("thesaurus: concept %q: empty %s label", c.ID, key)
				}
				c.Labels[key] = append(c.Labels[key], s)
			}
		}
		if !practices.ValidID(c.ID) {
			return nil, fmt.Errorf("thesaurus: concept %d: id %q must be a slug", i+1, c.ID)
		}
		if _, dup := t.byID[c.ID]; dup {
			return nil, fmt.Errorf("thesaurus: concept %q appears twice", c.ID)
		}
		for _, lang := range Languages {
			if len(c.Labels[lang]) == 0 {
				return nil, fmt.Errorf("thesaurus: concept %q has no %s labels", c.ID, lang)
			}
		}
		t.Concepts = append(t.Concepts, c)
		t.byID[c.ID] = c
	}
	return t, nil
}

// Concept returns the concept with that id.
func (t *Thesaurus) Concept(id string) (*Concept, bool) {
	if t == nil {
		return nil, false
	}
	c, ok := t.byID[id]
	return c, ok
}

// conceptMatcher finds the labels of concepts in analysed text. Labels are analysed like
// the text they are matched in, so they match any inflection the stemmer folds together.
type conceptMatcher struct {
	// byFirst maps a language and the first stem of a label to the labels starting with it.
	byFirst map[string]map[string][]labelStems
	// suggestable is every concept's labels with their words folded, in the order of the
	// thesaurus and of Languages: suggestions look for typed prefixes in them, and
	// folding every label again on each keystroke was half of a suggestion (pprof).
	suggestable []suggestableConcept
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

// conceptHit is one occurrence of a concept label in a text.
type conceptHit struct {
	Concept    string
	Label      string
	Start, End int // byte offsets in the text
}

func newConceptMatcher(t *Thesaurus, m mapping.IndexMapping) *conceptMatcher {
	cm := &conceptMatcher{byFirst: map[string]map[string][]labelStems{}}
	if t == nil {
		return cm
	}
	qb := queryBuilder{m: m}
	for _, c := range t.Concepts {
		sc := suggestableConcept{id: c.ID}
		for _, lang := range Languages {
			for _, label := range c.Labels[lang] {
				words := tokenize(label)
				for i := range words {
					words[i] = foldWord(qb, words[i])
				}
				sc.labels = append(sc.labels, foldedLabel{label: label, words: words})
			}
		}
		cm.suggestable = append(cm.suggestable, sc)
	}
	for _, lang := range Languages {
		idx := map[string][]labelStems{}
		for _, c := range t.Concepts {
			for _, label := range c.Labels[lang] {
				var stems []string
				for _, tok := range analyzeFast(m, lang, label) {
					stems = append(stems, string(tok.Term))
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
		cm.byFirst[lang] = idx
	}
	return cm
}

// analyzeFast analyses text for concept matching: words split on anything that is not a
// letter or digit (much cheaper than Bleve's Unicode word segmenter, and the same on the
// plain words labels are made of), then the language analyzer's own filters, so that the
// stems are exactly those the index and queries use.
func analyzeFast(m mapping.IndexMapping, lang, text string) analysis.TokenStream {
	a := m.AnalyzerNamed(analyzerName(lang))
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

// match returns the concept labels found in text analysed as lang, in order.
func (cm *conceptMatcher) match(m mapping.IndexMapping, lang, text string) []conceptHit {
	idx := cm.byFirst[lang]
	if len(idx) == 0 || text == "" {
		return nil
	}
	toks := analyzeFast(m, lang, text)
	var hits []conceptHit
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
			hits = append(hits, conceptHit{Concept: ls.concept, Label: ls.label, Start: toks[i].Start, End: last.End})
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

// ConceptsOf lists the concepts named in text, read as lang.
func (ix *Index) ConceptsOf(lang, text string) []string {
	return topCounts(ix.conceptIDs(lang, text), len(ix.thes.Concepts))
}
