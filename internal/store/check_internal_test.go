package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// bbolt's check in a read-only transaction counts a page a writer allocated after the
// transaction began as unreachable and unfreed: why Verify checks a writable store in a
// writable transaction.
func TestAReadOnlyCheckBesideAWriterSeesFalseDamage(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write := func(round int) {
		if err := s.Update(func(tx *Tx) error {
			b := tx.Audit()
			for i := range 2000 {
				if err := b.Put([]byte(fmt.Sprintf("k-%d-%05d", round, i)), []byte(strings.Repeat("v", 100))); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Pages to reuse, so that the writes beside the reader need not grow the file (a
	// writer that must map a larger file waits for every reader to end).
	write(0)
	if err := s.Update(func(tx *Tx) error {
		b := tx.Audit()
		for i := range 2000 {
			if err := b.Delete([]byte(fmt.Sprintf("k-0-%05d", i))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The deleted pages are free only from the next writer on.
	if err := s.Update(func(tx *Tx) error { return tx.Audit().Put([]byte("release"), []byte("x")) }); err != nil {
		t.Fatal(err)
	}
	rtx, err := s.db.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	write(1) // allocates freed pages while rtx reads the older file
	stale := verifyTx(context.Background(), rtx)
	rtx.Rollback()
	if !strings.Contains(strings.Join(stale.Problems, " "), "unreachable unfreed") {
		t.Fatalf("bbolt's read-only check beside a writer found %v; if it no longer reports false damage, Verify may check in a read-only transaction again", stale.Problems)
	}
	r, err := s.Verify(context.Background())
	if err != nil || len(r.Problems) > 0 {
		t.Errorf("the store is sound, Verify says %v (%v)", r.Problems, err)
	}
}
