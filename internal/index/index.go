// Package index is kb's search: queries, concepts, facets and highlights over a Bleve
// index of schema's documents, derived from the store and kept in step with its change log.
package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/answers"
	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/highlight"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// Source is what the index is derived from: the store, read through its change log.
type Source interface {
	Each(ctx context.Context, fn func(*practices.Practice) error) error
	Count() (int, error)
	LastSeq() (uint64, error)
	ChangesSince(seq uint64, limit int) ([]store.Change, error)
	Get(ctx context.Context, id string) (*practices.Practice, error)
}

// Progress is told how many practices of how many have been indexed during a rebuild.
type Progress func(done, total int)

var (
	keySeq     = []byte("kb_seq")
	keyMapping = []byte("kb_mapping_version")
)

// batchSize is how many practices go in one Bleve batch: each batch becomes a segment,
// so larger batches mean fewer segments to merge.
const batchSize = 2000

// scorchConfig lets a batch return once its segment is in memory, before it is on disk,
// so that the batches of a large sync or rebuild overlap with their writing. Each Sync
// and Rebuild still waits, at its end, until its last batch is on disk (see commit);
// and each batch records the last change it applied, so whatever a crash loses is
// replayed from the store's change log.
// A new map each time: Bleve writes the store's path into the map it is given.
func scorchConfig() map[string]any { return map[string]any{"unsafe_batch": true} }

// commit applies a batch; with durable set it returns only once the batch, and so every
// batch before it, is on disk.
func commit(idx bleve.Index, b *bleve.Batch, durable bool) error {
	if !durable {
		return idx.Batch(b)
	}
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-persisted:
		return err
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("the index did not reach the disk in two minutes")
	}
}

// Options configure an index.
type Options struct {
	Geo       *practices.Geography
	Thesaurus *thesaurus.Thesaurus
	// Progress, when set, is told how a rebuild advances.
	Progress Progress
	// NoAnswerCache computes every search again instead of serving recent answers (to
	// measure the engine itself).
	NoAnswerCache bool
	// LeaveBehind opens an existing index as it is, without replaying the changes it has
	// not applied: the caller catches up (CatchUp) in the background, so that a server
	// answers at once after a crash and says when it is ready.
	LeaveBehind bool
}

// Index wraps a Bleve index that follows a Source.
type Index struct {
	dir      string
	geo      *practices.Geography
	thes     *thesaurus.Thesaurus
	analysis mapping.IndexMapping        // the analyzers, shared by indexing and querying
	words    map[string]*highlight.Words // the shown fields' analyzers, for highlighting, by name
	concepts *thesaurus.Matcher

	mu  sync.RWMutex // guards idx, which a rebuild swaps
	idx *opened

	writeMu   sync.Mutex // one Sync, or a rebuild's swap, at a time
	rebuildMu sync.Mutex // one rebuild at a time: they share the directory beside the index

	langMu sync.RWMutex
	langs  map[string]bool // the languages practices in the index are written in

	// gen moves on with every write that searches can see; answers computed at an older
	// generation are not served.
	gen     atomic.Uint64
	answers *answers.Cache
}

// answerCacheSize bounds the answers kept (a page of search results is a few KB).
const answerCacheSize = 1024

// opened is the Bleve index searches read, with the engine that searches it: the
// engine's tables are by segment, and a rebuilt index numbers its segments afresh.
type opened struct {
	bleveIndex
	eng *engine.Engine
}

// bleveIndex names the embedded index apart from its method Index.
type bleveIndex = bleve.Index

func newOpened(idx bleve.Index) *opened {
	return &opened{bleveIndex: idx, eng: engine.New(idx, engine.Options{IDField: schema.IDField, SortFields: []string{schema.TitleSortField}})}
}

// AnswerCache reports how many answers were served again from the cache of recent
// answers, and how many were computed.
func (ix *Index) AnswerCache() (served, computed uint64) {
	if ix.answers == nil {
		return 0, 0
	}
	return ix.answers.Served.Load(), ix.answers.Computed.Load()
}

// presentLanguages lists the languages of the indexed practices, in the order of
// schema.Languages; all of them for an empty index.
func (ix *Index) presentLanguages() []string {
	ix.langMu.RLock()
	defer ix.langMu.RUnlock()
	if len(ix.langs) == 0 {
		return schema.Languages
	}
	var out []string
	for _, l := range schema.Languages {
		if ix.langs[l] {
			out = append(out, l)
		}
	}
	return out
}

