package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

func runImport(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "import")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usagef("give one path: a corpus folder or a JSON Lines file")
	}
	ps, mode, err := readImport(paths[0])
	if err != nil {
		return err
	}
	// An import chooses what the store holds: a new store is not seeded first.
	b, err := openBackend(ctx, e, *data, true)
	if err != nil {
		return err
	}
	defer b.Close()
	report, err := b.ImportWithProgress(ctx, ps, mode, progressBar(e, "importing"))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s: %d added, %d updated, %d unchanged\n", paths[0], report.Added, report.Updated, report.Unchanged)
	if report.IndexError != "" {
		return fmt.Errorf("the practices are stored, but the search index did not follow (%s); it catches up at the next write or start, or run kb reindex", report.IndexError)
	}
	return nil
}

// readImport reads a corpus folder (new versions of its practices) or a JSON Lines
// export (restored with the versions and dates it records).
func readImport(path string) ([]*practices.Practice, store.PutMode, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if st.IsDir() {
		ps, err := readCorpusDir(path)
		return ps, store.NewVersion, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	ps, err := practices.ReadJSONL(path, f)
	return ps, store.KeepVersion, err
}

// readCorpusDir parses a corpus folder, naming problems by their path on disk.
func readCorpusDir(dir string) ([]*practices.Practice, error) {
	geo, err := app.LoadGeography()
	if err != nil {
		return nil, err
	}
	ps, err := practices.ReadCorpus(os.DirFS(dir), ".", geo)
	if ce, ok := err.(*practices.CorpusError); ok {
		for i := range ce.Problems {
			ce.Problems[i].File = filepath.Join(dir, ce.Problems[i].File)
		}
	}
	return ps, err
}

func runExport(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "export")
	format := fs.String("format", practices.FormatJSONL, "jsonl or csv")
	out := fs.String("out", "", "write to FILE instead of standard output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	if *out == "" {
		return b.Export(ctx, e.stdout, *format)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := b.Export(ctx, f, *format); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	return f.Close()
}
