package evaluate

import (
	"context"
	"fmt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// SearchConfigs are the configurations the search evaluation compares, in column order:
// a plain Bleve BM25 index of the same practices; kb's ranking without the thesaurus
// (exact, stemmed and fuzzy words, field weights); and kb in full, lexical.
var SearchConfigs = []string{"plain", "words", "kb"}

// HybridConfigs add kb's hybrid search when an AI endpoint with an embedding model is on.
var HybridConfigs = append(append([]string(nil), SearchConfigs...), "hybrid")

// SearchRankers builds a ranker per configuration over the practices of a. The returned
// function releases the baseline index.
func SearchRankers(ctx context.Context, a *app.App, k int) (map[string]Ranker, func(), error) {
	var ps []*practices.Practice
	if err := a.Store.Each(ctx, func(p *practices.Practice) error { ps = append(ps, p); return nil }); err != nil {
		return nil, nil, err
	}
	plain, err := index.NewPlain(ps)
	if err != nil {
		return nil, nil, err
	}
	kb := func(noConcepts, lexical bool) Ranker {
		return func(q Query) ([]string, error) {
			res, err := a.Search(ctx, index.Request{Query: q.Q, Limit: k, NoConcepts: noConcepts, Lexical: lexical, Lang: q.Language()})
			if err != nil {
				return nil, err
			}
			ids := make([]string, len(res.Hits))
			for i, h := range res.Hits {
				ids[i] = h.ID
			}
			return ids, nil
		}
	}
	rankers := map[string]Ranker{
		"plain":  func(q Query) ([]string, error) { return plain.Search(ctx, q.Q, k) },
		"words":  kb(true, true),
		"kb":     kb(false, true),
		"hybrid": kb(false, false),
	}
	return rankers, func() { plain.Close() }, nil
}

// CheckJudgements reports ids the set judges that a does not hold.
func CheckJudgements(ctx context.Context, set *Set, a *app.App) error {
	for _, q := range set.Queries {
		for id := range q.Relevant {
			if _, err := a.Get(ctx, id); err != nil {
				return fmt.Errorf("query %q judges %q: %w", q.Q, id, err)
			}
		}
	}
	return nil
}
