package engine

import (
	"slices"
	"sync"

	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/uclg-digital-cities/kb/internal/lru"
)

// decodedPostings is a term's postings in one segment, decoded once, with the part of
// each posting's score that depends on the document. A broad search at 100 000
// practices reads the postings of a few common terms, 50 000 to 90 000 each, and
// decoding them (roaring containers, varints of frequencies and norms) then scoring them
// was most of its time (pprof). Segments never change and their deleted documents only
// grow, so the list of a segment with as many deleted documents is the same list.
type decodedPostings struct {
	docs []uint32
	// base is BM25 without the idf: tf·k1 / (tf + k1·(1 − b + b·length/mean length)),
	// or tf·norm when the field has no mean length (TF-IDF, as Bleve then scores).
	base []float64
	// With positions (for phrases): those of document i are positions[starts[i]:starts[i+1]].
	starts, positions []uint32
}

func (d *decodedPostings) size() int {
	return 12*len(d.docs) + 4*len(d.starts) + 4*len(d.positions)
}

func (d *decodedPostings) positionsOf(i int) []uint32 {
	return d.positions[d.starts[i]:d.starts[i+1]]
}

type postingsKey struct {
	segment, deleted uint64
	field, term      string
	avgLength        float64 // base depends on it
	positions        bool
}

// postingsCache keeps the decoded postings of the longest lists, the least recently used
// forgotten first.
type postingsCache struct {
	mu     sync.Mutex
	minLen uint64 // shorter lists are not kept
	kept   *lru.Cache[postingsKey, *decodedPostings]
}

// minDecoded: shorter lists are decoded on each use; it is cheap, and they would crowd
// out the long ones.
const minDecoded = 128

func newPostingsCache(bytes int, minLen uint64) *postingsCache {
	return &postingsCache{minLen: minLen, kept: lru.NewSized[postingsKey](bytes, (*decodedPostings).size)}
}

// keeps reports whether a list of n postings is kept once decoded.
func (c *postingsCache) keeps(n uint64) bool { return c != nil && n >= c.minLen }

func (c *postingsCache) get(k postingsKey) (*decodedPostings, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kept.Get(k)
}

func (c *postingsCache) put(k postingsKey, d *decodedPostings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kept.Put(k, d)
}

// decode reads a postings list whole, with the positions of the term when asked.
func decode(pl segment.PostingsList, it segment.PostingsIterator, avgLength float64, positions bool) (*decodedPostings, segment.PostingsIterator, error) {
	n := pl.Count()
	d := &decodedPostings{docs: make([]uint32, 0, n), base: make([]float64, 0, n)}
	if positions {
		d.starts = make([]uint32, 1, n+1)
	}
	it = pl.Iterator(true, true, positions, it)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, it, err
		}
		if p == nil {
			return d, it, nil
		}
		d.docs = append(d.docs, uint32(p.Number()))
		d.base = append(d.base, bm25Base(p.Frequency(), p.Norm(), avgLength))
		if positions {
			first := len(d.positions)
			for _, l := range p.Locations() {
				d.positions = append(d.positions, uint32(l.Pos()))
			}
			slices.Sort(d.positions[first:]) // phrases search them
			d.starts = append(d.starts, uint32(len(d.positions)))
		}
	}
}
