package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum/levenshtein"
)

// Term-at-a-time evaluation.
//
// Bleve evaluates a disjunction a document at a time: a heap of term searchers, one
// DocumentMatch per posting, merged document by document. kb's broad searches are a few
// common words, each tried as the exact word, as a stem in four fields and as a concept:
// fifteen to thirty terms whose postings cover most practices. At 100 000 practices that
// merging was two thirds of such a search (pprof). The evaluator instead adds each
// term's postings into arrays indexed by document, segment by segment, and scores as
// Bleve does (BM25, query norm, coordination; equal to rounding), so that the ranking is
// Bleve's. Fuzzy clauses become the near terms Bleve's fuzzy searcher would try. Parts
// of a query it does not evaluate itself (ids, phrases with two terms at a position,
// automatic fuzziness) are run by Bleve's own searchers inside the tree. A test compares
// both ways.

// errNotEvaluable sends a query back to Bleve's collector.
var errNotEvaluable = errors.New("query not evaluable term at a time")

type evalKind uint8

const (
	evalTerm    evalKind = iota
	evalBleve            // a part run by Bleve's searcher
	evalAny              // disjunction
	evalAll              // conjunction
	evalNothing          // a disjunction or conjunction without parts: Bleve's MatchNone
	evalEvery            // every live document, with a constant score: Bleve's MatchAll
	evalPhrase           // children are terms (nil: any word) at consecutive positions
)

type evalNode struct {
	kind     evalKind
	children []*evalNode
	min      int // evalAny: the number of parts that must match

	boost   float64 // evalTerm, evalEvery
	qweight float64 // the boost times the query norm (evalTerm: and idf)

	// evalTerm
	field     string
	term      []byte
	idf       float64
	avgLength float64 // 0: TF-IDF, as Bleve when the field has no length statistics

	count uint64 // evalTerm: documents with the term; evalBleve: matches; evalEvery: all

	// evalBleve
	searcher search.Searcher
	hits     [][]localHit // by segment
}

type localHit struct {
	doc   uint32
	score float64
}

// evaluation is one query compiled against one snapshot.
type evaluation struct {
	ctx       context.Context
	snap      *scorch.IndexSnapshot
	m         mapping.IndexMapping
	docTotal  uint64
	offsets   []uint64 // global number of each segment's first document
	root      *evalNode
	searchers []search.Searcher
	decoded   *postingsCache // nil: postings are decoded on each use
	ids       *tableView     // the id of each document; nil: read from the stored fields
	// inIndexOrder ranks the matches by their place in the index, every score 0.
	inIndexOrder bool
	automata     map[string]*levenshtein.DFA // by fuzziness and term (compileFuzzy)
	counter      *termCounter                // documents by term, for compileTerm
}

// newEvaluation compiles q; errNotEvaluable when the snapshot is not scorch's or the query
// is a lone leaf other than MatchAll (Bleve scores a lone leaf without its boost or
// query norm).
func newEvaluation(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, q query.Query) (*evaluation, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errNotEvaluable
	}
	lone := false
	switch q.(type) {
	case *query.DisjunctionQuery, *query.ConjunctionQuery:
	case *query.MatchAllQuery:
		lone = true
	default:
		return nil, errNotEvaluable
	}
	n, err := snap.DocCount()
	if err != nil {
		return nil, err
	}
	e := &evaluation{ctx: ctx, snap: snap, m: m, docTotal: n, counter: newTermCounter(snap)}
	var running uint64
	for _, ss := range snap.Segments() {
		e.offsets = append(e.offsets, running)
		running += ss.Segment().Count()
	}
	e.root, err = e.compile(q)
	if err != nil {
		e.Close()
		return nil, err
	}
	if lone {
		// A conjunction of one part scores as the part; the part keeps its score of 1.
		e.root.qweight = 1
		e.root = &evalNode{kind: evalAll, children: []*evalNode{e.root}}
		return e, nil
	}
	// Bleve's outermost searcher sets one query norm on every leaf below it.
	qnorm := 1 / math.Sqrt(e.root.weight())
	if err := e.setNorm(e.root, qnorm); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close closes the Bleve searchers the evaluation opened.
func (e *evaluation) Close() {
	for _, s := range e.searchers {
		s.Close()
	}
	e.searchers = nil
}

