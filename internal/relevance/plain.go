package relevance

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Plain is the baseline the search is measured against: an in-memory Bleve index of the
// same practices with Bleve's stock English analyzer and BM25, one text field, and a
// plain match query. No per-field weights, no folding, no fuzziness, no facets.
type Plain struct {
	idx bleve.Index
}

// NewPlain indexes ps in memory.
func NewPlain(ps []*practices.Practice) (*Plain, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = "en"
	m.ScoringModel = bleveindex.BM25Scoring
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, fmt.Errorf("plain index: %w", err)
	}
	b := idx.NewBatch()
	for _, p := range ps {
		if err := b.Index(p.ID, map[string]any{"text": p.Title + "\n" + p.Summary + "\n" + p.Body}); err != nil {
			return nil, err
		}
	}
	if err := idx.Batch(b); err != nil {
		return nil, err
	}
	return &Plain{idx: idx}, nil
}

// Search returns the ids of the best k matches.
func (p *Plain) Search(ctx context.Context, q string, k int) ([]string, error) {
	mq := bleve.NewMatchQuery(q)
	mq.SetField("text")
	res, err := p.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(mq, k, 0, false))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// Close releases the index.
func (p *Plain) Close() error { return p.idx.Close() }
