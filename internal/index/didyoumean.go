package index

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
)

// didYouMean rewrites a query that found nothing with, for each word no language knows
// (a word of any is spelled right, if not found), the indexed word nearest to it (fewest
// edits, then in most practices). It returns "" when no word could be replaced.
func didYouMean(ctx context.Context, qb queryBuilder, words []string) string {
	if qb.terms == nil {
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
		if best := qb.nearestTerm(ctx, schema.NewAnalysis(qb.m).Fold(w), maxEdits); best != "" {
			out[i], changed = best, true
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(out, " ")
}

// nearestTerm returns the word of the query's language (of any, when it is not known)
// nearest to term, by the edits and the document counts the engine reports; "" when
// term itself is indexed or nothing lies within maxEdits.
func (qb queryBuilder) nearestTerm(ctx context.Context, term string, maxEdits int) string {
	langs := qb.languages()
	if qb.lang != "" {
		langs = []string{qb.lang}
	}
	var best engine.NearTerm
	for _, lang := range langs {
		near, err := qb.terms.Near(ctx, schema.ExactField(lang), term, maxEdits)
		if err != nil {
			continue // a field missing from every segment has no near terms
		}
		for _, t := range near {
			if t.Term == term {
				return ""
			}
			if best.Term == "" || t.Edits < best.Edits || t.Edits == best.Edits && t.Docs > best.Docs {
				best = t
			}
		}
	}
	return best.Term
}
