package index

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// didYouMean rewrites a query that found nothing with, for each word no language knows
// (a word of any is spelled right, if not found), the indexed word nearest to it (fewest
// edits, then most frequent). It returns "" when no word could be replaced.
func (ix *Index) didYouMean(idx bleve.Index, qb queryBuilder, words []string) string {
	adv, err := idx.Advanced()
	if err != nil {
		return ""
	}
	r, err := adv.Reader()
	if err != nil {
		return ""
	}
	defer r.Close()
	fuzzy, ok := r.(bleveindex.IndexReaderFuzzy)
	if !ok {
		return ""
	}
	changed := false
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		n := utf8.RuneCountInString(w)
		if n < 3 || qb.isStopWord(w) || len(qb.knownIn(w)) > 0 {
			continue
		}
		maxEdits := 1
		if n >= 5 {
			maxEdits = 2
		}
		if best := qb.nearestTerm(fuzzy, foldWord(qb, w), maxEdits); best != "" {
			out[i], changed = best, true
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(out, " ")
}

// nearestTerm returns the word of the query's language (of any, when it is not known)
// nearest to term, "" when term itself is indexed or nothing lies within maxEdits.
func (qb queryBuilder) nearestTerm(r bleveindex.IndexReaderFuzzy, term string, maxEdits int) string {
	langs := qb.languages()
	if qb.lang != "" {
		langs = []string{qb.lang}
	}
	best, bestDist, bestCount := "", maxEdits+1, uint64(0)
	for _, lang := range langs {
		t, dist, count, exact := nearestIn(r, exactFieldOf(lang), term, maxEdits)
		if exact {
			return ""
		}
		if t != "" && (dist < bestDist || dist == bestDist && count > bestCount) {
			best, bestDist, bestCount = t, dist, count
		}
	}
	return best
}

// nearestIn returns the term of field nearest to term, its distance and count; exact when
// term itself is there.
func nearestIn(r bleveindex.IndexReaderFuzzy, field, term string, maxEdits int) (best string, bestDist int, bestCount uint64, exact bool) {
	d, err := r.FieldDictFuzzy(field, term, maxEdits, "")
	if err != nil {
		return "", 0, 0, false
	}
	defer d.Close()
	bestDist = maxEdits + 1
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			break
		}
		if e.Term == term {
			return "", 0, 0, true
		}
		dist := editDistance(term, e.Term)
		if dist < bestDist || (dist == bestDist && e.Count > bestCount) {
			best, bestDist, bestCount = e.Term, dist, e.Count
		}
	}
	return best, bestDist, bestCount, false
}
