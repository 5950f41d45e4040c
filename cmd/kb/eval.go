package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/relevance"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// runEval measures ranking quality on a judged set: kb eval search|recommend FILE.
// The judged ids name practices of the embedded corpus, so by default it runs on a
// fresh temporary data dir seeded with it; --data evaluates an existing one.
func runEval(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("kb eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", "", "evaluate this data dir instead of a fresh copy of the embedded corpus")
	k := fs.Int("k", 10, "depth of the metrics")
	previous := fs.String("previous", "", "an earlier release's rankings of the set to print beside (default FILE with .previous.json for .json, when it exists)")
	record := fs.String("record", "", "write this release's rankings of the set to this file, for the next release's --previous, instead of measuring")
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
	cfg := app.Config{DataDir: dir, LockTimeout: lockWait}
	// With an embedding model, the search set is also measured hybrid.
	if aiCfg, ok := ai.ConfigFromEnv(e.getenv); ok && aiCfg.EmbedModel != "" && rest[0] == "search" {
		cfg.AI = &aiCfg
	}
	a, err := app.Open(ctx, cfg)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("a server holds %s; evaluate without --data (a fresh copy of the corpus) or stop it", dir)
	}
	if err != nil {
		return err
	}
	defer a.Close()
	if rest[0] == "recommend" {
		if *record != "" {
			return recordRecommend(ctx, a, rest[1], *record, *k)
		}
		return evalRecommend(ctx, e, a, rest[1], previousFile(rest[1], *previous), *k)
	}
	if *record != "" {
		return recordSearch(ctx, a, rest[1], *record, *k)
	}
	return evalSearch(ctx, e, a, rest[1], previousFile(rest[1], *previous), *k)
}

// previousFile is the earlier release's rankings of the set in file: the one given, else
// FILE.previous.json beside it when it exists.
func previousFile(file, given string) string {
	if given != "" {
		return given
	}
	if p := strings.TrimSuffix(file, ".json") + ".previous.json"; fileExists(p) {
		return p
	}
	return ""
}

func evalSearch(ctx context.Context, e env, a *app.App, file, previous string, k int) error {
	set, err := relevance.Load(file)
	if err != nil {
		return err
	}
	if err := relevance.CheckJudgements(ctx, set, a); err != nil {
		return err
	}
	configs := relevance.SearchConfigs
	if a.Semantic != nil {
		if _, err := a.Semantic.Sync(ctx, progressBar(e, "embedding")); err != nil {
			return fmt.Errorf("embed the practices: %w", err)
		}
		configs = relevance.HybridConfigs
	}
	rankers, release, err := relevance.SearchRankers(ctx, a, k)
	if err != nil {
		return err
	}
	defer release()
	fmt.Fprintf(e.stdout, "%d queries from %s; plain = Bleve BM25, words = kb without the thesaurus, kb = everything lexical, hybrid = kb fused with semantic search (with an AI endpoint)\n", len(set.Queries), file)
	if previous != "" {
		prev, err := relevance.LoadSearchPrevious(previous)
		if err != nil {
			return err
		}
		ranker, missing := prev.Ranker(set)
		if len(missing) > 0 {
			fmt.Fprintf(e.stdout, "the previous release's rankings (%s) lack %d of the queries (%q first): not compared\n", prev.Release, len(missing), missing[0])
		} else {
			fmt.Fprintf(e.stdout, "previous = %s\n", prev.Release)
			rankers[relevance.ConfigPreviousSearch], configs = ranker, relevance.WithPrevious(configs)
		}
	}
	report, err := relevance.Run(set, k, configs, rankers)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	report.Print(e.stdout, k)
	return nil
}

func recordSearch(ctx context.Context, a *app.App, file, out string, k int) error {
	set, err := relevance.Load(file)
	if err != nil {
		return err
	}
	rankers, release, err := relevance.SearchRankers(ctx, a, k)
	if err != nil {
		return err
	}
	defer release()
	prev, err := relevance.RecordSearch(set, rankers["kb"], "kb "+buildVersion())
	if err != nil {
		return err
	}
	return writeJSONFile(out, prev)
}

func evalRecommend(ctx context.Context, e env, a *app.App, file, previous string, k int) error {
	set, err := relevance.LoadRecommend(file)
	if err != nil {
		return err
	}
	var prev *relevance.Previous
	if previous != "" {
		if prev, err = relevance.LoadPrevious(previous); err != nil {
			return err
		}
	}
	report, err := relevance.RunRecommend(ctx, set, a, k, prev)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d profiles from %s; baseline = practices in the weak areas by title, kb = the recommender\n\n", len(set.Cases), file)
	report.Print(e.stdout, k)
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func recordRecommend(ctx context.Context, a *app.App, file, out string, k int) error {
	set, err := relevance.LoadRecommend(file)
	if err != nil {
		return err
	}
	prev, err := relevance.Record(ctx, set, a, k, "kb "+buildVersion())
	if err != nil {
		return err
	}
	return writeJSONFile(out, prev)
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