func (e *evaluation) compile(q query.Query) (*evalNode, error) {
	switch q := q.(type) {
	case *query.DisjunctionQuery:
		n := &evalNode{kind: evalAny, min: max(1, int(q.Min))}
		return e.compileParts(n, q.Disjuncts)
	case *query.ConjunctionQuery:
		n := &evalNode{kind: evalAll}
		return e.compileParts(n, q.Conjuncts)
	case *query.TermQuery:
		return e.compileTerm(q)
	case *query.MatchAllQuery:
		return &evalNode{kind: evalEvery, boost: q.BoostVal.Value(), count: e.docTotal}, nil
	case *query.MatchPhraseQuery:
		if n, ok, err := e.compilePhrase(q); ok || err != nil {
			return n, err
		}
	case *query.FuzzyQuery:
		if n, ok, err := e.compileFuzzy(q); ok || err != nil {
			return n, err
		}
	}
	s, err := q.Searcher(e.ctx, e.snap, e.m, search.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	e.searchers = append(e.searchers, s)
	return &evalNode{kind: evalBleve, searcher: s}, nil
}

func (e *evaluation) compileParts(n *evalNode, parts []query.Query) (*evalNode, error) {
	for _, p := range parts {
		c, err := e.compile(p)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, c)
	}
	if len(n.children) == 0 {
		n.kind = evalNothing
	}
	return n, nil
}

// compileTerm takes the statistics Bleve's term searcher takes: documents with the term,
// live documents, and the field's mean length rounded up.
func (e *evaluation) compileTerm(q *query.TermQuery) (*evalNode, error) {
	field := q.FieldVal
	if field == "" {
		field = e.m.DefaultSearchField()
	}
	n := &evalNode{kind: evalTerm, field: field, term: []byte(q.Term), boost: q.BoostVal.Value()}
	docTerm, err := e.counter.count(e.ctx, field, n.term)
	if err != nil {
		return nil, err
	}
	n.count = docTerm
	card, err := e.snap.FieldCardinality(field)
	if err != nil {
		return nil, err
	}
	if e.docTotal > 0 || card > 0 {
		n.avgLength = math.Ceil(float64(card) / float64(e.docTotal))
	}
	if n.avgLength > 0 {
		n.idf = math.Log(1 + (float64(e.docTotal)-float64(docTerm)+0.5)/(float64(docTerm)+0.5))
	} else {
		n.idf = 1 + math.Log(float64(e.docTotal)/float64(docTerm+1))
	}
	return n, nil
}

// compilePhrase compiles a phrase of one word a position, as Bleve's MatchPhraseQuery
// makes it: the terms the field's analyzer finds, at their positions (a dropped stop word
// leaves a position any word fills). A phrase with fuzziness, or with two terms at a
// position, is not compiled (ok is false).
func (e *evaluation) compilePhrase(q *query.MatchPhraseQuery) (n *evalNode, ok bool, err error) {
	if q.Fuzziness != 0 || q.Analyzer != "" {
		return nil, false, nil
	}
	field := q.FieldVal
	if field == "" {
		field = e.m.DefaultSearchField()
	}
	a := e.m.AnalyzerNamed(e.m.AnalyzerNameForPath(field))
	if a == nil {
		return nil, false, nil
	}
	tokens := a.Analyze([]byte(q.MatchPhrase))
	if len(tokens) == 0 {
		return &evalNode{kind: evalNothing}, true, nil
	}
	first, last := tokens[0].Position, tokens[0].Position
	for _, t := range tokens {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	n = &evalNode{kind: evalPhrase, children: make([]*evalNode, last-first+1)}
	for _, t := range tokens {
		i := t.Position - first
		if n.children[i] != nil {
			return nil, false, nil
		}
		tq := query.NewTermQuery(string(t.Term))
		tq.SetField(field)
		tq.SetBoost(q.BoostVal.Value())
		if n.children[i], err = e.compileTerm(tq); err != nil {
			return nil, true, err
		}
	}
	return n, true, nil
}

// weight is Bleve's Weight: the sum of the squared boosted idf of the leaves.
func (n *evalNode) weight() float64 {
	switch n.kind {
	case evalTerm:
		w := n.boost * n.idf
		return w * w
	case evalEvery:
		return n.boost * n.boost
	case evalBleve:
		return n.searcher.Weight()
	}
	var sum float64
	for _, c := range n.children {
		if c != nil {
			sum += c.weight()
		}
	}
	return sum
}

// setNorm gives every leaf the query norm, and runs the Bleve parts, whose scores
// depend on it.
func (e *evaluation) setNorm(n *evalNode, qnorm float64) error {
	switch n.kind {
	case evalTerm:
		n.qweight = n.boost * n.idf * qnorm
	case evalEvery:
		n.qweight = n.boost * qnorm
	case evalBleve:
		n.searcher.SetQueryNorm(qnorm)
		return e.runBleve(n)
	}
	for _, c := range n.children {
		if c == nil {
			continue
		}
		if err := e.setNorm(c, qnorm); err != nil {
			return err
		}
	}
	return nil
}

// runBleve collects the matches of a Bleve part by segment.
func (e *evaluation) runBleve(n *evalNode) error {
	n.hits = make([][]localHit, len(e.offsets))
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(n.searcher.DocumentMatchPoolSize(), 0)}
	for {
		dm, err := n.searcher.Next(sctx)
		if err != nil {
			return err
		}
		if dm == nil {
			return nil
		}
		if len(dm.IndexInternalID) == 8 {
			g := binary.BigEndian.Uint64(dm.IndexInternalID)
			s := sort.Search(len(e.offsets), func(i int) bool { return e.offsets[i] > g }) - 1
			n.hits[s] = append(n.hits[s], localHit{doc: uint32(g - e.offsets[s]), score: dm.Score})
			n.count++
		}
		sctx.DocumentMatchPool.Put(dm)
	}
}

