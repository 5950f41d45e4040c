package relevance

import (
	"context"
	"fmt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// SearchConfigs are the configurations the search evaluation compares, in column order:
// a plain Bleve BM25 index of the same practices; kb's ranking without the thesaurus
// (exact, stemmed and fuzzy words, field weights); kb without the second pass that
// widens a weak query; and kb in full, lexical.
var SearchConfigs = []string{"plain", "words", "one-pass", "kb"}

// HybridConfigs add kb's hybrid search when an AI endpoint with an embedding model is on.
var HybridConfigs = append(append([]string(nil), SearchConfigs...), "hybrid")

// SearchRankers builds a ranker per configuration over the practices of a. The returned
// function releases the baseline index.
func SearchRankers(ctx context.Context, a *app.App, k int) (map[string]Ranker, func(), error) {
	var ps []*practices.Practice
	if err := a.Store.Each(ctx, func(p *practices.Practice) error { ps = append(ps, p); return nil }); err != nil {
		return nil, nil, err
	}
	plain, err := NewPlain(ps)
	if err != nil {
		return nil, nil, err
	}
	rankers := map[string]Ranker{
		"plain":    func(q Query) ([]string, error) { return plain.Search(ctx, q.Q, k) },
		"words":    NewSearcher(a, SearchOptions{NoConcepts: true}).Ranker(ctx, k),
		"one-pass": NewSearcher(a, SearchOptions{NoWidening: true}).Ranker(ctx, k),
		"kb":       NewSearcher(a, SearchOptions{}).Ranker(ctx, k),
		"hybrid":   NewSearcher(a, SearchOptions{Hybrid: true}).Ranker(ctx, k),
	}
	return rankers, func() { plain.Close() }, nil
}

// SearchOptions say which parts of kb's ranking a Searcher uses, to measure what each
// adds.
type SearchOptions struct {
	// NoConcepts leaves out the thesaurus's expansion of the query, NoWidening the second
	// pass that widens a weak one.
	NoConcepts, NoWidening bool
	// Hybrid fuses the lexical ranking with the semantic one, as the app does when an
	// embedding model is configured; otherwise the ranking is lexical.
	Hybrid bool
}

// Searcher ranks the practices of a knowledge base one way, fixed when it is made: the
// knobs of measurement live here, not in the search requests production serves.
type Searcher struct {
	search func(ctx context.Context, req search.Request) ([]string, error)
}

// NewSearcher makes a searcher of a's practices that ranks as opts say.
func NewSearcher(a *app.App, opts SearchOptions) *Searcher {
	switch {
	case opts.Hybrid:
		return &Searcher{func(ctx context.Context, req search.Request) ([]string, error) {
			res, err := a.Search(ctx, req)
			if err != nil {
				return nil, err
			}
			return idsOf(res.Hits, func(h app.SearchHit) string { return h.ID }), nil
		}}
	case opts.NoConcepts || opts.NoWidening:
		without := index.Without{Concepts: opts.NoConcepts, Widening: opts.NoWidening}
		return &Searcher{indexIDs(func(ctx context.Context, req search.Request) (*search.Result, error) {
			return a.Index.SearchWithout(ctx, req, without)
		})}
	}
	return &Searcher{indexIDs(a.Index.Search)}
}

// indexIDs is the ids of the hits of an index search.
func indexIDs(find func(context.Context, search.Request) (*search.Result, error)) func(context.Context, search.Request) ([]string, error) {
	return func(ctx context.Context, req search.Request) ([]string, error) {
		res, err := find(ctx, req)
		if err != nil {
			return nil, err
		}
		return idsOf(res.Hits, func(h search.Hit) string { return h.ID }), nil
	}
}

func idsOf[H any](hits []H, id func(H) string) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = id(h)
	}
	return ids
}

// Search returns the ids of the best k practices for q, in its language.
func (s *Searcher) Search(ctx context.Context, q Query, k int) ([]string, error) {
	return s.search(ctx, search.Request{Query: q.Q, Limit: k, Lang: q.Language()})
}

// Ranker is the searcher as a ranker of the evaluation, k deep.
func (s *Searcher) Ranker(ctx context.Context, k int) Ranker {
	return func(q Query) ([]string, error) { return s.Search(ctx, q, k) }
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

// ConfigPreviousSearch is the column of an earlier release's rankings of the judged
// queries (kb eval search --record), printed between words and kb.
const ConfigPreviousSearch = "previous"

// SearchPrevious holds the rankings an earlier release gave each judged query, so that
// every run prints its figures beside this one's.
type SearchPrevious struct {
	Release  string            `json:"release"`
	How      string            `json:"how"`
	Rankings []PreviousRanking `json:"rankings"`
}

// PreviousRanking is one query (its text and language) and the ids ranked for it.
type PreviousRanking struct {
	Q      string   `json:"q"`
	Lang   string   `json:"lang"`
	Ranked []string `json:"ranked"`
}

// LoadSearchPrevious reads an earlier release's rankings of the judged queries.
func LoadSearchPrevious(path string) (*SearchPrevious, error) {
	var p SearchPrevious
	if err := loadStrict(path, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RecordSearch ranks every query of the set with kb in full (lexical), for the next
// release to print beside its own.
func RecordSearch(set *Set, kb Ranker, release string) (*SearchPrevious, error) {
	out := &SearchPrevious{Release: release, Rankings: []PreviousRanking{},
		How: "kb eval search --record: each query through this release's lexical search, in its language, on a fresh copy of the embedded corpus"}
	for _, q := range set.Queries {
		ids, err := kb(q)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", q.Q, err)
		}
		out.Rankings = append(out.Rankings, PreviousRanking{Q: q.Q, Lang: q.Language(), Ranked: append([]string{}, ids...)})
	}
	return out, nil
}

// Ranker answers with the recorded rankings; missing lists the queries of set it holds
// none for (the column is left out then: a query it never saw would score 0).
func (p *SearchPrevious) Ranker(set *Set) (r Ranker, missing []string) {
	key := func(q, lang string) string { return lang + "\x00" + q }
	byQuery := map[string][]string{}
	for _, pr := range p.Rankings {
		byQuery[key(pr.Q, pr.Lang)] = pr.Ranked
	}
	for _, q := range set.Queries {
		if _, ok := byQuery[key(q.Q, q.Language())]; !ok {
			missing = append(missing, q.Q)
		}
	}
	return func(q Query) ([]string, error) { return byQuery[key(q.Q, q.Language())], nil }, missing
}

// WithPrevious inserts the previous release's column before kb's.
func WithPrevious(configs []string) []string {
	out := []string{}
	for _, c := range configs {
		if c == "kb" {
			out = append(out, ConfigPreviousSearch)
		}
		out = append(out, c)
	}
	return out
}
