package engine_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/engine/enginetest"
)

var ctx = context.Background()

// The test corpus: documents of words drawn from a small vocabulary of near spellings
// (for fuzzy clauses) and stop words (for phrases with gaps), in fields as kb's: text
// with positions, keywords with doc values for facets, sorts and ids.
var (
	vocabulary = strings.Fields("data date dates transport transit health healthy wealth park parks parking bark city cities citizen water waste wasted energy energies digital digit mobile mobility market markets budget budgets street streets light lights school schools scholar bus buses route routes open opened service services public publish")
	stopWords  = strings.Fields("the of and to in")
	tagValues  = strings.Fields("iot covid-19 open-data smart-grid e-health")
	areaValues = strings.Fields("education health mobility energy")
)

const (
	textFields = 2 // title, body
	idField    = "id"
	sortField  = "title_sort"
)

func testMapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"title", "body"} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = en.AnalyzerName
		fm.IncludeTermVectors = true
		fm.Store = false
		doc.AddFieldMappingsAt(f, fm)
	}
	for _, f := range []string{idField, sortField, "tags", "area", "year"} {
		km := bleve.NewKeywordFieldMapping()
		km.Store = false
		km.DocValues = true
		doc.AddFieldMappingsAt(f, km)
	}
	m.DefaultMapping = doc
	m.ScoringModel = bleveindex.BM25Scoring
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m
}

// word draws a word, the first of the vocabulary most often.
func word(r *rand.Rand) string {
	if r.IntN(6) == 0 {
		return stopWords[r.IntN(len(stopWords))]
	}
	i := int(math.Floor(math.Pow(r.Float64(), 2) * float64(len(vocabulary))))
	return vocabulary[i]
}

func text(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = word(r)
	}
	return strings.Join(ws, " ")
}

func document(r *rand.Rand, i int) (string, map[string]any) {
	id := fmt.Sprintf("doc-%05d", i)
	title := text(r, 2+r.IntN(5))
	var tags []string
	for _, t := range tagValues {
		if r.IntN(3) == 0 {
			tags = append(tags, t)
		}
	}
	return id, map[string]any{
		idField: id, sortField: title, "title": title, "body": text(r, 10+r.IntN(50)),
		"tags": tags, "area": areaValues[r.IntN(len(areaValues))], "year": fmt.Sprint(2015 + r.IntN(8)),
	}
}

// testIndex indexes n documents in batches of batch (a segment each), then replaces
// and deletes some of them in small batches: segments with deleted documents.
func testIndex(t testing.TB, n, batch int) bleve.Index {
	idx, err := bleve.New(filepath.Join(t.TempDir(), "index"), testMapping())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	r := rand.New(rand.NewPCG(21, uint64(n)))
	b := idx.NewBatch()
	for i := range n {
		id, doc := document(r, i)
		if err := b.Index(id, doc); err != nil {
			t.Fatal(err)
		}
		if b.Size() == batch || i == n-1 {
			if err := idx.Batch(b); err != nil {
				t.Fatal(err)
			}
			b = idx.NewBatch() // not Reset: scorch may still range over the batch's map
		}
	}
	for i := 0; i < n/10; i++ {
		id, doc := document(r, r.IntN(n))
		if i%3 == 0 {
			b.Delete(id)
		} else if err := b.Index(id, doc); err != nil {
			t.Fatal(err)
		}
		if b.Size() == 5 {
			if err := idx.Batch(b); err != nil {
				t.Fatal(err)
			}
			b = idx.NewBatch()
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	return idx
}

func newEngine(idx bleve.Index, decodeAll bool) *engine.Engine {
	opts := engine.Options{IDField: idField, SortFields: []string{sortField}}
	if decodeAll {
		opts = engine.EveryListDecoded(opts)
	}
	return engine.New(idx, opts)
}

// bothWays runs q through the engine and through Bleve, on one snapshot.
func bothWays(idx bleve.Index, e *engine.Engine, q engine.Query) (ev, bl *engine.Result, err error) {
	err = enginetest.OnOneSnapshot(idx, func() error {
		if ev, err = e.Search(ctx, q); err != nil {
			return err
		}
		bl, err = enginetest.Bleve{Index: idx}.Search(ctx, q)
		return err
	})
	return ev, bl, err
}

// differ says how two results of q differ; "" when they agree: the same total and
// counts, the same page with the same scores to rounding, where hits whose scores tie
// to rounding may swap (by score only: a sort by field has no ties).
func differ(q engine.Query, ev, bl *engine.Result) string {
	if ev.Total != bl.Total {
		return fmt.Sprintf("total %d, Bleve %d", ev.Total, bl.Total)
	}
	if fmt.Sprint(ev.Counts) != fmt.Sprint(bl.Counts) {
		return fmt.Sprintf("counts %v, Bleve %v", ev.Counts, bl.Counts)
	}
	if len(ev.Hits) != len(bl.Hits) {
		return fmt.Sprintf("%d hits, Bleve %d", len(ev.Hits), len(bl.Hits))
	}
	for i, h := range ev.Hits {
		b := bl.Hits[i]
		if !near(h.Score, b.Score) {
			return fmt.Sprintf("hit %d is %s at %g, Bleve's %s at %g", i, h.ID, h.Score, b.ID, b.Score)
		}
		if h.ID != b.ID && (len(q.Sort) > 0 || !tiedIn(bl.Hits, h)) {
			return fmt.Sprintf("hit %d is %s, Bleve's %s", i, h.ID, b.ID)
		}
	}
	return ""
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// tiedIn reports whether h is among hits at a score equal to its own to rounding, or
// ties with the last of them (the page may end between two tied hits).
func tiedIn(hits []engine.Hit, h engine.Hit) bool {
	for _, o := range hits {
		if o.ID == h.ID {
			return near(o.Score, h.Score)
		}
	}
	return len(hits) > 0 && near(hits[len(hits)-1].Score, h.Score)
}
