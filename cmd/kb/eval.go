package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/evaluate"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// runEval measures ranking quality on a judged set: kb eval search FILE.
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
	if len(rest) != 2 || rest[0] != "search" {
		return usagef("usage: kb eval search FILE")
	}
	set, err := evaluate.Load(rest[1])
	if err != nil {
		return err
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
	if err := evaluate.CheckJudgements(ctx, set, a); err != nil {
		return err
	}
	rankers, release, err := evaluate.SearchRankers(ctx, a, *k)
	if err != nil {
		return err
	}
	defer release()
	report, err := evaluate.Run(set, *k, evaluate.SearchConfigs, rankers)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d queries from %s; plain = Bleve BM25, words = kb without the thesaurus, kb = everything\n\n", len(set.Queries), rest[1])
	report.Print(e.stdout, *k)
	return nil
}
