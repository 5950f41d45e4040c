package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/evaluate"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// runEval measures ranking quality on a judged set: kb eval search|recommend FILE.
// The judged ids name practices of the embedded corpus, so by default it runs on a
// fresh temporary data dir seeded with it; --data evaluates an existing one.
func runEval(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("kb eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", "", "evaluate this data dir instead of a fresh copy of the embedded corpus")
	k := fs.Int("k", 10, "depth of the metrics")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 || (rest[0] != "search" && rest[0] != "recommend") {
		return usagef("usage: kb eval search|recommend FILE")
	}
	dir := *data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "kb-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	a, err := app.Open(ctx, app.Config{DataDir: dir, LockTimeout: lockWait})
	if errors.Is(err, practices.ErrLocked) {
		return fmt.Errorf("a server holds %s; evaluate without --data (a fresh copy of the corpus) or stop it", dir)
	}
	if err != nil {
		return err
	}
	defer a.Close()
	if rest[0] == "recommend" {
		return evalRecommend(ctx, e, a, rest[1], *k)
	}
	return evalSearch(ctx, e, a, rest[1], *k)
}

func evalSearch(ctx context.Context, e env, a *app.App, file string, k int) error {
	set, err := evaluate.Load(file)
	if err != nil {
		return err
	}
	if err := evaluate.CheckJudgements(ctx, set, a); err != nil {
		return err
	}
	configs := evaluate.SearchConfigs
	if cfg, ok := ai.ConfigFromEnv(e.getenv); ok && cfg.EmbedModel != "" {
		sem, err := ai.NewSemantic(a.Store, ai.New(cfg), nil)
		if err != nil {
			return err
		}
		if _, err := sem.Sync(ctx, progressBar(e, "embedding")); err != nil {
			return fmt.Errorf("embed the practices: %w", err)
		}
		a.Semantic, configs = sem, evaluate.HybridConfigs
	}
	rankers, release, err := evaluate.SearchRankers(ctx, a, k)
	if err != nil {
		return err
	}
	defer release()
	report, err := evaluate.Run(set, k, configs, rankers)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d queries from %s; plain = Bleve BM25, words = kb without the thesaurus, kb = everything lexical, hybrid = kb fused with semantic search (with an AI endpoint)\n\n", len(set.Queries), file)
	report.Print(e.stdout, k)
	return nil
}

func evalRecommend(ctx context.Context, e env, a *app.App, file string, k int) error {
	set, err := evaluate.LoadRecommend(file)
	if err != nil {
		return err
	}
	report, err := evaluate.RunRecommend(ctx, set, a, k)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d profiles from %s; baseline = practices in the weak areas by title, kb = the recommender\n\n", len(set.Cases), file)
	report.Print(e.stdout, k)
	return nil
}
