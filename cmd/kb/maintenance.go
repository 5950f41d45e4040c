package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

func runReindex(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "reindex")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	report, err := b.Reindex(ctx, progressBar(e, "reindexing"))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reindexed %d practices (%d searchable)\n", report.Practices, report.Indexed)
	return nil
}

// runValidate lints a corpus folder: ./corpus when no DIR is given.
func runValidate(ctx context.Context, e env, args []string) error {
	fs, _ := newFlags(e, "validate")
	dirs, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	dir := "corpus"
	switch len(dirs) {
	case 0:
	case 1:
		dir = dirs[0]
	default:
		return usagef("give one corpus folder")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("%s is not a folder", dir)
	}
	ps, err := readCorpusDir(dir)
	var ce *practices.CorpusError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintln(e.stdout, p.String())
		}
		return fmt.Errorf("%d problems in %s", len(ce.Problems), dir)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d practices, all valid\n", dir, len(ps))
	return nil
}

func runVersion(ctx context.Context, e env, args []string) error {
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	fmt.Fprintf(e.stdout, "kb %s\n", version)
	return nil
}
