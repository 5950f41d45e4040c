package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// termCounter counts the live documents that have a term in a field, as a term field
// reader's Count does, but from the segments' dictionaries alone: a term field reader
// also opens an iterator on every segment, and the counts that compiling a search asks
// for (a few dozen) were a twentieth of the CPU under load (pprof). It is for one
// goroutine.
type termCounter struct {
	r     bleveindex.IndexReader
	snap  *scorch.IndexSnapshot // nil: counted through term field readers
	dicts map[string][]segment.TermDictionary
}

func newTermCounter(r bleveindex.IndexReader) *termCounter {
	c := &termCounter{r: r, dicts: map[string][]segment.TermDictionary{}}
	c.snap, _ = r.(*scorch.IndexSnapshot)
	return c
}

func (c *termCounter) count(ctx context.Context, field string, term []byte) (uint64, error) {
	if c.snap == nil {
		tfr, err := c.r.TermFieldReader(ctx, term, field, false, false, false)
		if err != nil {
			return 0, err
		}
		defer tfr.Close()
		return tfr.Count(), nil
	}
	segs := c.snap.Segments()
	dicts, ok := c.dicts[field]
	if !ok {
		dicts = make([]segment.TermDictionary, len(segs))
		for i, ss := range segs {
			d, err := ss.Segment().Dictionary(field)
			if err != nil {
				return 0, err
			}
			dicts[i] = d
		}
		c.dicts[field] = dicts
	}
	var n uint64
	for i, ss := range segs {
		pl, err := dicts[i].PostingsList(term, ss.Deleted(), nil)
		if err != nil {
			return 0, err
		}
		n += pl.Count()
	}
	return n, nil
}
