package index

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/metrics"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// A Follower builds a fresh index beside the live one: first from src as it is, then
// from every change src records after that, until Finish swaps it in. A large write
// (an import, a harvest of thousands of records) is so indexed in bulk while it is
// written, instead of one change at a time or all of it after.
type Follower struct {
	ix    *Index
	src   Source
	tmp   string
	fresh bleve.Index

	wake chan struct{} // src has new changes
	stop chan struct{} // Finish: the writer is done
	done chan error    // the builder's end
	seq  uint64        // the last change in fresh; the builder's until done

	restoreGC func()
}

// Follow starts building a fresh index from src. The caller calls Changed after each
// write it wants indexed as it goes, and Finish once, whatever happens.
func (ix *Index) Follow(ctx context.Context, src Source, progress Progress) (*Follower, error) {
	ix.rebuildMu.Lock()
	f := &Follower{ix: ix, src: src, tmp: ix.dir + ".new",
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan error, 1)}
	fresh, err := f.create()
	if err != nil {
		ix.rebuildMu.Unlock()
		return nil, fmt.Errorf("rebuild index: %w", err)
	}
	// Changes after this point are applied by the builder or by Finish; applying a
	// change the snapshot already holds is harmless.
	if f.seq, err = src.LastSeq(); err != nil {
		fresh.Close()
		os.RemoveAll(f.tmp)
		ix.rebuildMu.Unlock()
		return nil, err
	}
	f.fresh = fresh
	f.restoreGC = bulkGC()
	go func() { f.done <- f.build(ctx, progress) }()
	return f, nil
}

// Indexing allocates heavily, and at the collector's usual target a large build spends
// a fifth of its time collecting. While a follower builds, the target is bulkGCPercent,
// bounded by a soft memory limit of what the process holds at the start plus
// bulkHeadroom: a follower lasts a whole harvest, whose own allocations the target alone
// let grow the heap to 7.3 GB at 100,000 records. A lower limit set by the operator
// (GOMEMLIMIT) stays.
const (
	bulkGCPercent = 300
	bulkHeadroom  = 1 << 30
)

// bulkGC sets the collector for a bulk build and returns what restores it.
func bulkGC() (restore func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(sample)
	held := int64(sample[0].Value.Uint64() - sample[1].Value.Uint64())
	limit := debug.SetMemoryLimit(-1) // reads it
	gc := debug.SetGCPercent(bulkGCPercent)
	debug.SetMemoryLimit(min(limit, held+bulkHeadroom))
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	}
}

func (f *Follower) create() (bleve.Index, error) {
	if err := os.RemoveAll(f.tmp); err != nil {
		return nil, err
	}
	m, err := schema.Mapping()
	if err != nil {
		return nil, err
	}
	return bleve.NewUsing(f.tmp, m, scorch.Name, bleve.Config.DefaultKVStore, scorchConfig())
}

// Changed tells the builder that src holds changes it has not seen. It never blocks.
func (f *Follower) Changed() {
	select {
	case f.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// build indexes the snapshot, then follows src's changes until Finish stops it.
func (f *Follower) build(ctx context.Context, progress Progress) error {
	if err := f.snapshot(ctx, progress); err != nil {
		return err
	}
	for {
		select {
		case <-f.wake:
			var err error
			if _, f.seq, err = f.ix.applyChanges(ctx, f.fresh, f.src, f.seq, false); err != nil {
				return err
			}
		case <-f.stop:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// snapshot indexes every practice of src in batches.
func (f *Follower) snapshot(ctx context.Context, progress Progress) error {
	total, _ := f.src.Count()
	if progress != nil {
		progress(0, total)
	}
	done := 0
	var pending []*practices.Practice
	flush := func() error {
		docs, err := f.ix.documents(pending)
		if err != nil {
			return err
		}
		// A new batch each time, never one Reset: with unsafe_batch, scorch may still be
		// reading the last batch's documents after Batch returns.
		b := f.fresh.NewBatch()
		for i, doc := range docs {
			if doc == nil {
				continue // archived: kept in the store, not offered by search
			}
			if err := b.Index(pending[i].ID, doc); err != nil {
				return fmt.Errorf("index practice %s: %w", pending[i].ID, err)
			}
		}
		done += len(pending)
		pending = pending[:0]
		if err := commit(f.fresh, b, false); err != nil {
			return err
		}
		if progress != nil {
			progress(done, total)
		}
		return nil
	}
	err := f.src.Each(ctx, func(p *practices.Practice) error {
		pending = append(pending, p)
		if len(pending) >= batchSize {
			return flush()
		}
		return nil
	})
	if err == nil && len(pending) > 0 {
		err = flush()
	}
	return err
}

// Finish stops following, applies what src changed since, and swaps the fresh index in
// for the live one. Searches go on reading the live index until the swap; the live
// index's own syncs wait only for the last changes and the swap. On an error the
// fresh index is thrown away and the live one stays as it was.
func (f *Follower) Finish(ctx context.Context) error {
	close(f.stop)
	err := <-f.done
	defer f.ix.rebuildMu.Unlock()
	defer debug.FreeOSMemory() // indexing allocated heavily: hand the memory back
	defer f.restoreGC()
	f.ix.writeMu.Lock()
	defer f.ix.writeMu.Unlock()
	if err == nil {
		_, f.seq, err = f.ix.applyChanges(ctx, f.fresh, f.src, f.seq, false)
	}
	if err == nil {
		// Records the sequence and mapping, and waits for the disk.
		b := f.fresh.NewBatch()
		b.SetInternal(keySeq, seqBytes(f.seq))
		b.SetInternal(keyMapping, []byte(f.ix.layoutVersion()))
		err = commit(f.fresh, b, true)
	}
	if err == nil {
		err = mergeSmallSegments(ctx, f.fresh)
	}
	if cerr := f.fresh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(f.tmp)
		return fmt.Errorf("rebuild index: %w", err)
	}
	return f.ix.swap(f.tmp)
}
