package highlight

import (
	"strings"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Wanted is what a query's clauses look for, by field: terms, and the near spellings of
// its fuzzy clauses.
type Wanted struct {
	terms map[string]map[string]bool
	fuzzy map[string][]*query.FuzzyQuery
}

// AddTerm looks for term in field.
func (l *Wanted) AddTerm(field, term string) {
	if l.terms == nil {
		l.terms = map[string]map[string]bool{}
	}
	if l.terms[field] == nil {
		l.terms[field] = map[string]bool{}
	}
	l.terms[field][term] = true
}

// AddFuzzy looks for the terms a fuzzy clause accepts in its field.
func (l *Wanted) AddFuzzy(q *query.FuzzyQuery) {
	if l.fuzzy == nil {
		l.fuzzy = map[string][]*query.FuzzyQuery{}
	}
	l.fuzzy[q.Field()] = append(l.fuzzy[q.Field()], q)
}

// Locate lists where in a field's text, analysed by words, the terms looked for stand:
// the locations Bleve's term vectors would give.
func (l *Wanted) Locate(words *Words, field, text string) search.TermLocationMap {
	if words == nil || l.terms[field] == nil && l.fuzzy[field] == nil {
		return nil
	}
	out := search.TermLocationMap{}
	for _, w := range words.Analyse([]byte(text)) {
		if l.terms[field][w.Term] || l.nearSpelling(field, w.Term) {
			out[w.Term] = append(out[w.Term], &search.Location{Pos: uint64(w.Pos), Start: uint64(w.Start), End: uint64(w.End)})
		}
	}
	return out
}

// nearSpelling reports whether a fuzzy clause of the field accepts term, as Bleve's
// fuzzy searcher does: the same first runes, and within the clause's edits (a
// transposition is one).
func (l *Wanted) nearSpelling(field, term string) bool {
	for _, f := range l.fuzzy[field] {
		prefix := f.Term
		for i := range f.Term {
			if i >= f.Prefix {
				prefix = f.Term[:i]
				break
			}
		}
		if strings.HasPrefix(term, prefix) && EditDistance(term, f.Term) <= f.Fuzziness {
			return true
		}
	}
	return false
}

// EditDistance counts the insertions, deletions, substitutions and transpositions of
// adjacent letters between two words (optimal string alignment), as Bleve's fuzzy
// matching does: "wfii" is one edit from "wifi".
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
