package index

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	blevesearch "github.com/blevesearch/bleve/v2/search"
	bleveHTML "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/explain"
	"github.com/uclg-digital-cities/kb/internal/index/highlight"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// annotate adds highlights (and reasons) to the hits of a page. It reads each hit's
// stored text and finds in it, with the fields' analyzers, the terms the query's clauses
// on those fields look for: the same locations Bleve would report, without advancing
// every clause of a broad query to each hit through postings lists with locations, which
// was a quarter of a search's time (pprof). A test compares it with Bleve's. The
// analyzers' filters run once per distinct word (see highlight.Words).
func (ix *Index) annotate(ctx context.Context, idx bleve.Index, text query.Query, hits []search.Hit, reasons bool, pq parsedQuery, concepts map[string][]string) error {
	highlighter, err := bleve.Config.Cache.HighlighterNamed(bleveHTML.Name)
	if err != nil {
		return apperr.Wrap(err, "highlight failed")
	}
	looked := ix.lookedFor(text)
	var why *explain.Explainer
	if reasons {
		why = ix.newExplainer(pq.words, concepts)
	}
	for i := range hits {
		if err := ctx.Err(); err != nil {
			return err
		}
		doc, err := idx.Document(hits[i].ID)
		if err != nil {
			return apperr.Wrap(err, "highlight failed")
		}
		if doc == nil {
			continue
		}
		dm := &blevesearch.DocumentMatch{ID: hits[i].ID, Locations: blevesearch.FieldTermLocationMap{}, Fields: map[string]any{}, Fragments: blevesearch.FieldFragmentMap{}}
		doc.VisitFields(func(f bleveindex.Field) {
			name := f.Name()
			if !shownFields[name] {
				return
			}
			value := string(f.Value())
			if reasons {
				dm.Fields[name] = value // the stored text the reasons quote
			}
			if locs := looked.Locate(ix.words[ix.analysis.AnalyzerNameForPath(name)], name, value); len(locs) > 0 {
				dm.Locations[name] = locs
			}
		})
		for field := range dm.Locations {
			dm.Fragments[field] = highlighter.BestFragmentsInField(dm, doc, field, 1)
		}
		hits[i].Highlights, hits[i].InLanguage = fragments(dm)
		if why != nil {
			hits[i].Explain = why.Explain(explainFields(dm))
		}
	}
	return nil
}

// lookedFor is what a query's clauses on the shown fields look for.
func (ix *Index) lookedFor(q query.Query) *highlight.Wanted {
	l := &highlight.Wanted{}
	for _, c := range shownClauses(q, nil) {
		switch c := c.(type) {
		case *query.TermQuery:
			l.AddTerm(c.Field(), c.Term)
		case *query.FuzzyQuery:
			l.AddFuzzy(c)
		case *query.MatchPhraseQuery:
			// The phrase's words are also clauses of their own, which mark them
			// wherever they stand; the phrase adds no other term.
			if a := ix.analysis.AnalyzerNamed(ix.analysis.AnalyzerNameForPath(c.Field())); a != nil {
				for _, t := range a.Analyze([]byte(c.MatchPhrase)) {
					l.AddTerm(c.Field(), string(t.Term))
				}
			}
		}
	}
	return l
}

// shownClauses appends the clauses of q on the fields highlights show.
func shownClauses(q query.Query, out []query.Query) []query.Query {
	switch q := q.(type) {
	case *query.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			out = shownClauses(c, out)
		}
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			out = shownClauses(c, out)
		}
	case query.FieldableQuery:
		if shownFields[q.Field()] {
			out = append(out, q)
		}
	}
	return out
}

// newWordAnalyzers makes one per analyzer of the fields highlights show, by name.
func newWordAnalyzers(m mapping.IndexMapping) map[string]*highlight.Words {
	out := map[string]*highlight.Words{}
	for _, field := range highlightFields() {
		name := m.AnalyzerNameForPath(field)
		if a := m.AnalyzerNamed(name); a != nil && out[name] == nil {
			out[name] = highlight.NewWords(a)
		}
	}
	return out
}

func highlightFields() []string {
	var out []string
	for _, lang := range schema.Languages {
		for _, f := range schema.TextFields {
			out = append(out, schema.TextField(f.Name, lang))
		}
	}
	return out
}

// shownFields is the set of highlightFields, made once: annotate asks it of every stored
// field of every hit.
var shownFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range highlightFields() {
		m[f] = true
	}
	return m
}()

// fragments keeps the fragments that show a match, cleaned (see highlight.Clean), under the
// plain field names, and by language. Bleve's HTML formatter escapes the text and wraps the matches in <mark>; for
// a field without a match it returns the field's opening, which says nothing about why a
// hit matched.
func fragments(h *blevesearch.DocumentMatch) (map[string][]string, map[string]map[string][]string) {
	out := map[string][]string{}
	byLang := map[string]map[string][]string{}
	fields := slices.Sorted(maps.Keys(h.Fragments)) // each field's languages in one order
	for _, field := range fields {
		frags := h.Fragments[field]
		name, lang := field, ""
		if i := strings.LastIndexByte(field, '_'); i > 0 {
			name, lang = field[:i], field[i+1:]
		}
		if name == "keywords" {
			continue // kb's own field of tags, groups and place: matched, never shown
		}
		for _, f := range frags {
			if f = highlight.Clean(f); strings.Contains(f, "<mark>") {
				out[name] = append(out[name], f)
				if lang != "" {
					if byLang[lang] == nil {
						byLang[lang] = map[string][]string{}
					}
					byLang[lang][name] = append(byLang[lang][name], f)
				}
			}
		}
	}
	return out, byLang
}

// newExplainer explains the hits of a query, reading words and concepts as the index does.
func (ix *Index) newExplainer(words []string, concepts map[string][]string) *explain.Explainer {
	r := explainReader{qb: queryBuilder{m: ix.analysis}, Matcher: ix.concepts}
	return explain.New(r, r, words, concepts)
}

// explainFields are a hit's text fields as the explainer reads them: their stored text and
// locations, in the order of schema.TextFields, then of schema.Languages.
func explainFields(h *blevesearch.DocumentMatch) []explain.Field {
	out := make([]explain.Field, 0, len(schema.TextFields)*len(schema.Languages))
	for _, f := range schema.TextFields {
		for _, lang := range schema.Languages {
			name := schema.TextField(f.Name, lang)
			text, _ := h.Fields[name].(string)
			out = append(out, explain.Field{Name: f.Name, Lang: lang, Text: text, Terms: h.Locations[name]})
		}
	}
	return out
}

// explainReader is the index's analyzers and concept labels as the explainer asks for them;
// the matcher's Names and IsBelow are already what it asks.
type explainReader struct {
	qb queryBuilder
	*thesaurus.Matcher
}

func (r explainReader) Analyze(lang, text string) []string { return r.qb.analyze(lang, text) }
func (r explainReader) Fold(w string) string               { return schema.NewAnalysis(r.qb.m).Fold(w) }

func (r explainReader) Find(lang, text string) []explain.Span {
	hits := r.Match(lang, text)
	out := make([]explain.Span, len(hits))
	for i, h := range hits {
		out[i] = explain.Span{Concept: h.Concept, Start: h.Start, End: h.End}
	}
	return out
}
