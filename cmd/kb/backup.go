package main

import (
	"context"
	"fmt"
	"os"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// runBackup writes a consistent snapshot of the store, also while a server runs.
func runBackup(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "backup")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("give the backup file to write: kb backup FILE")
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	tmp := files[0] + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := b.Backup(ctx, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	// The partial file only takes the name once it is complete.
	if err := os.Rename(tmp, files[0]); err != nil {
		return err
	}
	st, _ := os.Stat(files[0])
	fmt.Fprintf(e.stdout, "backed up %s to %s (%d bytes)\n", *data, files[0], st.Size())
	return nil
}

// runRestore puts a backup into an empty data dir.
func runRestore(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "restore")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("give the backup file: kb restore --data EMPTY_DIR FILE")
	}
	if err := store.Restore(files[0], *data); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s into %s; the index is rebuilt at the next start\n", files[0], *data)
	return nil
}