func (ix *Index) noteLanguage(lang string) {
	ix.langMu.RLock()
	known := ix.langs[lang]
	ix.langMu.RUnlock()
	if !known {
		ix.langMu.Lock()
		ix.langs[lang] = true
		ix.langMu.Unlock()
	}
}

// loadLanguages reads which languages the index holds (a language whose last practice
// is deleted stays listed until the next start: a few needless clauses, no harm).
func (ix *Index) loadLanguages(idx bleve.Index) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	req.AddFacet(schema.LangField, bleve.NewFacetRequest(schema.LangField, len(schema.Languages)))
	res, err := idx.Search(req)
	if err != nil || res.Facets[schema.LangField] == nil || res.Facets[schema.LangField].Terms == nil {
		return
	}
	for _, t := range res.Facets[schema.LangField].Terms.Terms() {
		ix.noteLanguage(t.Term)
	}
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
	m, err := schema.Mapping()
	if err != nil {
		return nil, OpenReport{}, err
	}
	ix := &Index{dir: dir, geo: opts.Geo, thes: opts.Thesaurus, analysis: m, words: newWordAnalyzers(m), concepts: thesaurus.NewMatcher(opts.Thesaurus, schema.NewAnalysis(m)), langs: map[string]bool{}, answers: answers.New(answerCacheSize)}
	if opts.NoAnswerCache {
		ix.answers = nil
	}
	var report OpenReport
	idx, reason := openExisting(dir, ix.layoutVersion(), src)
	if reason != "" {
		report.Rebuilt, report.Reason = true, reason
		if err := ix.Rebuild(ctx, src, opts.Progress); err != nil {
			return nil, report, err
		}
	} else {
		ix.idx = newOpened(idx)
		ix.loadLanguages(idx)
	}
	if opts.LeaveBehind && !report.Rebuilt {
		return ix, report, nil
	}
	n, rebuilt, err := ix.CatchUp(ctx, src, opts.Progress)
	if err != nil {
		ix.Close()
		return nil, report, err
	}
	if rebuilt {
		report.Rebuilt, report.Reason = true, fmt.Sprintf("more than %d changes to apply", RebuildBacklog)
	}
	report.Replayed = n
	return ix, report, nil
}

// mergeSmallSegments merges the segments of fewer than smallSegment documents into one.
// A bulk build ends with a dozen segments of the last batches, not yet merged; each
// costs every search a dictionary lookup per term, and its file's dictionaries and doc
// values are read in full when the index opens (at 100 000 practices, eleven small
// segments were 85 MB of the server's resident memory before any search).
func mergeSmallSegments(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	// Only segments under half of MaxSegmentSize are merged, and a tier of one segment
	// whose floor is that size makes them one task.
	mo := mergeplan.MergePlanOptions{
		MaxSegmentsPerTier:   1,
		MaxSegmentSize:       2 * smallSegment,
		TierGrowth:           10,
		SegmentsPerMergeTask: 100,
		FloorSegmentSize:     2 * smallSegment,
		ReclaimDeletesWeight: 2,
		MaxSegmentFileSize:   mergeplan.DefaultMergePlanOptions.MaxSegmentFileSize,
	}
	if err := s.ForceMerge(ctx, &mo); err != nil {
		return fmt.Errorf("merge the last segments: %w", err)
	}
	return nil
}

// smallSegment: a bulk build merges the segments with fewer documents into one.
const smallSegment = 20000

// RebuildBacklog is the number of pending changes above which rebuilding the index is
// faster than applying them one by one (measured: 100,000 new practices take 44 s to
// rebuild and 80 s to apply).
const RebuildBacklog = 10000

// CatchUp brings the index up to src: it applies the pending changes, or rebuilds when
// there are many. It returns how many changes it applied and whether it rebuilt.
func (ix *Index) CatchUp(ctx context.Context, src Source, progress Progress) (int, bool, error) {
	seq, err := ix.Seq()
	if err != nil {
		return 0, false, err
	}
	last, err := src.LastSeq()
	if err != nil {
		return 0, false, err
	}
	if last-seq > RebuildBacklog {
		if err := ix.Rebuild(ctx, src, progress); err != nil {
			return 0, false, err
		}
		n, err := ix.Sync(ctx, src)
		return n, true, err
	}
	n, err := ix.Sync(ctx, src)
	return n, false, err
}

// layoutVersion is the mapping's version and the thesaurus's fingerprint: the concepts
// and their relations are indexed with each practice, so another thesaurus means another
// index.
func (ix *Index) layoutVersion() string {
	if ix.thes == nil {
		return schema.MappingVersion
	}
	return schema.MappingVersion + "+" + ix.thes.Fingerprint()
}

