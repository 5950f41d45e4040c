package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Source is what the index is derived from: the store, read through its change log.
type Source interface {
	Each(ctx context.Context, fn func(*practices.Practice) error) error
	Count() (int, error)
	LastSeq() (uint64, error)
	ChangesSince(seq uint64, limit int) ([]practices.Change, error)
	Get(ctx context.Context, id string) (*practices.Practice, error)
}

// Progress is told how many practices of how many have been indexed during a rebuild.
type Progress func(done, total int)

var (
	keySeq     = []byte("kb_seq")
	keyMapping = []byte("kb_mapping_version")
)

const batchSize = 500

// Options configure an index.
type Options struct {
	Geo       *practices.Geography
	Thesaurus *Thesaurus
	// Progress, when set, is told how a rebuild advances.
	Progress Progress
}

// Index wraps a Bleve index that follows a Source.
type Index struct {
	dir      string
	geo      *practices.Geography
	thes     *Thesaurus
	analysis mapping.IndexMapping // the analyzers, shared by indexing and querying
	concepts *conceptMatcher

	mu  sync.RWMutex // guards idx, which a rebuild swaps
	idx bleve.Index

	writeMu sync.Mutex // one Sync or Rebuild at a time
}

// OpenReport says what Open had to do to bring the index in line with the store.
type OpenReport struct {
	Rebuilt  bool
	Reason   string // why it was rebuilt
	Replayed int    // changes replayed from the store's log
}

// Open opens the index in dir and brings it in line with src: it replays the changes the
// index has not applied, or rebuilds it from src when it is missing, unreadable, built
// with another mapping, or ahead of the store (a store restored from an older backup).
func Open(ctx context.Context, dir string, src Source, opts Options) (*Index, OpenReport, error) {
	m, err := buildMapping()
	if err != nil {
		return nil, OpenReport{}, err
	}
	ix := &Index{dir: dir, geo: opts.Geo, thes: opts.Thesaurus, analysis: m, concepts: newConceptMatcher(opts.Thesaurus, m)}
	var report OpenReport
	idx, reason := openExisting(dir, src)
	if reason != "" {
		report.Rebuilt, report.Reason = true, reason
		if err := ix.Rebuild(ctx, src, opts.Progress); err != nil {
			return nil, report, err
		}
	} else {
		ix.idx = idx
	}
	n, err := ix.Sync(ctx, src)
	if err != nil {
		ix.Close()
		return nil, report, err
	}
	report.Replayed = n
	return ix, report, nil
}

// openExisting returns the index in dir, or why it cannot be used as it is.
func openExisting(dir string, src Source) (idx bleve.Index, reason string) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, "no index yet"
	}
	defer func() {
		// A corrupt segment can make Bleve panic while opening; treat it as corruption.
		if r := recover(); r != nil {
			if idx != nil {
				idx.Close()
			}
			idx, reason = nil, fmt.Sprintf("index unreadable: %v", r)
		}
	}()
	idx, err := bleve.Open(dir)
	if err != nil {
		return nil, "index unreadable: " + err.Error()
	}
	v, err := idx.GetInternal(keyMapping)
	if err != nil || string(v) != MappingVersion {
		idx.Close()
		return nil, fmt.Sprintf("index mapping version %q, want %q", v, MappingVersion)
	}
	seq, err := internalSeq(idx)
	if err != nil {
		idx.Close()
		return nil, "index unreadable: " + err.Error()
	}
	last, err := src.LastSeq()
	if err != nil || seq > last {
		idx.Close()
		return nil, fmt.Sprintf("index is ahead of the store (change %d, store at %d)", seq, last)
	}
	if _, err := idx.DocCount(); err != nil {
		idx.Close()
		return nil, "index unreadable: " + err.Error()
	}
	return idx, ""
}

func internalSeq(idx bleve.Index) (uint64, error) {
	v, err := idx.GetInternal(keySeq)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("bad sequence record of %d bytes", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

func seqBytes(seq uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, seq)
	return b
}

// Close closes the Bleve index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx == nil {
		return nil
	}
	err := ix.idx.Close()
	ix.idx = nil
	return err
}

// current returns the Bleve index to read from.
func (ix *Index) current() (bleve.Index, func(), error) {
	ix.mu.RLock()
	if ix.idx == nil {
		ix.mu.RUnlock()
		return nil, nil, apperr.Errorf(apperr.Unavailable, "the search index is closed")
	}
	return ix.idx, ix.mu.RUnlock, nil
}

