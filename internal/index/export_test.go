package index

import (
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	blevesearch "github.com/blevesearch/bleve/v2/search"
	bleveHTML "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/engine/enginetest"
	"github.com/uclg-digital-cities/kb/internal/index/explain"
	"github.com/uclg-digital-cities/kb/internal/index/highlight"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// FacetCountsBothWays counts the combined facet field over a search's hits by the
// engine and by Bleve's own terms facet, for tests to compare.
func (ix *Index) FacetCountsBothWays(ctx context.Context, req search.Request) (tables, bleves map[string]int, err error) {
	idx, release, err := ix.current()
	if err != nil {
		return nil, nil, err
	}
	defer release()
	qb, done, err := ix.builder(idx)
	if err != nil {
		return nil, nil, err
	}
	defer done()
	pq := parseQuery(req.Query)
	qb.lang = qb.queryLanguage(pq, req.Lang)
	q := engine.Query{Query: conjunction(qb.textQuery(pq, qb.queryConcepts(pq)), filterQuery(req.Filters, "")), Size: 10, FacetField: schema.AllFacetsField}
	counts := func(s searcher) (map[string]int, error) {
		res, err := s.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		return res.Counts, nil
	}
	err = enginetest.OnOneSnapshot(idx, func() error {
		if tables, err = counts(viaEngine(idx)); err != nil {
			return err
		}
		bleves, err = counts(viaBleve(idx))
		return err
	})
	return tables, bleves, err
}

// viaBleve searches with Bleve's own collector and terms facet.
func viaBleve(o *opened) searcher { return enginetest.Bleve{Index: o.bleveIndex} }

// SearchBothWays runs a request through the engine and through Bleve's collector,
// bypassing the answer cache, for tests to compare.
func (ix *Index) SearchBothWays(ctx context.Context, req search.Request) (evaluated, bleves *search.Result, err error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	return bothWays(ix, func(way searchWay) (*search.Result, error) { return ix.search(ctx, req, Without{}, way) })
}

// bothWays runs f through the engine, then through Bleve's collector, on one snapshot.
func bothWays[T any](ix *Index, f func(searchWay) (T, error)) (evaluated, bleves T, err error) {
	idx, release, err := ix.current()
	if err != nil {
		return evaluated, bleves, err
	}
	release() // f takes the index again
	err = enginetest.OnOneSnapshot(idx, func() error {
		if evaluated, err = f(viaEngine); err != nil {
			return err
		}
		bleves, err = f(viaBleve)
		return err
	})
	return evaluated, bleves, err
}

// SegmentCount is the number of segments of the index's current snapshot.
func (ix *Index) SegmentCount() (int, error) {
	idx, release, err := ix.current()
	if err != nil {
		return 0, err
	}
	defer release()
	ids, err := enginetest.SegmentIDs(idx)
	return len(ids), err
}

// CandidatesBothWays lists candidates through the engine and through Bleve's collector,
// bypassing the answer cache, for tests to compare.
func (ix *Index) CandidatesBothWays(ctx context.Context, r search.CandidateRequest) (evaluated, bleves []string, err error) {
	return bothWays(ix, func(way searchWay) ([]string, error) { return ix.candidates(ctx, r, way) })
}

// AnnotateBothWays searches, then highlights and explains the page's hits as annotate
// does and as Bleve's own search with locations does, for tests to compare.
func (ix *Index) AnnotateBothWays(ctx context.Context, req search.Request) (mine, bleves []search.Hit, err error) {
	req.Explain = true
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	res, err := ix.search(ctx, req, Without{}, viaEngine)
	if err != nil {
		return nil, nil, err
	}
	idx, release, err := ix.current()
	if err != nil {
		return nil, nil, err
	}
	defer release()
	pq := parseQuery(req.Query)
	qb, done, err := ix.builder(idx)
	if err != nil {
		return nil, nil, err
	}
	defer done()
	qb.lang = qb.queryLanguage(pq, req.Lang)
	concepts := qb.queryConcepts(pq)
	text := qb.textQuery(pq, concepts)
	mine = res.Hits
	bleves = make([]search.Hit, len(res.Hits))
	for i, h := range res.Hits {
		bleves[i] = search.Hit{ID: h.ID, Score: h.Score}
	}
	err = ix.annotateWithBleve(ctx, idx, text, bleves, true, pq, concepts)
	return mine, bleves, err
}

// annotateWithBleve is how annotate worked before it read the stored text itself: a
// second search of Bleve's within the page's hits, with locations. Tests compare the two.
func (ix *Index) annotateWithBleve(ctx context.Context, idx bleve.Index, text query.Query, hits []search.Hit, reasons bool, pq parsedQuery, concepts map[string][]string) error {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	// Only the clauses on the fields shown are searched again: highlights and reasons read
	// no other field's locations, and advancing every clause of a broad query to each
	// hit was a third of its time (pprof). The ids among the alternatives keep a hit
	// matched by other clauses only (a concept, the exact word) in the answer, for the
	// reasons that quote its text.
	shown := append(shownClauses(text, nil), query.NewDocIDQuery(ids))
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), query.NewDisjunctionQuery(shown)}), len(ids), 0, false)
	req.Highlight = bleve.NewHighlightWithStyle(bleveHTML.Name)
	req.Highlight.Fields = highlightFields()
	if reasons {
		req.IncludeLocations = true
		req.Fields = highlightFields() // the stored text the reasons quote
	}
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return apperr.Wrap(err, "highlight failed")
	}
	var why *explain.Explainer
	if reasons {
		why = ix.newExplainer(pq.words, concepts)
	}
	byID := make(map[string]*blevesearch.DocumentMatch, len(res.Hits))
	for _, h := range res.Hits {
		byID[h.ID] = h
	}
	for i := range hits {
		h, ok := byID[hits[i].ID]
		if !ok {
			continue
		}
		hits[i].Highlights, hits[i].InLanguage = fragments(h)
		if why != nil {
			hits[i].Explain = why.Explain(explainFields(h))
		}
	}
	return nil
}