// run evaluates the query over every segment, on as many goroutines as there are
// processors: the page of hits from..from+size, by score or by a sort field when byField is not
// nil, the number of matches, and the facet values of the matches counted by fc (when not
// nil).
func (e *evaluation) run(size, from int, byField *fieldSort, fc *facetCount, runs *sync.Pool) (*Result, error) {
	worse := worseByScore
	switch {
	case byField != nil:
		worse = byField.worse
	case e.inIndexOrder:
		worse = func(h, o rankedHit) bool { return h.doc > o.doc }
	}
	parts := make([]evalPart, workers(e.snap))
	for w := range parts {
		p := &parts[w]
		p.top = &topHits{n: size + from, worse: worse}
		p.byField = byField
		if fc != nil {
			p.facets = fc.fork()
		}
	}
	err := e.eachSegment(runs, len(parts), func(w int, r *segmentRun, i int, ss *scorch.SegmentSnapshot) error {
		return r.segment(i, ss, &parts[w])
	})
	if err != nil {
		return nil, err
	}
	top := &topHits{n: size + from, worse: worse}
	out := &Result{Counts: map[string]int{}}
	for _, p := range parts {
		out.Total += p.total
		for _, h := range p.top.heap {
			top.push(h)
		}
		if fc != nil {
			fc.merge(p.facets)
		}
	}
	best := top.best()
	for i := from; i < len(best); i++ {
		id := make(bleveindex.IndexInternalID, 8)
		binary.BigEndian.PutUint64(id, best[i].doc)
		ext, err := e.externalID(id, best[i].doc)
		if err != nil {
			return nil, err
		}
		out.Hits = append(out.Hits, Hit{ID: ext, Score: best[i].score})
	}
	if fc != nil {
		out.Counts = fc.result()
	}
	return out, nil
}

// externalID is a hit's id, from the id table when there is one: reading it from the
// stored fields decompresses a block of documents for each hit.
func (e *evaluation) externalID(id bleveindex.IndexInternalID, doc uint64) (string, error) {
	if e.ids != nil {
		s := sort.Search(len(e.offsets), func(i int) bool { return e.offsets[i] > doc }) - 1
		if o := e.ids.first(s, uint32(doc-e.offsets[s])); o != noValue {
			return e.ids.values[o], nil
		}
	}
	return e.snap.ExternalID(id)
}

// evalPart is what one goroutine of run finds in its segments.
type evalPart struct {
	top     *topHits
	byField *fieldSort
	total   uint64
	facets  *facetCount
}

// workers is how many goroutines evaluate a snapshot's segments: one per processor, at
// most one per segment.
func workers(snap *scorch.IndexSnapshot) int {
	return max(1, min(runtime.GOMAXPROCS(0), len(snap.Segments())))
}

// eachSegment calls do for every segment, on n goroutines (worker w of do), each with a
// segmentRun of runs; the largest segments first, so that the last to finish is a small
// one. It returns the first error a goroutine met.
func (e *evaluation) eachSegment(runs *sync.Pool, n int, do func(w int, r *segmentRun, i int, ss *scorch.SegmentSnapshot) error) error {
	segs := e.snap.Segments()
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return segs[order[a]].Count() > segs[order[b]].Count() })
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			r, _ := runs.Get().(*segmentRun)
			if r == nil {
				r = &segmentRun{dicts: map[string]segment.TermDictionary{}}
			}
			defer func() {
				// A panic here would take the server down (gin recovers the request's own
				// goroutine only): it becomes the search's error. After an error or a
				// panic the arrays may be half filled, so they are not used again.
				if v := recover(); v != nil {
					errs[w] = fmt.Errorf("evaluate a search: panic: %v\n%s", v, debug.Stack())
				}
				if errs[w] == nil {
					r.e = nil
					runs.Put(r)
				}
			}()
			r.e = e
			for k := int(next.Add(1) - 1); k < len(order) && errs[w] == nil; k = int(next.Add(1) - 1) {
				errs[w] = do(w, r, order[k], segs[order[k]])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
