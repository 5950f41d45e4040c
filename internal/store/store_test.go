package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

func samplePractice(id string) *practices.Practice {
	return &practices.Practice{
		ID: id, Title: "Title of " + id, Summary: "Summary.", City: "Bilbao", Country: "ES",
		Region: "europe", Areas: []string{"data"}, Source: "test", Languages: []string{"en"}, Body: "Body.\n",
	}
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoreRoundTripAndVersions(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	p := samplePractice("a")
	r, err := s.Put(ctx, p, store.NewVersion)
	if err != nil || !r.Changed || r.Version != 1 {
		t.Fatalf("first put = %+v, %v; want changed version 1", r, err)
	}
	got, err := s.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != p.Title || got.Version != 1 || got.UpdatedAt.IsZero() {
		t.Fatalf("got %+v", got)
	}
	// The same content again is not a new version and logs no change.
	if r, _ := s.Put(ctx, samplePractice("a"), store.NewVersion); r.Changed || r.Version != 1 {
		t.Fatalf("unchanged put = %+v", r)
	}
	edited := samplePractice("a")
	edited.Title = "Edited"
	if r, _ := s.Put(ctx, edited, store.NewVersion); !r.Changed || r.Version != 2 {
		t.Fatalf("edit = %+v, want version 2", r)
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "a"); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("get after delete: %v, want not_found", err)
	}
	changes, err := s.ChangesSince(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for i, c := range changes {
		if c.Seq != uint64(i+1) {
			t.Fatalf("change %d has seq %d", i, c.Seq)
		}
		ops = append(ops, fmt.Sprintf("%s:%d", c.Op, c.Version))
	}
	if fmt.Sprint(ops) != "[put:1 put:2 delete:0]" {
		t.Fatalf("change log %v", ops)
	}
	if last, _ := s.LastSeq(); last != 3 {
		t.Fatalf("last seq %d, want 3", last)
	}
}

func TestStoreKeepVersionRestoresAsGiven(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	p := samplePractice("k")
	p.Version = 7
	p.UpdatedAt = time.Date(2021, 5, 1, 10, 0, 0, 0, time.UTC)
	if _, err := s.Put(ctx, p, store.KeepVersion); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, "k")
	if got.Version != 7 || !got.UpdatedAt.Equal(p.UpdatedAt) {
		t.Fatalf("restored %d %v", got.Version, got.UpdatedAt)
	}
	if r, _ := s.Put(ctx, p, store.KeepVersion); r.Changed {
		t.Fatal("restoring the same record again changed it")
	}
}

func TestStoreReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMany(ctx, []*practices.Practice{samplePractice("a"), samplePractice("b")}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, dir)
	if n, _ := s.Count(); n != 2 {
		t.Fatalf("count after reopen %d", n)
	}
	if last, _ := s.LastSeq(); last != 2 {
		t.Fatalf("seq after reopen %d", last)
	}
}

