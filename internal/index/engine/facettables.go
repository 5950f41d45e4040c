package engine

import (
	"cmp"
	"encoding/binary"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// facetTables keeps, for one facet field, the values of every document of every segment
// as small ordinals. Segments never change once written (merging makes new ones), so a
// table is built once per segment, and a search then counts a hit's values by indexing
// a slice with them: no doc values to decompress, no string to hash, per hit. Bleve's own
// counting spent about half of a broad search at 100 000 practices doing those (pprof).
type facetTables struct {
	field  string
	mu     sync.Mutex
	ords   map[string]uint32 // value → ordinal
	values []string          // ordinal → value
	bySeg  map[uint64]*segmentTable
	ranks  []uint32 // ordinal → its place among the values in order, for sorting by them
}

// segmentTable holds the ordinals of document d of a segment in ords[start[d]:start[d+1]].
type segmentTable struct {
	start []uint32
	ords  []uint32

	mu          sync.Mutex
	live        []int  // the count of each ordinal over the live documents
	liveDeleted uint64 // the number of deleted documents live was counted with
	liveCounted bool
	// browseOrder (on a sort field's table) is the segment's documents in the order of
	// a sort by the field, then id. The order of values never changes, so it is sorted once.
	browseOrder []uint32
}

// liveCounts counts the values of the segment's live documents, again only when more
// of its documents were deleted since (deletions only grow).
func (t *segmentTable) liveCounts(deleted *roaring.Bitmap) []int {
	var n uint64
	if deleted != nil {
		n = deleted.GetCardinality()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.liveCounted && t.liveDeleted == n {
		return t.live
	}
	var top uint32
	for _, o := range t.ords {
		top = max(top, o+1)
	}
	live := make([]int, top)
	for d := 0; d+1 < len(t.start); d++ {
		if deleted != nil && deleted.Contains(uint32(d)) {
			continue
		}
		for _, o := range t.ords[t.start[d]:t.start[d+1]] {
			live[o]++
		}
	}
	t.live, t.liveDeleted, t.liveCounted = live, n, true
	return live
}

func newFacetTables(field string) *facetTables {
	return &facetTables{field: field, ords: map[string]uint32{}, bySeg: map[uint64]*segmentTable{}}
}

var errNotScorch = errors.New("facet tables need a scorch index snapshot")

// tableView is the tables of the segments of one snapshot.
type tableView struct {
	offsets []uint64 // the global number of each segment's first document
	tables  []*segmentTable
	values  []string
	ranks   []uint32 // with sortedView: ordinal → place in the order of the values
}

// facetCount counts the values of one search's hits, through the tables of the
// snapshot it searches.
type facetCount struct {
	*tableView
	counts []int
}

// counter prepares the count of one search over reader.
func (ft *facetTables) counter(reader bleveindex.IndexReader) (*facetCount, error) {
	v, err := ft.view(reader)
	if err != nil {
		return nil, err
	}
	return &facetCount{tableView: v, counts: make([]int, len(v.values))}, nil
}

// view returns the tables of reader's segments, building those of segments not seen
// before and forgetting those merged away.
func (ft *facetTables) view(reader bleveindex.IndexReader) (*tableView, error) {
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errNotScorch
	}
	ft.mu.Lock()
	defer ft.mu.Unlock()
	v := &tableView{}
	live := map[uint64]bool{}
	var running uint64
	for _, ss := range snap.Segments() {
		// As scorch numbers documents: each segment's, deleted ones included, follow the
		// previous segment's.
		v.offsets = append(v.offsets, running)
		running += ss.Segment().Count()
		t, err := ft.table(ss)
		if err != nil {
			return nil, err
		}
		v.tables = append(v.tables, t)
		live[ss.Id()] = true
	}
	for id := range ft.bySeg {
		if !live[id] {
			delete(ft.bySeg, id)
		}
	}
	v.values = ft.values[:len(ft.values):len(ft.values)]
	return v, nil
}

// sortedView is view with the values ranked, to sort documents by them: comparing two
// ranks instead of two strings for each document was a tenth of a browse's time
// (pprof). Values are ranked again when segments bring new ones.
func (ft *facetTables) sortedView(reader bleveindex.IndexReader) (*tableView, error) {
	v, err := ft.view(reader)
	if err != nil {
		return nil, err
	}
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if len(ft.ranks) != len(v.values) {
		order := make([]uint32, len(v.values))
		for i := range order {
			order[i] = uint32(i)
		}
		slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(v.values[a], v.values[b]) })
		ranks := make([]uint32, len(order))
		for place, o := range order {
			ranks[o] = uint32(place)
		}
		ft.ranks = ranks
	}
	v.ranks = ft.ranks
	return v, nil
}

