package engine

import (
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	"github.com/blevesearch/vellum/levenshtein"
)

// compileFuzzy compiles a fuzzy clause as Bleve's fuzzy searcher makes it: the terms of
// the field within the clause's edits of its term (and with its first runes), each a
// term with the clause's boost divided by one more than its edits, any of which may
// match; the term alone when it is the only one. Bleve builds a Levenshtein automaton
// for each clause, and kb has one clause per field and language for the same word: a
// quarter of all allocations under load (pprof). Here the clauses of one word share
// their automaton. ok is false for what is left to Bleve (automatic fuzziness, more
// terms than Bleve allows).
func (e *evaluation) compileFuzzy(q *query.FuzzyQuery) (n *evalNode, ok bool, err error) {
	if q.Fuzziness < 1 || q.Fuzziness > searcher.MaxFuzziness {
		return nil, false, nil
	}
	field := q.FieldVal
	if field == "" {
		field = e.m.DefaultSearchField()
	}
	dfa, err := e.automaton(q.Term, q.Fuzziness)
	if err != nil {
		return nil, true, err
	}
	// The prefix is cut at the first rune boundary at or after Prefix bytes, as Bleve does.
	prefix := q.Term
	for i := range q.Term {
		if i >= q.Prefix {
			prefix = q.Term[:i]
			break
		}
	}
	var from, to []byte
	if prefix != "" {
		from, to = []byte(prefix), prefixEnd([]byte(prefix))
	}
	edits := map[string]uint8{} // the candidates of every segment, with their edits
	for _, ss := range e.snap.Segments() {
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, true, err
		}
		it := dict.AutomatonIterator(dfa, from, to)
		for {
			entry, err := it.Next()
			if err != nil {
				return nil, true, err
			}
			if entry == nil {
				break
			}
			edits[entry.Term] = entry.EditDistance
		}
	}
	if searcher.DisjunctionMaxClauseCount != 0 && len(edits) > searcher.DisjunctionMaxClauseCount {
		return nil, false, nil
	}
	boost := q.BoostVal.Value()
	if _, only := edits[q.Term]; len(edits) == 0 || len(edits) == 1 && only {
		tq := query.NewTermQuery(q.Term)
		tq.SetField(field)
		tq.SetBoost(boost)
		n, err := e.compileTerm(tq)
		return n, true, err
	}
	terms := make([]string, 0, len(edits))
	for t := range edits {
		terms = append(terms, t)
	}
	sort.Strings(terms) // the order of Bleve's merged dictionaries
	n = &evalNode{kind: evalAny, min: 1}
	for _, t := range terms {
		tq := query.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(boost * (1 / float64(edits[t]+1)))
		c, err := e.compileTerm(tq)
		if err != nil {
			return nil, true, err
		}
		n.children = append(n.children, c)
	}
	return n, true, nil
}

// automaton returns the Levenshtein automaton of term within fuzziness edits, built once
// per evaluation.
func (e *evaluation) automaton(term string, fuzziness int) (*levenshtein.DFA, error) {
	key := fmt.Sprintf("%d:%s", fuzziness, term)
	if dfa, ok := e.automata[key]; ok {
		return dfa, nil
	}
	builders, err := levenshteinBuilders()
	if err != nil {
		return nil, err
	}
	dfa, err := builders[fuzziness-1].BuildDfa(term, uint8(fuzziness))
	if err != nil {
		return nil, err
	}
	if e.automata == nil {
		e.automata = map[string]*levenshtein.DFA{}
	}
	e.automata[key] = dfa
	return dfa, nil
}

// levenshteinBuilders are the builders of automata for one and two edits (with
// transpositions, as Bleve's), made on first use: they are tables that never change.
var levenshteinBuilders = sync.OnceValues(func() (out [2]*levenshtein.LevenshteinAutomatonBuilder, err error) {
	for i := range out {
		if out[i], err = levenshtein.NewLevenshteinAutomatonBuilder(uint8(i+1), true); err != nil {
			return out, fmt.Errorf("levenshtein automaton builder: %w", err)
		}
	}
	return out, nil
})

// prefixEnd is the first key after every key that starts with prefix; nil when there is
// none.
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end
		}
	}
	return nil
}
