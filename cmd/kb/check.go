package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uclg-digital-cities/kb/internal/admin"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// runCheck checks the whole store: directly, read-only, when no server holds it (the
// data dir's checks at open come first, so a store cut short is refused, not mapped),
// or through the admin socket of the server that does.
func runCheck(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "check")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	r, err := checkStore(ctx, *data)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%s: %d practices (%d counted), %d versions, %d checksums compared, %d bytes of pages checked in %s\n",
			*data, r.Practices, r.Counted, r.Versions, r.Checksums, r.Bytes, r.Took.Round(time.Millisecond))
		for _, n := range r.Notes {
			fmt.Fprintf(e.stdout, "note: %s\n", n)
		}
		for _, p := range r.Problems {
			fmt.Fprintf(e.stdout, "damaged: %s\n", p)
		}
		if r.More > 0 {
			fmt.Fprintf(e.stdout, "damaged: %d more problems\n", r.More)
		}
	}
	if n := len(r.Problems) + r.More; n > 0 {
		return apperr.Errorf(apperr.Damaged, "the store in %s is damaged (%d problems). Restore the last good backup: move %s aside and run kb restore --data %s FILE", *data, n, *data, *data)
	}
	if !*asJSON {
		fmt.Fprintln(e.stdout, "the store is whole")
	}
	return nil
}

func checkStore(ctx context.Context, dataDir string) (store.CheckReport, error) {
	if err := store.CheckDataDir(dataDir, app.IndexDir); err != nil {
		return store.CheckReport{}, err
	}
	if _, err := os.Stat(filepath.Join(dataDir, store.File)); err != nil {
		return store.CheckReport{}, fmt.Errorf("no store to check in %s: %w", dataDir, err)
	}
	s, err := store.Open(dataDir, store.Options{LockTimeout: lockWait, ReadOnly: true})
	if errors.Is(err, store.ErrLocked) {
		c, err := admin.Dial(ctx, dataDir)
		if err != nil {
			return store.CheckReport{}, err
		}
		defer c.Close()
		return c.Check(ctx)
	}
	if err != nil {
		return store.CheckReport{}, err
	}
	defer s.Close()
	return s.Verify(ctx)
}
