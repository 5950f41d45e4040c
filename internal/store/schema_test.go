package store_test

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// schemaOf reads the schema version recorded in a store.
func schemaOf(t *testing.T, s *store.Store) uint64 {
	t.Helper()
	var v uint64
	store.RawView(s, func(tx *bolt.Tx) error {
		v = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("schema_version")))
		return nil
	})
	return v
}

// olderLayout turns a store back into what kb wrote before the store owned every bucket:
// schema 2, covering the practices only; the buckets a package made only when first used
// (draft_rejected) or when configured (the AI's) missing; and federation's schema 1
// buckets left behind by an open that did not start federation.
func olderLayout(t *testing.T, s *store.Store) {
	t.Helper()
	err := store.RawUpdate(s, func(tx *bolt.Tx) error {
		for _, b := range []string{"draft_rejected", "embeddings", "ai_usage"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		for _, b := range []string{"peer_queue", "harvest_staged"} {
			staged, err := tx.CreateBucket([]byte(b))
			if err != nil {
				return err
			}
			if err := staged.Put([]byte("page"), []byte("left over")); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("users")).Put([]byte("coord@example.org"), []byte(`{"email":"coord@example.org","role":"coordinator"}`)); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint64(nil, 2))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A data dir made by the kb before this schema opens at schema 3: every bucket is there,
// the ones no package reads any more are gone, and what was stored is read as before,
// checksums and all. Opening it again changes nothing.
func TestASchema2StoreIsMigratedToOneSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	if _, err := s.Put(ctx, samplePractice("kept"), store.NewVersion); err != nil {
		t.Fatal(err)
	}
	olderLayout(t, s)
	if v := schemaOf(t, s); v != 2 {
		t.Fatalf("the older layout has schema %d", v)
	}
	s.Close()

	for range 2 {
		s = openStore(t, dir)
		if v := schemaOf(t, s); v != store.SchemaVersion || store.SchemaVersion != 3 {
			t.Fatalf("schema %d after the open, want 3 (SchemaVersion %d)", v, store.SchemaVersion)
		}
		store.RawView(s, func(tx *bolt.Tx) error {
			for _, b := range []string{"draft_rejected", "embeddings", "ai_usage", "users", "submissions", "peers", "audit", "checksums"} {
				if tx.Bucket([]byte(b)) == nil {
					t.Errorf("bucket %s is missing after the migration", b)
				}
			}
			for _, b := range []string{"peer_queue", "harvest_staged"} {
				if tx.Bucket([]byte(b)) != nil {
					t.Errorf("bucket %s of an older layout is still there", b)
				}
			}
			return nil
		})
		if p, err := s.Get(ctx, "kept"); err != nil || p.Title != "Title of kept" {
			t.Fatalf("the practice after the migration: %+v %v", p, err)
		}
		var user []byte
		s.View(func(tx *store.Tx) error { user = tx.Users().Get([]byte("coord@example.org")); return nil })
		if !strings.Contains(string(user), "coordinator") {
			t.Fatalf("the account after the migration: %q", user)
		}
		if r, err := s.Verify(ctx); err != nil || len(r.Problems) > 0 {
			t.Fatalf("the migrated store does not check whole: %+v %v", r, err)
		}
		s.Close()
	}
}

// A store of a newer schema is refused and left as it is.
func TestANewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	store.RawUpdate(s, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint64(nil, store.SchemaVersion+1))
	})
	s.Close()
	_, err := store.Open(dir, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 4 is newer than this kb understands (3)") {
		t.Fatalf("a newer store opened: %v", err)
	}
	ro, err := store.Open(dir, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if v := schemaOf(t, ro); v != 4 {
		t.Fatalf("the refused store's schema became %d", v)
	}
}

// In a store opened read-only whose layout predates a bucket, the bucket reads as empty.
func TestABucketMissingFromAReadOnlyStoreReadsEmpty(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	olderLayout(t, s)
	s.Close()
	ro, err := store.Open(dir, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	err = ro.View(func(tx *store.Tx) error {
		b := tx.DraftRejected()
		n := 0
		b.ForEach(func(k, v []byte) error { n++; return nil })
		if b.Get([]byte("x")) != nil || b.Has([]byte("x")) || n != 0 {
			t.Error("a missing bucket does not read as empty")
		}
		if k, _ := b.Cursor().First(); k != nil {
			t.Error("a missing bucket's cursor found a key")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