// openExisting returns the index in dir, or why it cannot be used as it is.
func openExisting(dir, version string, src Source) (idx bleve.Index, reason string) {
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
	idx, err := bleve.OpenUsing(dir, scorchConfig())
	if err != nil {
		return nil, "index unreadable: " + err.Error()
	}
	v, err := idx.GetInternal(keyMapping)
	if err != nil || string(v) != version {
		idx.Close()
		return nil, fmt.Sprintf("index mapping version %q, want %q", v, version)
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

// Prepare builds the tables searches read for the current segments (see
// engine.Prepare), so that the first searches after a start do not pay for them.
func (ix *Index) Prepare(ctx context.Context) error {
	idx, release, err := ix.current()
	if err != nil {
		return err
	}
	defer release()
	return idx.eng.Prepare(ctx, schema.AllFacetsField, schema.CityField)
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

// current returns the Bleve index to read from, with its engine.
func (ix *Index) current() (*opened, func(), error) {
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
// searches, and the live index's own syncs, keep working during the rebuild.
func (ix *Index) Rebuild(ctx context.Context, src Source, progress Progress) error {
	f, err := ix.Follow(ctx, src, progress)
	if err != nil {
		return err
	}
	return f.Finish(ctx)
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
	idx, err := bleve.OpenUsing(ix.dir, scorchConfig())
	if err != nil {
		return fmt.Errorf("open rebuilt index: %w", err)
	}
	ix.idx = newOpened(idx) // a new engine: the new index numbers its segments afresh
	ix.gen.Add(1)
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
	applied, _, err := ix.applyChanges(ctx, idx, src, seq, true)
	return applied, err
}

// applyChanges writes into idx the changes of src after seq, as the store holds the
// practices now, and returns how many changes it applied and the last one. live says
// searches read idx: each batch then moves the generation on, and the last is waited for
// on disk.
func (ix *Index) applyChanges(ctx context.Context, idx bleve.Index, src Source, seq uint64, live bool) (int, uint64, error) {
	applied := 0
	for {
		changes, err := src.ChangesSince(seq, batchSize)
		if err != nil {
			return applied, seq, fmt.Errorf("sync index: %w", err)
		}
		if len(changes) == 0 {
			if live && applied > 0 && applied%batchSize == 0 {
				// The last batch was full, so it was not waited for: wait now.
				if err := commit(idx, idx.NewBatch(), true); err != nil {
					return applied, seq, fmt.Errorf("sync index: %w", err)
				}
			}
			return applied, seq, nil
		}
		b := idx.NewBatch()
		seen := map[string]bool{}
		var indexed []*practices.Practice
		for _, c := range changes {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			// The store's current state is what counts, whatever the change said.
			p, err := src.Get(ctx, c.ID)
			switch {
			case apperr.Code(err) == apperr.NotFound || err == nil && !p.Searchable():
				b.Delete(c.ID)
			case err != nil:
				return applied, seq, fmt.Errorf("sync index: %w", err)
			default:
				indexed = append(indexed, p)
			}
		}
		docs, err := ix.documents(indexed)
		if err != nil {
			return applied, seq, err
		}
		for i, doc := range docs {
			if err := b.Index(indexed[i].ID, doc); err != nil {
				return applied, seq, fmt.Errorf("index practice %s: %w", indexed[i].ID, err)
			}
		}
		last := changes[len(changes)-1].Seq
		b.SetInternal(keySeq, seqBytes(last))
		err = commit(idx, b, live && len(changes) < batchSize)
		if live {
			ix.gen.Add(1) // even a failed commit may have changed what searches see
		}
		if err != nil {
			return applied, seq, fmt.Errorf("sync index: %w", err)
		}
		seq = last
		applied += len(changes)
	}
}

// documents builds the documents of practices on every core (concept matching is the
// costly part); an archived practice gets nil. A panic on a worker, which would end the
// process, becomes the error.
func (ix *Index) documents(ps []*practices.Practice) ([]map[string]any, error) {
	out := make([]map[string]any, len(ps))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(ps)/16))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					errs[w] = fmt.Errorf("index documents: %w", apperr.Panicked(v))
				}
			}()
			for i := w; i < len(ps); i += workers {
				if ps[i].Searchable() {
					out[i] = schema.Document(ps[i], ix.concepts, ix.geo)
					for _, l := range out[i][schema.LangField].([]string) {
						ix.noteLanguage(l)
					}
				}
			}
		}(w)
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
