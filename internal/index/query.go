package index

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// Weights of the ways a typed word can match, so that an exact word outranks its stem,
// and a stem outranks a typo correction.
const (
	boostExact   = 2.0
	boostStem    = 1.0
	boostConcept = 2.0 // a concept named anywhere in the text; 1.5 times that in title or summary
	boostFuzzy   = 0.25
	// Words shorter than this are never fuzzy-matched: too many words lie one edit away.
	minFuzzyLen  = 5
	minFuzzy2Len = 9
	maxTerms     = 32
)

// parsedQuery is what a person typed, split into plain words and quoted phrases. Nothing
// a person types is Bleve query syntax: + - : ^ ~ * ( ) are just punctuation here.
type parsedQuery struct {
	words   []string
	phrases []string
}

func parseQuery(q string) parsedQuery {
	var pq parsedQuery
	parts := strings.Split(q, `"`)
	for i, part := range parts {
		// Odd parts lie between quotes; an unclosed quote just leaves plain words.
		if i%2 == 1 && i < len(parts)-1 {
			if len(schema.Tokenize(part)) > 1 {
				pq.phrases = append(pq.phrases, strings.TrimSpace(part))
			}
		}
		pq.words = append(pq.words, schema.Tokenize(part)...)
	}
	if len(pq.words) > maxTerms {
		pq.words = pq.words[:maxTerms]
	}
	return pq
}

// queryBuilder turns parsed text into a Bleve query with the analyzers of the mapping.
type queryBuilder struct {
	m        mapping.IndexMapping
	concepts *thesaurus.Matcher // nil: no concept expansion
	// langs are the languages practices are written in: the fields of the others are
	// empty, and a clause on them costs time for nothing. Nil means all.
	langs []string
	// docFreq counts the practices with a term in a field; nil turns fuzzy matching off.
	docFreq func(field, term string) uint64
	// rareBelow: a stem found in fewer practices than this may be a typo, and only such a
	// stem is matched fuzzily. A word that is common in the index is not a typo, and
	// expanding it to its neighbours would cost time and add noise.
	rareBelow uint64
	// lang is the language the query is written in (queryLanguage); "" when unknown.
	lang string
	// docs is the number of practices, for the share of them a word is found in.
	docs uint64
	// terms are the index's, for did-you-mean; nil turns it off.
	terms *engine.Terms
}

func (b queryBuilder) languages() []string {
	if b.langs == nil {
		return schema.Languages
	}
	return b.langs
}

// queryConcepts finds the concepts the typed words name, by word: in the query's language
// when it is known (a Spanish "mayores" names no English concept), else in any. It
// looks in the words as split by parseQuery, not in the raw text, so that punctuation a
// tokenizer keeps inside a word ("beach:occupancy") cannot hide them.
func (b queryBuilder) queryConcepts(pq parsedQuery) map[string][]string {
	out := map[string][]string{}
	if b.concepts == nil {
		return out
	}
	q := strings.Join(pq.words, " ")
	langs := schema.Languages
	if b.lang != "" {
		langs = []string{b.lang}
	}
	for _, lang := range langs {
		for _, h := range b.concepts.Match(lang, q) {
			for _, w := range schema.Tokenize(q[h.Start:h.End]) {
				if !slices.Contains(out[w], h.Concept) {
					out[w] = append(out[w], h.Concept)
				}
			}
		}
	}
	return out
}

func (b queryBuilder) analyze(lang, text string) []string {
	a := b.m.AnalyzerNamed(schema.AnalyzerName(lang))
	if a == nil {
		return nil
	}
	var out []string
	for _, t := range a.Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out
}

// isStopWord reports whether some language's analyzer drops w entirely.
func (b queryBuilder) isStopWord(w string) bool {
	for _, lang := range schema.Languages {
		if len(b.analyze(lang, w)) == 0 {
			return true
		}
	}
	return false
}

// wordQuery matches one typed word four ways: the exact word, its stem in the fields of
// the languages it is read in (wordLanguages; weighted per field), the concepts it names
// (each weighed by its selectivity; with narrower, also the concepts below them), and,
// for a word no language knows, near spellings of the stem. Another language's word
// that looks like it ("mayor" for "mayores") matches only through a concept.
func (b queryBuilder) wordQuery(w string, concepts []string, weight float64, narrower bool) query.Query {
	// A stop word of any of the languages is dropped everywhere: "las" must not match the
	// English "la" of Villanueva de la Serena.
	if b.isStopWord(w) {
		return nil
	}
	var alts []query.Query
	for _, c := range concepts {
		cw := weight * b.selectivity(schema.ConceptsField, c)
		alts = append(alts, boosted(termOn(schema.ConceptsField, c), cw*boostConcept), boosted(termOn(schema.LeadConceptsField, c), cw*boostConcept*1.5))
		if narrower {
			alts = append(alts, b.narrowerClauses(c, weight)...)
		}
	}
	langs, typo := b.wordLanguages(w, b.lang)
	for _, lang := range langs {
		alts = append(alts, boosted(termOn(schema.ExactField(lang), schema.NewAnalysis(b.m).Fold(w)), weight*boostExact))
	}
	for _, lang := range langs {
		stems := b.analyze(lang, w)
		if len(stems) != 1 {
			continue
		}
		stem := stems[0]
		for _, f := range schema.TextFields {
			alts = append(alts, boosted(termOn(schema.TextField(f.Name, lang), stem), weight*boostStem*f.Boost))
		}
		// Fuzziness depends on the stem that is compared: "drnes" stems to "drne", one
		// edit from the "done" of every practice.
		n := utf8.RuneCountInString(stem)
		if !typo || n < minFuzzyLen || b.docFreq == nil || b.docFreq(schema.TextField("body", lang), stem)+b.docFreq(schema.TextField("title", lang), stem) >= b.rareBelow {
			continue
		}
		for _, f := range schema.TextFields {
			if f.Name != "title" && f.Name != "body" {
				continue
			}
			fq := query.NewFuzzyQuery(stem)
			fq.SetField(schema.TextField(f.Name, lang))
			fq.Fuzziness = 1
			if n >= minFuzzy2Len {
				fq.Fuzziness = 2
			}
			fq.Prefix = 1
			alts = append(alts, boosted(fq, weight*boostFuzzy*f.Boost))
		}
	}
	return query.NewDisjunctionQuery(alts)
}

