package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// flip changes one byte in every place text occurs in the store file, and returns how
// many places it changed.
func flip(t *testing.T, dir, text string) int {
	t.Helper()
	path := filepath.Join(dir, store.File)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(text))
		if j < 0 {
			break
		}
		data[i+j] ^= 0x20 // a letter's case: still valid JSON, only different data
		n++
		i += j + 1
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

func isDamage(t *testing.T, what string, err error, id string) {
	t.Helper()
	if apperr.Code(err) != apperr.Damaged {
		t.Fatalf("%s: %v (code %q), want the store's damage", what, err, apperr.Code(err))
	}
	msg := apperr.As(err).Message
	if !strings.Contains(msg, `practice "`+id+`"`) || !strings.Contains(msg, "kb restore --data") {
		t.Fatalf("%s: the damage does not name the practice and the restore: %s", what, msg)
	}
}

func TestAFlippedByteIsDamageNeverData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	p := samplePractice("flipped")
	p.Body = "The unmistakable body of this practice.\n"
	if _, err := s.PutMany(ctx, []*practices.Practice{samplePractice("whole"), p}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if n := flip(t, dir, "unmistakable"); n != 2 { // the current value and version 1
		t.Fatalf("the text is stored %d times, want 2", n)
	}
	s = openStore(t, dir)
	if err := s.Health(); err != nil {
		t.Fatalf("healthy before anything was read: %v", err)
	}
	_, err := s.Get(ctx, "flipped")
	isDamage(t, "Get", err, "flipped")
	if w, err := s.Get(ctx, "whole"); err != nil || w.ID != "whole" {
		t.Fatalf("an intact practice: %v %v", w, err)
	}
	var served []string
	err = s.Each(ctx, func(p *practices.Practice) error {
		served = append(served, p.ID+": "+p.Body)
		return nil
	})
	isDamage(t, "Each", err, "flipped")
	for _, b := range served {
		if strings.Contains(b, "Unmistakable") {
			t.Fatalf("altered data served: %s", b)
		}
	}
	_, err = s.Versions(ctx, "flipped")
	isDamage(t, "Versions", err, "flipped")
	_, err = s.Version(ctx, "flipped", 1)
	isDamage(t, "Version", err, "flipped")
	_, err = s.Put(ctx, samplePractice("flipped"), store.NewVersion)
	isDamage(t, "a write over it", err, "flipped")
	if err := s.Health(); err == nil || !strings.Contains(err.Error(), `practice "flipped"`) {
		t.Fatalf("health after reading damage: %v", err)
	}

	r, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 2 || !strings.Contains(r.Problems[0], `practice "flipped" (its current version) does not match its checksum`) ||
		!strings.Contains(r.Problems[1], `practice "flipped" version 1 does not match its checksum`) {
		t.Fatalf("check report: %+v", r)
	}
	if r.Practices != 2 || r.Versions != 2 || r.Checksums != 4 || r.Counted != 2 {
		t.Fatalf("check counts: %+v", r)
	}
	if err := s.Check(); apperr.Code(err) != apperr.Damaged {
		t.Fatalf("Check: %v", err)
	}
}

func TestEveryWriteKeepsTheChecksumsWhole(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	for _, id := range []string{"a", "b", "c"} {
		s.Put(ctx, samplePractice(id), store.NewVersion)
	}
	edited := samplePractice("a")
	edited.Title = "Edited"
	s.Put(ctx, edited, store.NewVersion)
	restored := samplePractice("b")
	restored.Version = 7
	s.Put(ctx, restored, store.KeepVersion)
	if err := s.Delete(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	r, err := s.Verify(ctx)
	if err != nil || len(r.Problems) > 0 {
		t.Fatalf("%+v %v", r, err)
	}
	if r.Practices != 2 || r.Versions != 5 || r.Checksums != 7 {
		t.Fatalf("counts %+v", r)
	}
}

// A store from before checksums gets them once, at its first writable open, counted.
func TestChecksumsAreAddedToAnOlderStoreOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	s.PutMany(ctx, []*practices.Practice{samplePractice("a"), samplePractice("b")}, store.NewVersion)
	edited := samplePractice("a")
	edited.Title = "Edited"
	s.Put(ctx, edited, store.NewVersion)
	store.RawUpdate(s, func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("checksums")) })
	s.Close()

	ro, err := store.Open(dir, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := ro.Verify(ctx); len(r.Problems) > 0 || len(r.Notes) != 1 {
		t.Fatalf("a store without checksums, read-only: %+v", r)
	}
	if p, err := ro.Get(ctx, "a"); err != nil || p.Title != "Edited" {
		t.Fatalf("read-only read: %v %v", p, err)
	}
	ro.Close()

	s = openStore(t, dir)
	if n, _ := s.ChecksumsAdded(); n != 5 { // 2 current values, 3 versions
		t.Fatalf("added %d checksums, want 5", n)
	}
	if r, err := s.Verify(ctx); err != nil || len(r.Problems) > 0 || r.Checksums != 5 {
		t.Fatalf("%+v %v", r, err)
	}
	s.Close()
	if n, _ := openStore(t, dir).ChecksumsAdded(); n != 0 {
		t.Fatalf("added %d checksums again", n)
	}
}

// A changed key leaves a value without its checksum and a checksum without its value;
// the check names both.
func TestACheckNamesChecksumsWithoutValues(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	s.Put(ctx, samplePractice("before"), store.NewVersion)
	store.RawUpdate(s, func(tx *bolt.Tx) error { // as a damaged key would, behind the store's back
		b := tx.Bucket([]byte("practices"))
		v := bytes.Clone(b.Get([]byte("before")))
		b.Delete([]byte("before"))
		return b.Put([]byte("after"), v)
	})
	r, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(r.Problems, "\n")
	for _, want := range []string{`practice "after" (its current version) has no checksum`, `checksum "cbefore" has no value`} {
		if !strings.Contains(all, want) {
			t.Errorf("the check does not say %q:\n%s", want, all)
		}
	}
}
