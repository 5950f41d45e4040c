package index

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bleveHTML "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// annotate adds highlights (and reasons) to the hits of a page. It reads each hit's
// stored text and finds in it, with the fields' analyzers, the terms the query's clauses
// on those fields look for: the same locations Bleve would report, without advancing
// every clause of a broad query to each hit through postings lists with locations, which
// was a quarter of a search's time (pprof). A test compares it with Bleve's. The
// analyzers' filters run once per distinct word (see wordAnalyzer).
func (ix *Index) annotate(ctx context.Context, idx bleve.Index, text query.Query, hits []Hit, explain bool, pq parsedQuery, concepts map[string][]string) error {
	highlighter, err := bleve.Config.Cache.HighlighterNamed(bleveHTML.Name)
	if err != nil {
		return apperr.Wrap(err, "highlight failed")
	}
	looked := ix.lookedFor(text)
	var why *explainer
	if explain {
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
		dm := &search.DocumentMatch{ID: hits[i].ID, Locations: search.FieldTermLocationMap{}, Fields: map[string]any{}, Fragments: search.FieldFragmentMap{}}
		doc.VisitFields(func(f bleveindex.Field) {
			name := f.Name()
			if !shownFields[name] {
				return
			}
			value := string(f.Value())
			if explain {
				dm.Fields[name] = value // the stored text the reasons quote
			}
			if locs := looked.locate(ix.words[ix.analysis.AnalyzerNameForPath(name)], name, value); len(locs) > 0 {
				dm.Locations[name] = locs
			}
		})
		for field := range dm.Locations {
			dm.Fragments[field] = highlighter.BestFragmentsInField(dm, doc, field, 1)
		}
		hits[i].Highlights, hits[i].InLanguage = fragments(dm)
		if why != nil {
			hits[i].Explain = why.explain(dm)
		}
	}
	return nil
}

// lookedFor is what a query's clauses on the shown fields look for, by field: terms,
// and the near spellings of its fuzzy clauses.
type lookedFor struct {
	terms map[string]map[string]bool
	fuzzy map[string][]*query.FuzzyQuery
}

func (ix *Index) lookedFor(q query.Query) lookedFor {
	l := lookedFor{terms: map[string]map[string]bool{}, fuzzy: map[string][]*query.FuzzyQuery{}}
	add := func(field, term string) {
		if l.terms[field] == nil {
			l.terms[field] = map[string]bool{}
		}
		l.terms[field][term] = true
	}
	for _, c := range shownClauses(q, nil) {
		switch c := c.(type) {
		case *query.TermQuery:
			add(c.Field(), c.Term)
		case *query.FuzzyQuery:
			l.fuzzy[c.Field()] = append(l.fuzzy[c.Field()], c)
		case *query.MatchPhraseQuery:
			// The phrase's words are also clauses of their own, which mark them
			// wherever they stand; the phrase adds no other term.
			if a := ix.analysis.AnalyzerNamed(ix.analysis.AnalyzerNameForPath(c.Field())); a != nil {
				for _, t := range a.Analyze([]byte(c.MatchPhrase)) {
					add(c.Field(), string(t.Term))
				}
			}
		}
	}
	return l
}

// locate lists where in a field's text, analysed by words, the terms looked for stand.
func (l lookedFor) locate(words *wordAnalyzer, field, text string) search.TermLocationMap {
	if words == nil || l.terms[field] == nil && l.fuzzy[field] == nil {
		return nil
	}
	out := search.TermLocationMap{}
	for _, w := range words.analyse([]byte(text)) {
		if l.terms[field][w.term] || l.nearSpelling(field, w.term) {
			out[w.term] = append(out[w.term], &search.Location{Pos: uint64(w.pos), Start: uint64(w.start), End: uint64(w.end)})
		}
	}
	return out
}

// nearSpelling reports whether a fuzzy clause of the field accepts term, as Bleve's
// fuzzy searcher does: the same first runes, and within the clause's edits (a
// transposition is one).
func (l lookedFor) nearSpelling(field, term string) bool {
	for _, f := range l.fuzzy[field] {
		prefix := f.Term
		for i := range f.Term {
			if i >= f.Prefix {
				prefix = f.Term[:i]
				break
			}
		}
		if strings.HasPrefix(term, prefix) && editDistance(term, f.Term) <= f.Fuzziness {
			return true
		}
	}
	return false
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

func highlightFields() []string {
	var out []string
	for _, lang := range Languages {
		for _, f := range textFields {
			out = append(out, f.Name+"_"+lang)
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

// fragments keeps the fragments that show a match, cleaned (see cleanSnippet), under the
// plain field names, and by language. Bleve's HTML formatter escapes the text and wraps the matches in <mark>; for
// a field without a match it returns the field's opening, which says nothing about why a
// hit matched.
func fragments(h *search.DocumentMatch) (map[string][]string, map[string]map[string][]string) {
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
			if f = cleanSnippet(f); strings.Contains(f, "<mark>") {
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
