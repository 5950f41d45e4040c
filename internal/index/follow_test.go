package index_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// A follower started before a series of writes ends with an index of the store as it
// is after them, told of each write or not, while the live index keeps serving and
// syncing.
func TestFollowerIndexesWritesAsTheyCome(t *testing.T) {
	g := geography(t)
	ps := corpusPractices(t, g)
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), ps)
	ix, _ := openIndex(t, filepath.Join(dir, "index"), s, g)

	f, err := ix.Follow(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	put := func(id, title string) {
		p := *ps[0]
		p.URI, p.ID, p.Title = "", id, title
		if _, err := s.Put(ctx, &p, store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	put("zz-told", "Quokka census with drones")
	f.Changed()
	if err := s.Delete(ctx, ps[1].ID); err != nil {
		t.Fatal(err)
	}
	f.Changed()
	// The live index syncs as usual while the follower builds.
	if _, err := ix.Sync(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got := ids(mustSearch(t, ix, search.Request{Query: "quokka"})); len(got) != 1 {
		t.Errorf("live index during the follow: quokka finds %v", got)
	}
	put("zz-untold", "Wombat crossings mapped by volunteers") // the follower is not told
	if err := f.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"quokka": "zz-told", "wombat": "zz-untold"} {
		if got := ids(mustSearch(t, ix, search.Request{Query: q})); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v, want [%s]", q, got, want)
		}
	}
	if n, _ := ix.DocCount(); n != uint64(len(ps)+1) {
		t.Errorf("doc count %d, want %d (two added, one deleted)", n, len(ps)+1)
	}
	last, _ := s.LastSeq()
	if seq, _ := ix.Seq(); seq != last {
		t.Errorf("index at change %d, store at %d", seq, last)
	}
	if n, err := ix.Sync(ctx, s); err != nil || n != 0 {
		t.Errorf("sync after the swap applied %d (%v), want nothing left", n, err)
	}
}

// A follow that fails leaves the live index as it was, and the next rebuild can run.
func TestFailedFollowLeavesTheLiveIndex(t *testing.T) {
	g := geography(t)
	dir := t.TempDir()
	s := newStore(t, filepath.Join(dir, "store"), corpusPractices(t, g))
	ix, _ := openIndex(t, filepath.Join(dir, "index"), s, g)
	cctx, cancel := context.WithCancel(ctx)
	f, err := ix.Follow(cctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := f.Finish(cctx); err == nil {
		t.Fatal("a cancelled follow finished without an error")
	}
	if res := mustSearch(t, ix, search.Request{Query: "beach occupancy"}); res.Total == 0 {
		t.Error("the live index lost its documents")
	}
	if err := ix.Rebuild(ctx, s, nil); err != nil {
		t.Errorf("a rebuild after the failed follow: %v", err)
	}
}
