package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

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

// Terms answers questions about the terms of one snapshot of the index: how many live
// documents have a term, and which terms lie near a word. It is for one goroutine;
// Close releases the snapshot.
type Terms struct {
	r       bleveindex.IndexReader
	docs    uint64
	counter *termCounter
}

// Terms opens the current snapshot's terms.
func (e *Engine) Terms() (*Terms, error) {
	r, err := e.reader()
	if err != nil {
		return nil, err
	}
	n, err := r.DocCount()
	if err != nil {
		r.Close()
		return nil, err
	}
	return &Terms{r: r, docs: n, counter: newTermCounter(r)}, nil
}

// Close releases the snapshot.
func (t *Terms) Close() error { return t.r.Close() }

// Docs is the number of live documents.
func (t *Terms) Docs() uint64 { return t.docs }

// DocFrequency is the number of live documents with term in field, as Bleve's term
// searcher counts them for its idf.
func (t *Terms) DocFrequency(ctx context.Context, field, term string) (uint64, error) {
	return t.counter.count(ctx, field, []byte(term))
}

// NearTerm is a term of the index near a word.
type NearTerm struct {
	Term  string
	Edits int    // the edits from the word, transpositions counting one (as Bleve's fuzzy matching)
	Docs  uint64 // the live documents that have it
}

// Near lists the terms of field within maxEdits (1 or 2) of word, with their distance
// as the segments' Levenshtein automaton measures it and their live document count,
// in the order of the terms; word itself is among them when it is indexed. Bleve's own
// fuzzy dictionary reports every count as 0 (it skips reading the postings), so these
// are counted here.
func (t *Terms) Near(ctx context.Context, field, word string, maxEdits int) ([]NearTerm, error) {
	if maxEdits < 1 || maxEdits > 2 {
		return nil, fmt.Errorf("near terms: %d edits, want 1 or 2", maxEdits)
	}
	builders, err := levenshteinBuilders()
	if err != nil {
		return nil, err
	}
	dfa, err := builders[maxEdits-1].BuildDfa(word, uint8(maxEdits))
	if err != nil {
		return nil, fmt.Errorf("near terms of %q: %w", word, err)
	}
	snap, ok := t.r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errNotScorch
	}
	edits := map[string]int{}
	for _, ss := range snap.Segments() {
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, err
		}
		it := dict.AutomatonIterator(dfa, nil, nil)
		for {
			entry, err := it.Next()
			if err != nil {
				return nil, err
			}
			if entry == nil {
				break
			}
			edits[entry.Term] = int(entry.EditDistance)
		}
	}
	out := make([]NearTerm, 0, len(edits))
	for term, d := range edits {
		n, err := t.DocFrequency(ctx, field, term)
		if err != nil {
			return nil, err
		}
		if n > 0 { // a term whose every document is deleted is not offered
			out = append(out, NearTerm{Term: term, Edits: d, Docs: n})
		}
	}
	slices.SortFunc(out, func(a, b NearTerm) int { return strings.Compare(a.Term, b.Term) })
	return out, nil
}
