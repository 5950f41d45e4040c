package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// MarkerFile is written in a data dir when a store is first opened there. Without it a
// missing store meant a new one, so a kb.db lost by accident was silently replaced by the
// embedded corpus, and users, submissions and edits went with it.
const MarkerFile = ".kb-initialised"

// restoreHint says how to put a store back; every refusal at open ends with it.
func restoreHint(dataDir string) string {
	return fmt.Sprintf("move the data dir aside (mv %s %s.damaged) and put the last backup in its place: kb restore --data %s FILE", dataDir, dataDir, dataDir)
}

// CheckDataDir refuses to open a data dir that is not safe to use: one writable by group
// or others (anyone who can write there can replace kb.db or the admin socket), one whose
// store is missing though the dir was used (the marker, or any of the derived entries
// given, such as the index, is there), and a store file that is empty, cut short or has
// no readable header (bbolt would re-create the first, and map the second and crash on
// the first page past its end with SIGBUS). A dir that does not exist yet is fine.
func CheckDataDir(dataDir string, derived ...string) error {
	st, err := os.Stat(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("data dir %s is not a directory", dataDir)
	}
	if err := notShared(dataDir, st); err != nil {
		return err
	}
	path := filepath.Join(dataDir, File)
	fst, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return missingStore(dataDir, derived)
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !fst.Mode().IsRegular() {
		return apperr.Errorf(apperr.Damaged, "%s is not a regular file; to restore the store, %s", path, restoreHint(dataDir))
	}
	if err := notShared(path, fst); err != nil {
		return err
	}
	if err := CheckFile(path); err != nil {
		msg := fmt.Sprintf("%v; kb refuses to open it. To restore it, %s", err, restoreHint(dataDir))
		if fst.Size() == 0 && usedBy(dataDir, derived) == "" {
			msg += fmt.Sprintf(". If this data dir never held a knowledge base (its first start was cut off), remove %s and start again", path)
		}
		return &apperr.Error{Code: apperr.Damaged, Message: msg}
	}
	return nil
}

// usedBy returns what shows that dataDir held a store (the marker, or a derived entry),
// or "".
func usedBy(dataDir string, derived []string) string {
	for _, path := range usedPaths(dataDir, derived) {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	return ""
}

// notShared refuses a path writable by group or others.
func notShared(path string, st fs.FileInfo) error {
	if perm := st.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (mode %04o): anyone who can write there can replace the store or the admin socket; kb refuses to use it. Run: chmod go-w %s", path, perm, path)
	}
	return nil
}

func missingStore(dataDir string, derived []string) error {
	evidence := usedBy(dataDir, derived)
	if evidence == "" {
		return nil
	}
	return apperr.Errorf(apperr.Damaged, "%s is missing, but %s shows this data dir held a knowledge base: kb will not start it over from the embedded corpus, which would lose its users, submissions and edits. To restore it, %s. To start over on purpose, remove %s",
		filepath.Join(dataDir, File), evidence, restoreHint(dataDir), strings.Join(usedPaths(dataDir, derived), " and "))
}

func usedPaths(dataDir string, derived []string) []string {
	var out []string
	for _, name := range append([]string{MarkerFile}, derived...) {
		out = append(out, filepath.Join(dataDir, name))
	}
	return out
}

// markDataDir writes the marker of a used data dir, once.
func markDataDir(dataDir string, now time.Time) error {
	marker := filepath.Join(dataDir, MarkerFile)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	text := fmt.Sprintf("kb: a store was first opened in this data dir at %s.\nWhile this file is here, kb refuses to start with kb.db missing instead of seeding a new one.\n", now.Format(time.RFC3339))
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mark the data dir: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("mark the data dir: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("mark the data dir: %w", err)
	}
	return f.Close()
}
