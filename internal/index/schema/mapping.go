// Package schema is what kb's index holds: the Bleve mapping, its fields and analyzers,
// and the document a practice becomes.
package schema

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// MappingVersion changes whenever the mapping or the document layout changes; an index
// built with another version is rebuilt at open.
const MappingVersion = "13"

// Languages the index analyses text in: kb's (practices.Languages). A practice's text goes
// to the fields of its language.
var Languages = practices.Languages.IDs()

// TextFields exist once per language (Name_lang), with their boost in queries:
// title > summary and keywords (tags, city, target groups) > body.
var TextFields = []struct {
	Name  string
	Boost float64
}{
	{"title", 3},
	{"summary", 1.5},
	{"keywords", 1.5},
	{"body", 1},
}

// FacetFields are the keyword fields of the filters and facets, by API parameter name.
var FacetFields = map[string]string{
	"area":            "areas",
	"region":          "region",
	"country":         "country",
	"population_band": "population_band",
	"tag":             "tags",
	"network":         "network",
	"target_group":    "target_groups",
	"crisis":          "crises",
}

// FacetNames lists the facets in display order.
var FacetNames = []string{"area", "target_group", "crisis", "region", "country", "population_band", "tag", "network"}

// Fields the query side reads by name, beside the text fields and the facets' fields.
const (
	IDField           = "id"
	StatusField       = "status"
	UpdatedField      = "updated"
	ConceptsField     = "concepts"
	LeadConceptsField = "lead_concepts"
	// BroaderConceptsField holds, for each concept a practice names, the concepts above
	// it as "distance:id" ("1:vulnerable-groups" for elderly), so that a query concept
	// finds its narrower concepts at a weight that falls with the distance.
	BroaderConceptsField = "broader_concepts"
	TitleSortField       = "title_sort"
	CityField            = "city"
	CitySortField        = "city_sort" // the city folded, for sorting by city
	LangField            = "lang"      // the languages a practice is searched in
	AllFacetsField       = "facets"    // every facet value as "name:value"
	TitleSuggestField    = "title_suggest"
	CitySuggestField     = "city_suggest"
	// MaxSuggestPrefix is the longest prefix the suggestion fields hold.
	MaxSuggestPrefix = 20
)

const (
	exactFieldPrefix = "exact_"
	exactAnalyzer    = "kb_exact"
	suggestAnalyzer  = "kb_suggest"
	edgeFilter       = "kb_edge"
)

// TextField names the field of one of TextFields in a language ("title_es").
func TextField(name, lang string) string { return name + "_" + lang }

// AnalyzerName names the analyzer of a language's text fields.
func AnalyzerName(lang string) string { return "kb_" + lang }

// Analysis is the mapping's reading of text, shared by queries and lent to the
// thesaurus's matcher so that it reads labels as the index reads the text they are in.
type Analysis struct{ m mapping.IndexMapping }

// NewAnalysis reads text with the analyzers of m (built by Mapping).
func NewAnalysis(m mapping.IndexMapping) Analysis { return Analysis{m} }

// Analyzer is the analyzer of a language's text fields.
func (a Analysis) Analyzer(lang string) analysis.Analyzer {
	return a.m.AnalyzerNamed(AnalyzerName(lang))
}

// Words are the typed words of text (Tokenize), each folded as the exact fields hold it.
func (a Analysis) Words(text string) []string {
	words := Tokenize(text)
	for i := range words {
		words[i] = a.Fold(words[i])
	}
	return words
}

// Fold is the word as the exact fields hold it: lower case, folded to ASCII.
func (a Analysis) Fold(w string) string {
	toks := a.m.AnalyzerNamed(exactAnalyzer).Analyze([]byte(w))
	if len(toks) == 0 {
		return w
	}
	return string(toks[0].Term)
}

