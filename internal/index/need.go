package index

import (
	"github.com/uclg-digital-cities/kb/internal/asking"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Questions and long descriptions are read as needs. City staff ask "how can we keep
// older people in touch during a lockdown?" or write twenty words about their city; the
// words that say a question is being asked ("how can we", "¿qué puede hacer el
// ayuntamiento para") say nothing about what it is about, and in a long text the
// words every practice has ("city", "digital", "people") would outweigh the few that
// tell. So, in the query's language: the asking phrases (internal/asking) are set aside,
// and a long query's common words are weighted down as one clause (keyClauses).

// withoutAsking returns the query without the words that only its asking phrases hold,
// and those phrases; a query that is nothing but asking is left whole.
func withoutAsking(lang, text string, pq parsedQuery) (parsedQuery, []string) {
	phrases, only := asking.Find(lang, text)
	if len(only) == 0 {
		return pq, nil
	}
	kept := make([]string, 0, len(pq.words))
	for _, w := range pq.words {
		if !only[practices.Fold(w)] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return pq, nil
	}
	pq.words = kept
	return pq, phrases
}

// A long query's common words are weighted down: from longQuery searchable words on, a
// word found in more than commonShare of the practices (in the languages it is read in)
// weighs commonWeight, and the common words count as one clause in the share of clauses
// a practice matches, as long as keyWordsAtLeast words remain that are not common.
const (
	longQuery       = 4
	keyWordsAtLeast = 2
	commonShare     = 0.5
	commonWeight    = 0.5
)

// commonWords picks the common words of a long query.
func (b queryBuilder) commonWords(words []string) map[string]bool {
	if b.docFreq == nil || b.docs == 0 {
		return nil
	}
	var searchable []string
	for _, w := range words {
		if !b.isStopWord(w) {
			searchable = append(searchable, w)
		}
	}
	if len(searchable) < longQuery {
		return nil
	}
	out := map[string]bool{}
	for _, w := range searchable {
		if b.share(w) > commonShare {
			out[w] = true
		}
	}
	if len(searchable)-len(out) < keyWordsAtLeast {
		return nil
	}
	return out
}

// share is the share of practices whose text holds the word, in the language it is
// read in where it holds it most.
func (b queryBuilder) share(w string) float64 {
	langs, _ := b.wordLanguages(w, b.lang)
	var df uint64
	for _, l := range langs {
		if stems := b.analyze(l, w); len(stems) == 1 {
			df = max(df, b.docFreq(schema.TextField("body", l), stems[0]))
		}
	}
	return float64(df) / float64(b.docs)
}