// DocCount returns the number of indexed practices.
func (ix *Index) DocCount() (uint64, error) {
	idx, done, err := ix.current()
	if err != nil {
		return 0, err
	}
	defer done()
	return idx.DocCount()
}

// Seq returns the last change of the store that the index has applied.
func (ix *Index) Seq() (uint64, error) {
	idx, done, err := ix.current()
	if err != nil {
		return 0, err
	}
	defer done()
	return internalSeq(idx)
}

// Rebuild builds a fresh index from src beside the current one and swaps it in, so that
// searches keep working during the rebuild.
func (ix *Index) Rebuild(ctx context.Context, src Source, progress Progress) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()

	tmp := ix.dir + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("rebuild index: %w", err)
	}
	m, err := buildMapping()
	if err != nil {
		return err
	}
	fresh, err := bleve.New(tmp, m)
	if err != nil {
		return fmt.Errorf("rebuild index: %w", err)
	}
	// Changes after this point are replayed by the Sync that follows; replaying a change
	// already in the snapshot is harmless.
	seq, err := src.LastSeq()
	if err != nil {
		fresh.Close()
		return err
	}
	total, _ := src.Count()
	if progress != nil {
		progress(0, total)
	}
	done := 0
	b := fresh.NewBatch()
	err = src.Each(ctx, func(p *practices.Practice) error {
		done++
		if p.Archived {
			return nil // archived practices are kept in the store, not offered by search
		}
		if err := b.Index(p.ID, ix.document(p)); err != nil {
			return fmt.Errorf("index practice %s: %w", p.ID, err)
		}
		if b.Size() >= batchSize {
			if err := fresh.Batch(b); err != nil {
				return err
			}
			b.Reset()
			if progress != nil {
				progress(done, total)
			}
		}
		return nil
	})
	if err == nil {
		b.SetInternal(keySeq, seqBytes(seq))
		b.SetInternal(keyMapping, []byte(MappingVersion))
		err = fresh.Batch(b)
	}
	if cerr := fresh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("rebuild index: %w", err)
	}
	if progress != nil {
		progress(done, total)
	}
	return ix.swap(tmp)
}

func (ix *Index) swap(tmp string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx != nil {
		ix.idx.Close()
		ix.idx = nil
	}
	if err := os.RemoveAll(ix.dir); err != nil {
		return fmt.Errorf("replace index: %w", err)
	}
	if err := os.Rename(tmp, ix.dir); err != nil {
		return fmt.Errorf("replace index: %w", err)
	}
	idx, err := bleve.Open(ix.dir)
	if err != nil {
		return fmt.Errorf("open rebuilt index: %w", err)
	}
	ix.idx = idx
	return nil
}

// Sync applies the changes of src that the index has not applied yet and returns how
// many it applied. Each batch records the last change it covers, so a crash between
// batches leaves an index that the next Sync continues from.
func (ix *Index) Sync(ctx context.Context, src Source) (int, error) {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	idx, release, err := ix.current()
	if err != nil {
		return 0, err
	}
	defer release()
	seq, err := internalSeq(idx)
	if err != nil {
		return 0, fmt.Errorf("sync index: %w", err)
	}
	applied := 0
	for {
		changes, err := src.ChangesSince(seq, batchSize)
		if err != nil {
			return applied, fmt.Errorf("sync index: %w", err)
		}
		if len(changes) == 0 {
			return applied, nil
		}
		b := idx.NewBatch()
		seen := map[string]bool{}
		for _, c := range changes {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			// The store's current state is what counts, whatever the change said.
			p, err := src.Get(ctx, c.ID)
			switch {
			case apperr.Code(err) == apperr.NotFound || err == nil && p.Archived:
				b.Delete(c.ID)
			case err != nil:
				return applied, fmt.Errorf("sync index: %w", err)
			default:
				if err := b.Index(p.ID, ix.document(p)); err != nil {
					return applied, fmt.Errorf("index practice %s: %w", p.ID, err)
				}
			}
		}
		seq = changes[len(changes)-1].Seq
		b.SetInternal(keySeq, seqBytes(seq))
		if err := idx.Batch(b); err != nil {
			return applied, fmt.Errorf("sync index: %w", err)
		}
		applied += len(changes)
	}
}