// first returns the ordinal of the first value of document local of segment s, or
// noValue.
func (v *tableView) first(s int, local uint32) uint32 {
	t := v.tables[s]
	if int(local)+1 >= len(t.start) || t.start[local] == t.start[local+1] {
		return noValue
	}
	return t.ords[t.start[local]]
}

const noValue = ^uint32(0)

// compare orders two ordinals by their values, a document without a value last (as
// Bleve's sort does by default).
func (v *tableView) compare(a, b uint32) int {
	switch {
	case a == b:
		return 0
	case a == noValue:
		return 1
	case b == noValue:
		return -1
	case v.ranks != nil:
		return cmp.Compare(v.ranks[a], v.ranks[b])
	}
	return strings.Compare(v.values[a], v.values[b])
}

// table returns the table of a segment, building it on first sight. ft.mu is held.
func (ft *facetTables) table(ss *scorch.SegmentSnapshot) (*segmentTable, error) {
	if t, ok := ft.bySeg[ss.Id()]; ok {
		return t, nil
	}
	dv, ok := ss.Segment().(segment.DocValueVisitable)
	if !ok {
		return nil, errNotScorch
	}
	n := ss.Segment().Count()
	t := &segmentTable{start: make([]uint32, n+1)}
	fields := []string{ft.field}
	var state segment.DocVisitState
	var err error
	for d := uint64(0); d < n; d++ {
		t.start[d] = uint32(len(t.ords))
		state, err = dv.VisitDocValues(d, fields, func(_ string, term []byte) {
			o, ok := ft.ords[string(term)]
			if !ok {
				v := string(term) // one copy for both: titles and ids are mostly unique
				o = uint32(len(ft.values))
				ft.values = append(ft.values, v)
				ft.ords[v] = o
			}
			t.ords = append(t.ords, o)
		}, state)
		if err != nil {
			return nil, err
		}
	}
	t.start[n] = uint32(len(t.ords))
	ft.bySeg[ss.Id()] = t
	return t, nil
}

// add counts the values of a hit.
func (c *facetCount) add(hit *search.DocumentMatch) {
	if len(hit.IndexInternalID) != 8 {
		return
	}
	doc := binary.BigEndian.Uint64(hit.IndexInternalID)
	s := sort.Search(len(c.offsets), func(i int) bool { return c.offsets[i] > doc }) - 1
	if s < 0 {
		return
	}
	c.addLocal(s, doc-c.offsets[s])
}

// addLocal counts the values of document local of segment s.
func (c *facetCount) addLocal(s int, local uint64) {
	t := c.tables[s]
	if local+1 >= uint64(len(t.start)) {
		return
	}
	for _, o := range t.ords[t.start[local]:t.start[local+1]] {
		c.counts[o]++
	}
}

// addLive counts the values of every live document of segment s, for a search that
// matches most of them and then takes away (subLocal) those it does not match.
func (c *facetCount) addLive(s int, deleted *roaring.Bitmap) {
	for o, n := range c.tables[s].liveCounts(deleted) {
		c.counts[o] += n
	}
}

// subLocal takes away the values of document local of segment s.
func (c *facetCount) subLocal(s int, local uint64) {
	t := c.tables[s]
	if local+1 >= uint64(len(t.start)) {
		return
	}
	for _, o := range t.ords[t.start[local]:t.start[local+1]] {
		c.counts[o]--
	}
}

// fork is a counter of the same tables with counts of its own, for another goroutine.
func (c *facetCount) fork() *facetCount {
	f := *c
	f.counts = make([]int, len(c.counts))
	return &f
}

// merge adds the counts of a fork.
func (c *facetCount) merge(f *facetCount) {
	for o, n := range f.counts {
		c.counts[o] += n
	}
}

// result is the count of each value seen.
func (c *facetCount) result() map[string]int {
	out := map[string]int{}
	for o, n := range c.counts {
		if n > 0 {
			out[c.values[o]] = n
		}
	}
	return out
}

// handler wraps the collector's handler of each hit to count the hit's values first.
func (c *facetCount) handler() search.MakeDocumentMatchHandler {
	return func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		return func(hit *search.DocumentMatch) error {
			if hit != nil {
				c.add(hit)
			}
			return next(hit)
		}, loadID, nil
	}
}