// narrowerClauses match the practices naming a concept below c ("elderly" under
// "vulnerable groups"): half the concept's weight one step down, a quarter two steps down,
// each times the selectivity of its clause.
func (b queryBuilder) narrowerClauses(c string, weight float64) []query.Query {
	var out []query.Query
	boost := weight * boostConcept
	for d := 1; d <= b.concepts.Below(c); d++ {
		boost /= 2
		term := strconv.Itoa(d) + ":" + c
		out = append(out, boosted(termOn(schema.BroaderConceptsField, term), boost*b.selectivity(schema.BroaderConceptsField, term)))
	}
	return out
}

// A concept's clauses weigh by how selective they are: a concept that at most
// selectiveShare of the practices name (or, for the clause of the concepts one or two
// steps below it, name one of those) keeps its whole weight; above that the weight falls
// with the logarithm of the share, as an IDF does, to nothing for a concept every
// practice carries. So "residents", or the whole subtree under "digital
// transformation", adds little, and "beaches" keeps its weight.
const (
	selectiveShare = 0.2
	// A typed word counts twice only while a concept it names weighs at least this.
	countsTwiceFrom = 0.5
)

// selectivity is the weight factor, from 0 to 1, of a concept term in a field.
func (b queryBuilder) selectivity(field, term string) float64 {
	if b.docFreq == nil || b.docs == 0 {
		return 1
	}
	share := float64(b.docFreq(field, term)) / float64(b.docs)
	if share <= selectiveShare {
		return 1
	}
	return math.Log(share) / math.Log(selectiveShare)
}

// namesSelective reports whether one of a word's concepts weighs enough to count twice.
func (b queryBuilder) namesSelective(concepts []string) bool {
	return slices.ContainsFunc(concepts, func(c string) bool { return b.selectivity(schema.ConceptsField, c) >= countsTwiceFrom })
}

func (b queryBuilder) phraseQuery(phrase string) query.Query {
	var alts []query.Query
	for _, lang := range schema.Languages {
		for _, f := range schema.TextFields {
			pq := query.NewMatchPhraseQuery(phrase)
			pq.SetField(schema.TextField(f.Name, lang))
			pq.SetBoost(f.Boost)
			alts = append(alts, pq)
		}
	}
	return query.NewDisjunctionQuery(alts)
}

// textQuery builds the query for what was typed; nil when nothing searchable was typed
// (only stop words or punctuation).
// concepts maps each typed word to the concepts it names (see queryConcepts).
func (b queryBuilder) textQuery(pq parsedQuery, concepts map[string][]string) query.Query {
	var words, common []query.Query
	background := b.commonWords(pq.words)
	for _, w := range pq.words {
		if background[w] {
			if q := b.wordQuery(w, concepts[w], commonWeight, true); q != nil {
				common = append(common, q)
			}
			continue
		}
		q := b.wordQuery(w, concepts[w], 1, true)
		if q == nil {
			continue
		}
		words = append(words, q)
		if b.namesSelective(concepts[w]) {
			// A typed concept counts twice, in the score and in the share of clauses
			// matched: a practice with every concept of "control de aforo en playas"
			// outranks a dashboard that has only the frequent "control". Only the
			// concept itself does, not those below it; and a concept most practices
			// carry ("residents") tells them apart no more than a common word does.
			words = append(words, b.wordQuery(w, concepts[w], 1, false))
		}
	}
	if len(common) > 0 {
		// The common words of a long query count as one clause between them.
		words = append(words, query.NewDisjunctionQuery(common))
	}
	if len(words) == 0 {
		return nil
	}
	// Any word may match; documents matching more of the words score higher (Bleve's
	// disjunction scales each score by the share of clauses that matched).
	text := query.NewDisjunctionQuery(words)
	if len(pq.phrases) == 0 {
		return text
	}
	must := []query.Query{text}
	for _, p := range pq.phrases {
		must = append(must, b.phraseQuery(p))
	}
	return query.NewConjunctionQuery(must)
}

func termOn(field, term string) *query.TermQuery {
	q := query.NewTermQuery(term)
	q.SetField(field)
	return q
}

type boostable interface {
	query.Query
	SetBoost(float64)
}

func boosted(q boostable, boost float64) query.Query {
	q.SetBoost(boost)
	return q
}

// filterQuery requires, for each facet with selected values, one of those values.
func filterQuery(filters map[string][]string, except string) []query.Query {
	var out []query.Query
	for _, name := range schema.FacetNames {
		values := filters[name]
		if name == except || len(values) == 0 {
			continue
		}
		out = append(out, anyValue(name, values))
	}
	return out
}

// anyValue matches the practices with any of the values of a facet.
func anyValue(name string, values []string) query.Query {
	alts := make([]query.Query, 0, len(values))
	for _, v := range values {
		alts = append(alts, termOn(schema.FacetFields[name], v))
	}
	return query.NewDisjunctionQuery(alts)
}

func conjunction(text query.Query, filters []query.Query) query.Query {
	if text == nil {
		text = bleve.NewMatchAllQuery()
	}
	if len(filters) == 0 {
		return text
	}
	return query.NewConjunctionQuery(append([]query.Query{text}, filters...))
}
