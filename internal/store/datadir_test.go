package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// usedDataDir makes a data dir that held a store with a practice, closed.
func usedDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(context.Background(), samplePractice("a"), store.NewVersion); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return dir
}

// refused checks that opening dir fails with a Damaged error whose message holds every
// want, and that nothing was created in the store's place.
func refused(t *testing.T, dir string, want ...string) {
	t.Helper()
	before, _ := os.Stat(filepath.Join(dir, store.File))
	s, err := store.Open(dir, store.Options{})
	if err == nil {
		s.Close()
		t.Fatal("the store opened")
	}
	if apperr.Code(err) != apperr.Damaged {
		t.Errorf("code %q, want %q: %v", apperr.Code(err), apperr.Damaged, err)
	}
	for _, w := range append(want, "kb restore --data "+dir+" FILE") {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the refusal does not say %q:\n%v", w, err)
		}
	}
	after, _ := os.Stat(filepath.Join(dir, store.File))
	if (before == nil) != (after == nil) || before != nil && before.Size() != after.Size() {
		t.Errorf("opening changed the store file: %v -> %v", before, after)
	}
}

func TestAFreshDataDirIsMarkedWhenItsStoreIsCreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	openStore(t, dir)
	if _, err := os.Stat(filepath.Join(dir, store.MarkerFile)); err != nil {
		t.Fatalf("no marker: %v", err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("a new data dir has mode %04o", st.Mode().Perm())
	}
}

func TestAMissingStoreInAUsedDataDirIsRefused(t *testing.T) {
	dir := usedDataDir(t)
	os.Remove(filepath.Join(dir, store.File))
	refused(t, dir, "kb.db is missing", store.MarkerFile)

	// A data dir from before the marker: its index alone shows it was used.
	dir = t.TempDir()
	os.Mkdir(filepath.Join(dir, "index.bleve"), 0o700)
	err := store.CheckDataDir(dir, "index.bleve")
	if apperr.Code(err) != apperr.Damaged || !strings.Contains(err.Error(), "index.bleve shows this data dir held a knowledge base") {
		t.Fatalf("index without a store: %v", err)
	}
	if err := store.CheckDataDir(t.TempDir(), "index.bleve"); err != nil {
		t.Fatalf("an empty data dir is refused: %v", err)
	}
}

func TestAnEmptyStoreFileIsRefused(t *testing.T) {
	dir := usedDataDir(t)
	if err := os.Truncate(filepath.Join(dir, store.File), 0); err != nil {
		t.Fatal(err)
	}
	refused(t, dir, "kb.db is empty (0 bytes)")
	// Even where nothing says the dir was used (bbolt would make a new store in it); the
	// refusal then also says what to do after a first start cut off.
	dir = t.TempDir()
	os.WriteFile(filepath.Join(dir, store.File), nil, 0o600)
	refused(t, dir, "is empty", "If this data dir never held a knowledge base")
}

// A store cut short is refused before bbolt maps it: mapped, reading past its end is a
// SIGBUS that no recover catches (cmd/kb tests the same through the binary).
func TestAStoreCutShortIsRefused(t *testing.T) {
	dir := usedDataDir(t)
	path := filepath.Join(dir, store.File)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{10, 100, 4096, 4096 + 100, 2 * 4096, len(whole) / 3, len(whole) / 2} {
		if err := os.WriteFile(path, whole[:size], 0o600); err != nil {
			t.Fatal(err)
		}
		want := "is cut short"
		if size < 2*4096+80 {
			want = "kb.db" // too short for its headers: not readable, or cut short
		}
		t.Run("", func(t *testing.T) { refused(t, dir, want) })
	}
	// Both headers overwritten.
	damaged := append([]byte(nil), whole...)
	for i := 0; i < 2*4096; i++ {
		damaged[i] = 0xAA
	}
	os.WriteFile(path, damaged, 0o600)
	refused(t, dir, "neither of its two header pages is valid")
	// One header overwritten: bbolt uses the other, and so does the check.
	copy(damaged, whole)
	for i := 16; i < 80; i++ {
		damaged[i] = 0
	}
	os.WriteFile(path, damaged, 0o600)
	s := openStore(t, dir)
	if p, err := s.Get(context.Background(), "a"); err != nil || p.ID != "a" {
		t.Fatalf("with one header left: %v %v", p, err)
	}
}

func TestADataDirOthersCanWriteIsRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o770, 0o757, 0o777} {
		dir := usedDataDir(t)
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		_, err := store.Open(dir, store.Options{})
		if err == nil || !strings.Contains(err.Error(), "writable by group or others") || !strings.Contains(err.Error(), "chmod go-w "+dir) {
			t.Fatalf("mode %04o: %v", mode, err)
		}
		os.Chmod(dir, 0o700)
	}
	dir := usedDataDir(t)
	path := filepath.Join(dir, store.File)
	os.Chmod(path, 0o666)
	if _, err := store.Open(dir, store.Options{}); err == nil || !strings.Contains(err.Error(), "chmod go-w "+path) {
		t.Fatalf("store file 0666: %v", err)
	}
	// Readable by others is the owner's choice; only writing is refused.
	os.Chmod(path, 0o644)
	os.Chmod(dir, 0o755)
	openStore(t, dir)
}
