// Package index is kb's search: the mapping, queries, concepts, highlights and reasons, over
// a Bleve index derived from the store and kept in step by replaying its change log.
package index

import (
	"fmt"

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
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
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

// Text fields that exist once per language, with their boost in queries:
// title > summary and keywords (tags, city, target groups) > body.
var textFields = []struct {
	Name  string
	Boost float64
}{
	{"title", 3},
	{"summary", 1.5},
	{"keywords", 1.5},
	{"body", 1},
}

// Keyword fields used for filters and facets, by API parameter name.
var facetFields = map[string]string{
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

const (
	conceptsField     = "concepts"
	leadConceptsField = "lead_concepts"
	// broaderConceptsField holds, for each concept a practice names, the concepts above
	// it as "distance:id" ("1:vulnerable-groups" for elderly), so that a query concept
	// finds its narrower concepts at a weight that falls with the distance.
	broaderConceptsField = "broader_concepts"
	exactFieldPrefix     = "exact_"
	exactAnalyzer        = "kb_exact"
	titleSortField       = "title_sort"
	cityField            = "city"
	citySortField        = "city_sort" // the city folded, for sorting by city
	langField            = "lang"
	allFacetsField       = "facets"
	titleSuggestField    = "title_suggest"
	citySuggestField     = "city_suggest"
	suggestAnalyzer      = "kb_suggest"
	edgeFilter           = "kb_edge"
	maxSuggestPrefix     = 20
)

func analyzerName(lang string) string { return "kb_" + lang }

// textAnalysis is the mapping's reading of text, lent to the thesaurus's matcher so that
// it reads labels as the index reads the text they are found in.
type textAnalysis struct{ m mapping.IndexMapping }

func (a textAnalysis) Analyzer(lang string) analysis.Analyzer {
	return a.m.AnalyzerNamed(analyzerName(lang))
}

// Words are the typed words of text (tokenize), each folded as the exact fields hold it.
func (a textAnalysis) Words(text string) []string {
	words := tokenize(text)
	qb := queryBuilder{m: a.m}
	for i := range words {
		words[i] = foldWord(qb, words[i])
	}
	return words
}

// exactFieldOf holds the words as written of a language's title, summary and keywords.
func exactFieldOf(lang string) string { return exactFieldPrefix + lang }

// langAnalyzers are the stock language analyzers of Bleve with ASCII folding after the
// stop words, so that "Bogota" finds "Bogotá" and typed accents never matter.
var langAnalyzers = map[string][]string{
	"en": {en.PossessiveName, lowercase.Name, en.StopName, foldName, porter.Name},
	"es": {lowercase.Name, es.NormalizeName, es.StopName, foldName, es.LightStemmerName},
	"fr": {fr.ElisionName, lowercase.Name, fr.StopName, foldName, fr.LightStemmerName},
	"pt": {lowercase.Name, pt.StopName, foldName, pt.LightStemmerName},
}

func buildMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	for lang, filters := range langAnalyzers {
		err := m.AddCustomAnalyzer(analyzerName(lang), map[string]any{
			"type":          custom.Name,
			"tokenizer":     unicode.Name,
			"token_filters": filters,
		})
		if err != nil {
			return nil, fmt.Errorf("analyzer %s: %w", lang, err)
		}
	}
	// Words cut to every prefix, for suggestions as people type.
	err := m.AddCustomTokenFilter(edgeFilter, map[string]any{"type": edgengram.Name, "min": 1.0, "max": float64(maxSuggestPrefix), "back": false})
	if err != nil {
		return nil, fmt.Errorf("edge n-gram filter: %w", err)
	}
	err = m.AddCustomAnalyzer(suggestAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name, foldName, edgeFilter},
	})
	if err != nil {
		return nil, fmt.Errorf("analyzer suggest: %w", err)
	}
	err = m.AddCustomAnalyzer(exactAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name, foldName},
	})
	if err != nil {
		return nil, fmt.Errorf("analyzer exact: %w", err)
	}

	doc := bleve.NewDocumentStaticMapping()
	for _, lang := range Languages {
		for _, f := range textFields {
			fm := bleve.NewTextFieldMapping()
			fm.Analyzer = analyzerName(lang)
			fm.Store = true
			fm.IncludeTermVectors = true // needed for highlighting
			fm.IncludeInAll = false
			doc.AddFieldMappingsAt(f.Name+"_"+lang, fm)
		}
	}
	exact := bleve.NewTextFieldMapping()
	exact.Analyzer = exactAnalyzer
	exact.Store = false
	exact.IncludeTermVectors = false
	exact.IncludeInAll = false
	for _, lang := range Languages {
		doc.AddFieldMappingsAt(exactFieldOf(lang), exact)
	}
	for _, name := range []string{titleSuggestField, citySuggestField} {
		sm := bleve.NewTextFieldMapping()
		sm.Analyzer = suggestAnalyzer
		sm.Store = false
		sm.IncludeTermVectors = false
		sm.IncludeInAll = false
		doc.AddFieldMappingsAt(name, sm)
	}

	for _, name := range append([]string{"id", titleSortField, cityField, citySortField, langField, allFacetsField, "status", conceptsField, leadConceptsField, broaderConceptsField}, facetFieldNames()...) {
		km := bleve.NewKeywordFieldMapping()
		km.Store = false
		km.IncludeInAll = false
		km.DocValues = true
		doc.AddFieldMappingsAt(name, km)
	}
	updated := bleve.NewDateTimeFieldMapping()
	updated.Store = false
	updated.IncludeInAll = false
	doc.AddFieldMappingsAt("updated", updated)

	m.ScoringModel = bleveindex.BM25Scoring
	m.DefaultMapping = doc
	m.DefaultAnalyzer = exactAnalyzer
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

func facetFieldNames() []string {
	out := make([]string, 0, len(facetFields))
	for _, name := range FacetNames {
		out = append(out, facetFields[name])
	}
	return out
}
