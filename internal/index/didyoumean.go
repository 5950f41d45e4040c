package index

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// didYouMean rewrites a query that found nothing with, for each word the index does not
// know, the indexed word nearest to it (fewest edits, then most frequent). It returns ""
// when no word could be replaced.
func (ix *Index) didYouMean(idx bleve.Index, words []string) string {
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
	qb := queryBuilder{m: ix.analysis}
	changed := false
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		n := utf8.RuneCountInString(w)
		if n < 3 || qb.isStopWord(w) {
			continue
		}
		maxEdits := 1
		if n >= 5 {
			maxEdits = 2
		}
		if best := nearestTerm(fuzzy, foldWord(qb, w), maxEdits); best != "" {
			out[i], changed = best, true
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(out, " ")
}

// nearestTerm returns the indexed term nearest to term, "" when term itself is indexed or
// nothing lies within maxEdits.
func nearestTerm(r bleveindex.IndexReaderFuzzy, term string, maxEdits int) string {
	d, err := r.FieldDictFuzzy(exactField, term, maxEdits, "")
	if err != nil {
		return ""
	}
	defer d.Close()
	best, bestDist, bestCount := "", maxEdits+1, uint64(0)
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			break
		}
		if e.Term == term {
			return ""
		}
		dist := editDistance(term, e.Term)
		if dist < bestDist || (dist == bestDist && e.Count > bestCount) {
			best, bestDist, bestCount = e.Term, dist, e.Count
		}
	}
	return best
}