var wordAnalyzers = struct {
	sync.Mutex
	byName map[string]*highlight.Words
}{byName: map[string]*highlight.Words{}}

// WordsBothWays analyses text with an analyzer of the mapping as highlighting does and
// as the analyzer itself does, each word as "term@position:start-end". The words learned
// are kept from call to call, as in a running server.
func WordsBothWays(analyzer, text string) (mine, analyzers []string, err error) {
	m, err := schema.Mapping()
	if err != nil {
		return nil, nil, err
	}
	a := m.AnalyzerNamed(analyzer)
	if a == nil {
		return nil, nil, fmt.Errorf("no analyzer %q", analyzer)
	}
	wordAnalyzers.Lock()
	w := wordAnalyzers.byName[analyzer]
	if w == nil {
		w = highlight.NewWords(a)
		wordAnalyzers.byName[analyzer] = w
	}
	wordAnalyzers.Unlock()
	show := func(ws []highlight.Word) []string {
		out := make([]string, len(ws))
		for i, w := range ws {
			out[i] = fmt.Sprintf("%s@%d:%d-%d", w.Term, w.Pos, w.Start, w.End)
		}
		return out
	}
	return show(w.Analyse([]byte(text))), show(highlight.WordsOf(a.Analyze([]byte(text)))), nil
}

// NearestWord is the word did-you-mean offers for word, within maxEdits.
func (ix *Index) NearestWord(ctx context.Context, word string, maxEdits int) (string, error) {
	idx, release, err := ix.current()
	if err != nil {
		return "", err
	}
	defer release()
	qb, done, err := ix.builder(idx)
	if err != nil {
		return "", err
	}
	defer done()
	return qb.nearestTerm(ctx, word, maxEdits), nil
}
