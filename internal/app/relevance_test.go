package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/evaluate"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Floors under the relevance figures on testdata/search_eval.json, set just under what
// the search measured when they were last raised: a drop below them is a regression.
// The plain BM25 baseline is printed beside the full search, so a gain is visible too.
const (
	floorNDCG   = 0.80
	floorRecall = 0.85
)

func TestRelevance(t *testing.T) {
	ctx := context.Background()
	a := openCorpusApp(t)
	set, err := evaluate.Load("../../testdata/search_eval.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Queries) < 40 {
		t.Fatalf("the relevance set has %d queries, want at least 40", len(set.Queries))
	}
	known := map[string]bool{}
	a.Store.Each(ctx, func(p *practices.Practice) error { known[p.ID] = true; return nil })
	for _, q := range set.Queries {
		for id := range q.Relevant {
			if !known[id] {
				t.Fatalf("query %q judges %q, which is not in the corpus", q.Q, id)
			}
		}
	}
	ps, err := practices.ReadCorpus(corpus.FS, ".", a.Geo)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := index.NewPlain(ps)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()

	rankers := map[string]evaluate.Ranker{
		"plain": func(q evaluate.Query) ([]string, error) { return plain.Search(ctx, q.Q, 10) },
		"kb": func(q evaluate.Query) ([]string, error) {
			res, err := a.Search(ctx, index.Request{Query: q.Q, Limit: 10})
			if err != nil {
				return nil, err
			}
			ids := make([]string, len(res.Hits))
			for i, h := range res.Hits {
				ids[i] = h.ID
			}
			return ids, nil
		},
	}
	report, err := evaluate.Run(set, 10, []string{"plain", "kb"}, rankers)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	report.Print(&b, 10)
	t.Logf("search relevance on %d queries:\n%s", len(set.Queries), b.String())
	if testing.Verbose() || os.Getenv("KB_EVAL_DETAIL") != "" {
		for i, q := range set.Queries {
			t.Logf("%-45q nDCG %.2f plain %.2f", q.Q, report.PerQuery["kb"][i].NDCG, report.PerQuery["plain"][i].NDCG)
		}
	}
	got := report.Overall["kb"]
	if got.NDCG < floorNDCG || got.Recall < floorRecall {
		t.Errorf("relevance fell: nDCG@10 %.3f (floor %.2f), recall@10 %.3f (floor %.2f)", got.NDCG, floorNDCG, got.Recall, floorRecall)
	}
}

// openCorpusApp opens a knowledge base on the embedded corpus in a temporary data dir.
func openCorpusApp(t *testing.T) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}