func TestStoreSecondOpenerIsToldItIsLocked(t *testing.T) {
	dir := t.TempDir()
	openStore(t, dir)
	_, err := store.Open(dir, store.Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

// Readers never see a half-written practice, and each sees versions in order.
func TestStoreConcurrentReadersOneWriter(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	if _, err := s.Put(ctx, samplePractice("c"), store.NewVersion); err != nil {
		t.Fatal(err)
	}
	const writes = 150
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				p, err := s.Get(ctx, "c")
				if err != nil {
					errs <- err
					return
				}
				if p.Version < last {
					errs <- fmt.Errorf("version went back from %d to %d", last, p.Version)
					return
				}
				if want := fmt.Sprintf("rev %d", p.Version); p.Version > 1 && p.Summary != want {
					errs <- fmt.Errorf("version %d has summary %q", p.Version, p.Summary)
					return
				}
				last = p.Version
			}
		}()
	}
	for i := 2; i <= writes; i++ {
		p := samplePractice("c")
		p.Summary = fmt.Sprintf("rev %d", i)
		if _, err := s.Put(ctx, p, store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if p, _ := s.Get(ctx, "c"); p.Version != writes {
		t.Fatalf("final version %d, want %d", p.Version, writes)
	}
}

// The datestamp order follows every write of every practice held (a node relays what it
// harvested), at the time it changed here (a practice restored with an old time stamp is
// still new to harvesters), moves on with each version even within one second, keeps
// removals as deletions with the next version, remembers the sets a practice left, and
// is rebuilt for a schema 1 store.
func TestDatestampOrder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	local, harvested := samplePractice("local-one"), samplePractice("peer-other")
	harvested.URI = "oai:peer.example.org:other"
	harvested.Origin = &practices.Origin{Peer: "peer", Identifier: "oai:peer.example.org:other"}
	if _, err := s.PutMany(ctx, []*practices.Practice{local, harvested, samplePractice("gone")}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	first := local.UpdatedAt
	local.Title = "Changed"
	local.Areas = []string{"economy"}
	if _, err := s.Put(ctx, local, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	if !local.UpdatedAt.After(first) {
		t.Fatalf("a second version in the same second kept the time stamp %v", first)
	}
	if err := s.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	restored := samplePractice("restored")
	restored.Version, restored.UpdatedAt = 3, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Put(ctx, restored, store.KeepVersion); err != nil {
		t.Fatal(err)
	}
	list := func(s *store.Store) map[string]store.Stamp {
		out := map[string]store.Stamp{}
		s.Datestamps(time.Time{}, time.Time{}, nil, func(st store.Stamp) bool { out[st.ID] = st; return true })
		return out
	}
	got := list(s)
	if len(got) != 4 || got["local-one"].Deleted || !got["gone"].Deleted || got["gone"].Sets[0] != "area:data" || got["gone"].Version != 2 {
		t.Fatalf("datestamps %+v", got)
	}
	if in, del := got["local-one"].InSet("area:data"); !in || !del {
		t.Fatalf("a practice that left area:data is not a deletion there: %+v", got["local-one"])
	}
	if in, del := got["local-one"].InSet("area:economy"); !in || del {
		t.Fatalf("a practice is not listed in its new set: %+v", got["local-one"])
	}
	if got["restored"].Datestamp.Year() < 2026 {
		t.Fatalf("a restored practice is stamped at its own old time: %+v", got["restored"])
	}
	if st, err := s.Stamped("gone"); err != nil || !st.Deleted {
		t.Fatalf("stamped removal: %+v %v", st, err)
	}
	if _, err := s.Stamped("peer-other"); err != nil {
		t.Fatalf("a harvested practice has no datestamp: %v", err)
	}
	again := samplePractice("gone")
	if _, err := s.Put(ctx, again, store.NewVersion); err != nil || again.Version != 3 {
		t.Fatalf("a practice written again after its removal is version %d (%v), want 3", again.Version, err)
	}
	// A schema 1 store: harvested practices had no datestamps and no identity.
	store.RawUpdate(s, func(tx *bolt.Tx) error {
		tx.DeleteBucket([]byte("datestamps"))
		tx.DeleteBucket([]byte("stamp_keys"))
		tx.DeleteBucket([]byte("uris"))
		tx.DeleteBucket([]byte("checksums")) // they came after schema 1 too
		tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
		p := *harvested
		p.URI = ""
		data, _ := json.Marshal(&p)
		return tx.Bucket([]byte("practices")).Put([]byte(p.ID), data)
	})
	s.Close()
	s = openStore(t, dir)
	if got := list(s); len(got) != 4 || got["local-one"].Deleted {
		t.Fatalf("rebuilt datestamps %+v", got)
	}
	if id, ok := s.IDOfURI("oai:peer.example.org:other"); !ok || id != "peer-other" {
		t.Fatalf("the harvested practice has no identity after the migration: %q %v", id, ok)
	}
}

// The number of practices is kept as they are written and deleted, without walking the
// store; a store from before it was kept is counted once when opened.
func TestCountIsKept(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := s.Put(ctx, samplePractice(id), store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	p := samplePractice("a")
	p.Title = "Changed"
	if _, err := s.Put(ctx, p, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Count(); n != 2 || err != nil {
		t.Fatalf("count %d (%v)", n, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	// Drop the kept count, as a store written before it existed: opening counts again.
	store.RawUpdate(s, func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte("practice_count")) })
	s.Close()
	s = openStore(t, dir)
	if n, _ := s.Count(); n != 2 {
		t.Fatalf("recounted %d", n)
	}
}
