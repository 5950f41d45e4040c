package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/evaluate"
)

// Floors under the relevance figures on testdata/search_eval.json, set just under what
// the search measured when they were last raised: a drop below them is a regression.
// The plain BM25 baseline is printed beside the full search, so a gain is visible too.
const (
	floorNDCG        = 0.92
	floorRecall      = 0.96
	minGainOverPlain = 0.15
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
	if err := evaluate.CheckJudgements(ctx, set, a); err != nil {
		t.Fatal(err)
	}
	rankers, release, err := evaluate.SearchRankers(ctx, a, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	report, err := evaluate.Run(set, 10, evaluate.SearchConfigs, rankers)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	report.Print(&b, 10)
	t.Logf("search relevance on %d queries:\n%s", len(set.Queries), b.String())
	if testing.Verbose() || os.Getenv("KB_EVAL_DETAIL") != "" {
		for i, q := range set.Queries {
			t.Logf("%-45q nDCG kb %.2f words %.2f plain %.2f", q.Q, report.PerQuery["kb"][i].NDCG, report.PerQuery["words"][i].NDCG, report.PerQuery["plain"][i].NDCG)
		}
	}
	got, plain := report.Overall["kb"], report.Overall["plain"]
	if got.NDCG < floorNDCG || got.Recall < floorRecall {
		t.Errorf("relevance fell: nDCG@10 %.3f (floor %.2f), recall@10 %.3f (floor %.2f)", got.NDCG, floorNDCG, got.Recall, floorRecall)
	}
	if got.NDCG-plain.NDCG < minGainOverPlain {
		t.Errorf("nDCG@10 %.3f is only %.3f above plain BM25 (%.3f), want at least %.2f", got.NDCG, got.NDCG-plain.NDCG, plain.NDCG, minGainOverPlain)
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
