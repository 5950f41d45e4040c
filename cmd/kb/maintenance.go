package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/findings"
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
	var problems []string
	ps, err := readCorpusDir(dir)
	var ce *practices.CorpusError
	switch {
	case errors.As(err, &ce):
		for _, p := range ce.Problems {
			problems = append(problems, p.String())
		}
	case err != nil:
		return err
	}
	figures, err := lintFindings(dir)
	var fe *findings.Error
	switch {
	case errors.As(err, &fe):
		for _, p := range fe.Problems {
			problems = append(problems, p.String())
		}
	case err != nil:
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(e.stdout, p)
		}
		return fmt.Errorf("%d problems in %s", len(problems), dir)
	}
	fmt.Fprintf(e.stdout, "%s: %d practices, all valid\n", dir, len(ps))
	if figures >= 0 {
		fmt.Fprintf(e.stdout, "%s: %d figures, all valid\n", filepath.Join(dir, corpus.FindingsFile), figures)
	}
	return nil
}

// lintFindings checks dir's findings file, when it has one, and returns its number of
// figures (-1 without one).
func lintFindings(dir string) (int, error) {
	name := filepath.Join(dir, corpus.FindingsFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return -1, nil
	}
	if err != nil {
		return 0, &findings.Error{Problems: []findings.Problem{{File: name, Line: 1, Message: "cannot read: " + err.Error()}}}
	}
	f, err := findings.Parse(name, data, app.FindingsVocab())
	if err != nil {
		return 0, err
	}
	return len(f.Figures), nil
}

func runVersion(ctx context.Context, e env, args []string) error {
	fmt.Fprintf(e.stdout, "kb %s\n", buildVersion())
	return nil
}

// buildVersion is the module version kb was built as, "(devel)" from a checkout.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
