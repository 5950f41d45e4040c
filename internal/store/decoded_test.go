package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// Reads served from the decoded practices never go back in time: after a write returns,
// every read sees it, however many readers are filling the cache meanwhile.
func TestReadsFollowWrites(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	p := samplePractice("followed")
	if _, err := s.Put(ctx, p, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if _, err := s.Get(ctx, "followed"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 200 {
		p.Title = fmt.Sprintf("Title %d", i)
		if _, err := s.Put(ctx, p, store.NewVersion); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "followed")
		if err != nil || got.Title != p.Title {
			stop.Store(true)
			t.Fatalf("after writing %q, read %q (%v)", p.Title, got.Title, err)
		}
		got.Title = "scribbled" // a caller's change stays its own
	}
	stop.Store(true)
	wg.Wait()
	if err := s.Delete(ctx, "followed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "followed"); err == nil {
		t.Fatal("a deleted practice is still read")
	}
}
