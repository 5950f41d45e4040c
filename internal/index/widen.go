package index

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// A second pass widens a query that found little (pseudo-relevance feedback): when the
// best hit of the first pass matches fewer than half of the query's words (a long
// description of which it shares a word or two), or not all of them when it found
// fewer than widenFewHits practices, the concepts and the most telling words of its best widenFrom hits are added to
// the query at widenWeight of a typed word, as one clause between them, and the query is
// run again. A query whose best hit has most of its words, as keyword queries' have, is
// never widened.
const (
	widenFrom     = 3
	widenConcepts = 4
	widenTerms    = 6
	widenFewHits  = 3
	widenWeight   = 0.3
)

// weak reports whether a first pass found too little to stand alone: a best hit that
// matches fewer than half of the query's words (its clauses, a concept typed counting
// twice), or, when it found fewer than widenFewHits practices, not all of them.
// The check runs through the engine, on the best hit's id term: through Bleve's own
// searchers it cost as much as the search itself (a misspelt word's fuzzy clause expanded
// over every dictionary again).
func weak(ctx context.Context, s searcher, text query.Query, total uint64, top string) (bool, error) {
	words := wordClauses(text)
	enough := (len(words) + 1) / 2
	if total < widenFewHits {
		enough = len(words)
	}
	has := query.NewDisjunctionQuery(words)
	has.SetMin(float64(enough))
	res, err := s.Search(ctx, engine.Query{Query: query.NewConjunctionQuery([]query.Query{termOn(schema.IDField, top), has}), Size: 1})
	if err != nil {
		return false, err
	}
	return res.Total == 0, nil
}

// wordClauses are the clauses of a text query's words (without its quoted phrases).
func wordClauses(text query.Query) []query.Query {
	switch q := text.(type) {
	case *query.DisjunctionQuery:
		return q.Disjuncts
	case *query.ConjunctionQuery:
		return wordClauses(q.Conjuncts[0])
	}
	return []query.Query{text}
}

// widening reads the best first-pass hits and returns the clause that widens the query,
// nil when they give nothing the query does not already say.
func (ix *Index) widening(idx *opened, qb queryBuilder, from []string, pq parsedQuery, concepts map[string][]string) (query.Query, *search.Widening, error) {
	typed := map[string]bool{}
	for _, cs := range concepts {
		for _, c := range cs {
			typed[c] = true
		}
	}
	lang := qb.lang
	if lang == "" {
		lang = "en"
	}
	conceptWeight, termWeight := map[string]float64{}, map[string]float64{}
	surface := map[string]string{} // a stem as the best hits write it
	for rank, id := range from {
		doc, err := idx.Document(id)
		if err != nil {
			return nil, nil, err
		}
		if doc == nil {
			continue
		}
		var texts []string
		doc.VisitFields(func(f bleveindex.Field) {
			for _, tf := range schema.TextFields {
				if f.Name() == schema.TextField(tf.Name, lang) {
					texts = append(texts, string(f.Value()))
				}
			}
		})
		text := strings.Join(texts, "\n")
		// The best hit counts most: a hit's share falls with its rank.
		share := 1 / float64(rank+1)
		counts := map[string]int{}
		for _, c := range schema.ConceptIDs(ix.concepts, lang, text) {
			counts[c]++
		}
		for c, n := range counts {
			// A concept most practices carry tells nothing, as a common word does not.
			if !typed[c] && float64(qb.docFreq(schema.ConceptsField, c)) <= maxDocShare*float64(qb.docs) {
				conceptWeight[c] += share * float64(n)
			}
		}
		terms, err := ix.tellingTerms(idx, lang, text)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range terms {
			termWeight[t.term] += share * t.weight
		}
		for _, tok := range ix.analysis.AnalyzerNamed(schema.AnalyzerName(lang)).Analyze([]byte(text)) {
			if _, ok := surface[string(tok.Term)]; !ok {
				surface[string(tok.Term)] = strings.ToLower(text[tok.Start:tok.End])
			}
		}
	}
	for _, w := range pq.words {
		for _, stem := range qb.analyze(lang, w) {
			delete(termWeight, stem)
		}
	}
	stems := best(termWeight, widenTerms)
	w := &search.Widening{From: from, Concepts: best(conceptWeight, widenConcepts), ConceptNames: map[string]map[string]string{}}
	if len(w.Concepts)+len(stems) == 0 {
		return nil, nil, nil
	}
	var alts []query.Query
	for _, c := range w.Concepts {
		w.ConceptNames[c] = ix.concepts.Names(c)
		alts = append(alts, boosted(termOn(schema.ConceptsField, c), widenWeight*boostConcept))
	}
	for _, t := range stems {
		w.Words = append(w.Words, surface[t])
		for _, f := range schema.TextFields {
			alts = append(alts, boosted(termOn(schema.TextField(f.Name, lang), t), widenWeight*boostStem*f.Boost))
		}
	}
	return query.NewDisjunctionQuery(alts), w, nil
}

// best returns the n keys of the highest weights, highest first.
func best(weights map[string]float64, n int) []string {
	keys := make([]string, 0, len(weights))
	for k := range weights {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if weights[keys[i]] != weights[keys[j]] {
			return weights[keys[i]] > weights[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return slices.Clip(keys[:min(n, len(keys))])
}

// firstPass returns the best hits of the first pass and its total, for deciding on a
// second one; the page's own hits serve when it is the first page.
func firstPass(ctx context.Context, s searcher, q query.Query, page int, res *engine.Result) (ids []string, total uint64, err error) {
	if page != 1 {
		if res, err = s.Search(ctx, engine.Query{Query: q, Size: widenFrom}); err != nil {
			return nil, 0, err
		}
	}
	for i, h := range res.Hits {
		if i == widenFrom {
			break
		}
		ids = append(ids, h.ID)
	}
	return ids, res.Total, nil
}

// withClause adds a clause to the words of a text query (inside its conjunction with
// quoted phrases, if any).
func withClause(text, extra query.Query) query.Query {
	if q, ok := text.(*query.ConjunctionQuery); ok {
		parts := slices.Clone(q.Conjuncts)
		parts[0] = withClause(parts[0], extra)
		return query.NewConjunctionQuery(parts)
	}
	return query.NewDisjunctionQuery(append(slices.Clip(wordClauses(text)), extra))
}

// secondPass returns the query widened by the first pass's best hits when that pass was
// weak, and how; else the query as it was and nil.
func (ix *Index) secondPass(ctx context.Context, idx *opened, s searcher, qb queryBuilder, req search.Request, text query.Query, filters []query.Query, res *engine.Result, pq parsedQuery, concepts map[string][]string) (query.Query, *search.Widening, error) {
	from, total, err := firstPass(ctx, s, conjunction(text, filters), req.Page, res)
	if err != nil || len(from) == 0 {
		return text, nil, err
	}
	if isWeak, err := weak(ctx, s, text, total, from[0]); err != nil || !isWeak {
		return text, nil, err
	}
	extra, w, err := ix.widening(idx, qb, from, pq, concepts)
	if err != nil || extra == nil {
		return text, nil, err
	}
	return withClause(text, extra), w, nil
}

func reading(asked []string, w *search.Widening) *search.Reading {
	if len(asked) == 0 && w == nil {
		return nil
	}
	return &search.Reading{Asked: asked, Widened: w}
}