// Tokenize splits on anything that is not a letter or digit, and drops duplicates.
func Tokenize(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		w = strings.ToLower(w)
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// ExactField holds the words as written of a language's title, summary and keywords.
func ExactField(lang string) string { return exactFieldPrefix + lang }

// langAnalyzers are the stock language analyzers of Bleve with ASCII folding after the
// stop words, so that "Bogota" finds "Bogotá" and typed accents never matter.
var langAnalyzers = map[string][]string{
	"en": {en.PossessiveName, lowercase.Name, en.StopName, foldName, porter.Name},
	"es": {lowercase.Name, es.NormalizeName, es.StopName, foldName, es.LightStemmerName},
	"fr": {fr.ElisionName, lowercase.Name, fr.StopName, foldName, fr.LightStemmerName},
	"pt": {lowercase.Name, pt.StopName, foldName, pt.LightStemmerName},
}

// Mapping builds the index mapping: a text field per language for each of TextFields,
// the exact and suggestion fields, and keyword fields for filters, facets and sorting.
func Mapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	for lang, filters := range langAnalyzers {
		err := m.AddCustomAnalyzer(AnalyzerName(lang), map[string]any{
			"type":          custom.Name,
			"tokenizer":     unicodetok.Name,
			"token_filters": filters,
		})
		if err != nil {
			return nil, fmt.Errorf("analyzer %s: %w", lang, err)
		}
	}
	// Words cut to every prefix, for suggestions as people type.
	err := m.AddCustomTokenFilter(edgeFilter, map[string]any{"type": edgengram.Name, "min": 1.0, "max": float64(MaxSuggestPrefix), "back": false})
	if err != nil {
		return nil, fmt.Errorf("edge n-gram filter: %w", err)
	}
	err = m.AddCustomAnalyzer(suggestAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicodetok.Name,
		"token_filters": []string{lowercase.Name, foldName, edgeFilter},
	})
	if err != nil {
		return nil, fmt.Errorf("analyzer suggest: %w", err)
	}
	err = m.AddCustomAnalyzer(exactAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicodetok.Name,
		"token_filters": []string{lowercase.Name, foldName},
	})
	if err != nil {
		return nil, fmt.Errorf("analyzer exact: %w", err)
	}

	doc := bleve.NewDocumentStaticMapping()
	for _, lang := range Languages {
		for _, f := range TextFields {
			fm := bleve.NewTextFieldMapping()
			fm.Analyzer = AnalyzerName(lang)
			fm.Store = true
			fm.IncludeTermVectors = true // needed for highlighting
			fm.IncludeInAll = false
			doc.AddFieldMappingsAt(TextField(f.Name, lang), fm)
		}
	}
	exact := bleve.NewTextFieldMapping()
	exact.Analyzer = exactAnalyzer
	exact.Store = false
	exact.IncludeTermVectors = false
	exact.IncludeInAll = false
	for _, lang := range Languages {
		doc.AddFieldMappingsAt(ExactField(lang), exact)
	}
	for _, name := range []string{TitleSuggestField, CitySuggestField} {
		sm := bleve.NewTextFieldMapping()
		sm.Analyzer = suggestAnalyzer
		sm.Store = false
		sm.IncludeTermVectors = false
		sm.IncludeInAll = false
		doc.AddFieldMappingsAt(name, sm)
	}

	for _, name := range append([]string{IDField, TitleSortField, CityField, CitySortField, LangField, AllFacetsField, StatusField, ConceptsField, LeadConceptsField, BroaderConceptsField}, facetFieldNames()...) {
		km := bleve.NewKeywordFieldMapping()
		km.Store = false
		km.IncludeInAll = false
		km.DocValues = true
		doc.AddFieldMappingsAt(name, km)
	}
	updated := bleve.NewDateTimeFieldMapping()
	updated.Store = false
	updated.IncludeInAll = false
	doc.AddFieldMappingsAt(UpdatedField, updated)

	m.ScoringModel = bleveindex.BM25Scoring
	m.DefaultMapping = doc
	m.DefaultAnalyzer = exactAnalyzer
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

func facetFieldNames() []string {
	out := make([]string, 0, len(FacetFields))
	for _, name := range FacetNames {
		out = append(out, FacetFields[name])
	}
	return out
}
