package index

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Term-at-a-time evaluation of kb's queries.
//
// Bleve evaluates a disjunction a document at a time: a heap of term searchers, one
// DocumentMatch per posting, merged document by document. kb's broad searches are a few
// common words, each tried as the exact word, as a stem in four fields and as a concept:
// fifteen to thirty terms whose postings cover most practices. At 100 000 practices that
// merging was two thirds of such a search (pprof). The evaluator instead adds each
// term's postings into arrays indexed by document, segment by segment, and scores as
// Bleve does (BM25, query norm, coordination; equal to rounding), so that the ranking is
// Bleve's. Parts of a query it does not evaluate itself (fuzzy terms, ids, phrases with
// two terms at a position) are run by Bleve's own searchers inside the tree. A test
// compares both ways.

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
	e := &evaluation{ctx: ctx, snap: snap, m: m, docTotal: n}
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
	tfr, err := e.snap.TermFieldReader(e.ctx, n.term, field, false, false, false)
	if err != nil {
		return nil, err
	}
	docTerm := tfr.Count()
	tfr.Close()
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

// accumulator holds, for the documents of one segment, the sum of the scores of the
// parts of one node that matched, and how many did.
type accumulator struct {
	sum     []float64
	count   []uint16
	touched []uint32 // documents with count > 0, in the order first seen
}

func (a *accumulator) grow(n int) {
	if len(a.sum) < n {
		a.sum = make([]float64, n)
		a.count = make([]uint16, n)
	}
}

func (a *accumulator) add(doc uint32, score float64) {
	if a.count[doc] == 0 {
		a.touched = append(a.touched, doc)
	}
	a.sum[doc] += score
	a.count[doc]++
}

func (a *accumulator) clear() {
	for _, d := range a.touched {
		a.sum[d], a.count[d] = 0, 0
	}
	a.touched = a.touched[:0]
}

// matches and score say, once a node's parts are added, whether a document matches the
// node and with which score, as Bleve's disjunction (coordination: the sum scaled by
// the share of parts that matched) and conjunction (the sum) scorers do.
func (n *evalNode) matches(a *accumulator, doc uint32) bool {
	if n.kind == evalAll {
		return int(a.count[doc]) == len(n.children)
	}
	return int(a.count[doc]) >= n.min
}

func (n *evalNode) score(a *accumulator, doc uint32) float64 {
	if n.kind == evalAll {
		return a.sum[doc]
	}
	return a.sum[doc] * (float64(a.count[doc]) / float64(len(n.children)))
}

// segmentRun evaluates the tree over one segment, with one accumulator per depth.
type segmentRun struct {
	e       *evaluation
	seg     int
	ss      *scorch.SegmentSnapshot
	accs    []*accumulator
	withins []*within // by depth
	dicts   map[string]segment.TermDictionary
	it      segment.PostingsIterator
}

func (r *segmentRun) acc(depth int) *accumulator {
	for len(r.accs) <= depth {
		r.accs = append(r.accs, &accumulator{})
	}
	a := r.accs[depth]
	a.grow(int(r.ss.Segment().Count()))
	return a
}

// within is the documents that a conjunction's most selective part matched: its other
// parts are evaluated for those only. A nil *within is every document.
type within struct {
	docs []uint32 // ascending
	bits []uint64
}

func (w *within) has(d uint32) bool {
	return w == nil || w.bits[d>>6]&(1<<(d&63)) != 0
}

// narrow makes the within of depth from the documents matched so far.
func (r *segmentRun) narrow(depth int, docs []uint32) *within {
	for len(r.withins) <= depth {
		r.withins = append(r.withins, &within{})
	}
	w := r.withins[depth]
	if n := (int(r.ss.Segment().Count()) + 63) / 64; len(w.bits) < n {
		w.bits = make([]uint64, n)
	}
	w.docs = append(w.docs[:0], docs...)
	slices.Sort(w.docs)
	for _, d := range w.docs {
		w.bits[d>>6] |= 1 << (d & 63)
	}
	return w
}

func (w *within) clear() {
	for _, d := range w.docs {
		w.bits[d>>6] = 0
	}
	w.docs = w.docs[:0]
}

// estimate is about how many documents a node matches in the whole index.
func (n *evalNode) estimate() uint64 {
	switch n.kind {
	case evalTerm, evalBleve, evalEvery:
		return n.count
	case evalPhrase, evalAll:
		least := uint64(math.MaxUint64)
		for _, c := range n.children {
			if c != nil {
				least = min(least, c.estimate())
			}
		}
		return least
	case evalAny:
		var sum uint64
		for _, c := range n.children {
			sum += c.estimate()
		}
		return sum
	}
	return 0
}

// fill adds the parts of a composite node into the accumulator of its depth, for the
// documents of in only. A conjunction evaluates its most selective part first, and its
// other parts only for the documents that part matched.
func (r *segmentRun) fill(n *evalNode, depth int, in *within) (*accumulator, error) {
	out := r.acc(depth)
	parts := n.children
	if n.kind == evalAll && len(parts) > 1 {
		first := 0
		for i, c := range parts {
			if c.estimate() < parts[first].estimate() {
				first = i
			}
		}
		if err := r.addPart(parts[first], out, depth, in); err != nil {
			return nil, err
		}
		narrowed := r.narrow(depth, out.touched)
		defer narrowed.clear()
		for i, c := range parts {
			if i == first {
				continue
			}
			if err := r.addPart(c, out, depth, narrowed); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for _, c := range parts {
		if err := r.addPart(c, out, depth, in); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addPart adds a part's score to out for each document of in it matches.
func (r *segmentRun) addPart(c *evalNode, out *accumulator, depth int, in *within) error {
	if err := r.e.ctx.Err(); err != nil {
		return err
	}
	switch c.kind {
	case evalTerm:
		return r.addTerm(c, out, in)
	case evalPhrase:
		return r.addPhrase(c, out, in)
	case evalBleve:
		for _, h := range c.hits[r.seg] {
			if in.has(h.doc) {
				out.add(h.doc, h.score)
			}
		}
	case evalEvery:
		s, deleted := 1.0, r.ss.Deleted()
		if c.qweight != 1 {
			s *= c.qweight
		}
		if in != nil { // documents matched by another part: live ones
			for _, d := range in.docs {
				out.add(d, s)
			}
			return nil
		}
		for d := range uint32(r.ss.Segment().Count()) {
			if deleted == nil || !deleted.Contains(d) {
				out.add(d, s)
			}
		}
	case evalAny, evalAll:
		sub, err := r.fill(c, depth+1, in)
		if err != nil {
			return err
		}
		for _, d := range sub.touched {
			if c.matches(sub, d) {
				out.add(d, c.score(sub, d))
			}
		}
		sub.clear()
	}
	return nil
}

// postings returns the postings of a term in the segment, without deleted documents.
func (r *segmentRun) postings(n *evalNode) (segment.PostingsList, error) {
	dict, ok := r.dicts[n.field]
	if !ok {
		d, err := r.ss.Segment().Dictionary(n.field)
		if err != nil {
			return nil, err
		}
		r.dicts[n.field], dict = d, d
	}
	// No list to reuse: zap hands a reused list of a field the segment lacks an iterator
	// that dereferences nil.
	return dict.PostingsList(n.term, r.ss.Deleted(), nil)
}

// addTerm adds a term's score for each of its postings in in. When in holds far fewer
// documents than the term, it advances to each of them instead of reading every posting.
func (r *segmentRun) addTerm(n *evalNode, out *accumulator, in *within) error {
	if d, ok := r.e.decoded.get(r.postingsKey(n)); ok {
		n.addDecoded(d, out, in)
		return nil
	}
	pl, err := r.postings(n)
	if err != nil {
		return err
	}
	if r.e.decoded.keeps(pl.Count()) {
		d, it, err := decode(pl, r.it, n.avgLength, false)
		if r.it = it; err != nil {
			return err
		}
		r.e.decoded.put(r.postingsKey(n), d)
		n.addDecoded(d, out, in)
		return nil
	}
	r.it = pl.Iterator(true, true, false, r.it)
	if in != nil && uint64(len(in.docs))*advanceRatio < pl.Count() {
		var at segment.Posting
		for _, d := range in.docs {
			if at == nil || at.Number() < uint64(d) {
				if at, err = r.it.Advance(uint64(d)); err != nil || at == nil {
					return err
				}
			}
			if at.Number() == uint64(d) {
				out.add(d, n.termScore(at.Frequency(), at.Norm()))
			}
		}
		return nil
	}
	for {
		p, err := r.it.Next()
		if err != nil || p == nil {
			return err
		}
		if d := uint32(p.Number()); in.has(d) {
			out.add(d, n.termScore(p.Frequency(), p.Norm()))
		}
	}
}

func (r *segmentRun) postingsKey(n *evalNode) postingsKey {
	k := postingsKey{segment: r.ss.Id(), field: n.field, term: string(n.term), avgLength: n.avgLength}
	if del := r.ss.Deleted(); del != nil {
		k.deleted = del.GetCardinality()
	}
	return k
}

// addDecoded is addTerm over decoded postings.
func (n *evalNode) addDecoded(d *decodedPostings, out *accumulator, in *within) {
	f := n.factor()
	if in != nil && len(in.docs)*advanceRatio < len(d.docs) {
		i := 0
		for _, doc := range in.docs {
			i += sort.Search(len(d.docs)-i, func(j int) bool { return d.docs[i+j] >= doc })
			if i == len(d.docs) {
				return
			}
			if d.docs[i] == doc {
				out.add(doc, d.base[i]*f)
			}
		}
		return
	}
	for i, doc := range d.docs {
		if in.has(doc) {
			out.add(doc, d.base[i]*f)
		}
	}
}

// advanceRatio: a term is read by advancing to the documents of a within when it has
// this many times more postings (advancing skips postings but costs more per step).
const advanceRatio = 8

// termScore is a term's BM25 score in a document where it occurs freq times in a field
// of that norm: TermQueryScorer's, to rounding (the document's part is computed apart,
// to be kept with decoded postings).
func (n *evalNode) termScore(freq uint64, norm float64) float64 {
	return bm25Base(freq, norm, n.avgLength) * n.factor()
}

// factor is what a term's score multiplies the document's part by: the idf, and the
// boost, idf and query norm of the query weight.
func (n *evalNode) factor() float64 {
	if n.qweight != 1 {
		return n.idf * n.qweight
	}
	return n.idf
}

// bm25Base is the part of a term's score that depends on the document.
func bm25Base(freq uint64, norm, avgLength float64) float64 {
	tf := math.Sqrt(float64(freq))
	if avgLength <= 0 {
		return tf * norm
	}
	k1, b := search.BM25_k1, search.BM25_b
	fieldLength := 1 / (norm * norm)
	return (tf * k1) / (tf + k1*(1-b+(b*fieldLength/avgLength)))
}

// phraseWord is a term of a phrase, as addPhrase walks its postings.
type phraseWord struct {
	term   *evalNode
	offset uint32 // its position in the phrase
	list   *decodedPostings
	at     int // the index in list of the document walked to
}

// addPhrase adds, for each document where the phrase's terms stand at consecutive
// positions, the sum of the terms' scores (Bleve's phrase searcher scores as the
// conjunction of its terms). It walks the documents of the rarest term and looks for
// each of them in the lists of the others.
func (r *segmentRun) addPhrase(n *evalNode, out *accumulator, in *within) error {
	var words []*phraseWord
	var lead *phraseWord
	for i, t := range n.children {
		if t == nil {
			continue
		}
		list, err := r.decodedWithPositions(t)
		if err != nil {
			return err
		}
		w := &phraseWord{term: t, offset: uint32(i), list: list}
		if lead == nil || len(list.docs) < len(lead.list.docs) {
			lead = w
		}
		words = append(words, w)
	}
	for i, doc := range lead.list.docs {
		if !in.has(doc) {
			continue
		}
		lead.at = i
		found := true
		for _, w := range words {
			if w != lead && !w.seek(doc) {
				found = false
				break
			}
		}
		if !found || !inSequence(words) {
			continue
		}
		var s float64
		for _, w := range words {
			s += w.list.base[w.at] * w.term.factor()
		}
		out.add(doc, s)
	}
	return nil
}

// seek moves the word to doc, or past it; it reports whether the word is in doc.
func (w *phraseWord) seek(doc uint32) bool {
	docs := w.list.docs
	w.at += sort.Search(len(docs)-w.at, func(j int) bool { return docs[w.at+j] >= doc })
	return w.at < len(docs) && docs[w.at] == doc
}

// inSequence reports whether, for some position of the first word (at offset 0), each
// other word stands its offset further.
func inSequence(words []*phraseWord) bool {
	for _, p := range words[0].list.positionsOf(words[0].at) {
		all := true
		for _, w := range words[1:] {
			if _, ok := slices.BinarySearch(w.list.positionsOf(w.at), p+w.offset); !ok {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// decodedWithPositions returns a term's postings with their positions, kept decoded
// when the list is long.
func (r *segmentRun) decodedWithPositions(n *evalNode) (*decodedPostings, error) {
	k := r.postingsKey(n)
	k.positions = true
	if d, ok := r.e.decoded.get(k); ok {
		return d, nil
	}
	pl, err := r.postings(n)
	if err != nil {
		return nil, err
	}
	d, it, err := decode(pl, r.it, n.avgLength, true)
	if r.it = it; err != nil {
		return nil, err
	}
	if r.e.decoded.keeps(pl.Count()) {
		r.e.decoded.put(k, d)
	}
	return d, nil
}

// rankedHit is a match in the running top of a search.
type rankedHit struct {
	score     float64
	doc       uint64 // global number: Bleve breaks ties by it, lower first
	title, id uint32 // ordinals in a titleOrder's tables
}

// worseByScore ranks by score, as Bleve does by default.
func worseByScore(h, o rankedHit) bool {
	if h.score != o.score {
		return h.score < o.score
	}
	return h.doc > o.doc
}

// titleOrder ranks as Bleve's sort by title_sort then id does, by the values of the
// two fields in their tables.
type titleOrder struct{ titles, ids *tableView }

func (t *titleOrder) worse(h, o rankedHit) bool {
	if c := t.titles.compare(h.title, o.title); c != 0 {
		return c > 0
	}
	if c := t.ids.compare(h.id, o.id); c != 0 {
		return c > 0
	}
	return h.doc > o.doc
}

// topHits keeps the best n matches in a heap whose root is the worst of them.
type topHits struct {
	n     int
	worse func(h, o rankedHit) bool
	heap  []rankedHit
}

func (t *topHits) push(h rankedHit) {
	if t.n == 0 {
		return
	}
	if len(t.heap) < t.n {
		t.heap = append(t.heap, h)
		for i := len(t.heap) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.worse(t.heap[i], t.heap[p]) {
				break
			}
			t.heap[i], t.heap[p] = t.heap[p], t.heap[i]
			i = p
		}
		return
	}
	if !t.worse(t.heap[0], h) {
		return
	}
	t.heap[0] = h
	for i := 0; ; {
		w, l, r := i, 2*i+1, 2*i+2
		if l < len(t.heap) && t.worse(t.heap[l], t.heap[w]) {
			w = l
		}
		if r < len(t.heap) && t.worse(t.heap[r], t.heap[w]) {
			w = r
		}
		if w == i {
			return
		}
		t.heap[i], t.heap[w] = t.heap[w], t.heap[i]
		i = w
	}
}

// best returns the kept matches, best first.
func (t *topHits) best() []rankedHit {
	out := append([]rankedHit(nil), t.heap...)
	sort.Slice(out, func(i, j int) bool { return t.worse(out[j], out[i]) })
	return out
}

// run evaluates the query over every segment, on as many goroutines as there are
// processors: the page of hits from..from+size, by score or by title when byTitle is not
// nil, the number of matches, and the facet values of the matches counted by fc (when not
// nil).
func (e *evaluation) run(size, from int, byTitle *titleOrder, fc *facetCount, runs *sync.Pool) (*collected, error) {
	worse := worseByScore
	switch {
	case byTitle != nil:
		worse = byTitle.worse
	case e.inIndexOrder:
		worse = func(h, o rankedHit) bool { return h.doc > o.doc }
	}
	segs := e.snap.Segments()
	// The largest segments first, so that the last to finish is a small one.
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return segs[order[a]].Count() > segs[order[b]].Count() })
	parts := make([]evalPart, max(1, min(runtime.GOMAXPROCS(0), len(segs))))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range parts {
		p := &parts[w]
		p.top = &topHits{n: size + from, worse: worse}
		p.byTitle = byTitle
		if fc != nil {
			p.facets = fc.fork()
		}
		wg.Go(func() {
			r, _ := runs.Get().(*segmentRun)
			if r == nil {
				r = &segmentRun{dicts: map[string]segment.TermDictionary{}}
			}
			defer runs.Put(r)
			r.e = e
			for k := int(next.Add(1) - 1); k < len(order) && p.err == nil; k = int(next.Add(1) - 1) {
				p.err = r.segment(order[k], segs[order[k]], p)
			}
			r.e = nil
		})
	}
	wg.Wait()
	top := &topHits{n: size + from, worse: worse}
	out := &collected{counts: map[string]int{}}
	for _, p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		out.total += p.total
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
		out.hits = append(out.hits, &search.DocumentMatch{ID: ext, Score: best[i].score, IndexInternalID: id, HitNumber: best[i].doc})
	}
	if fc != nil {
		out.counts = fc.result()
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
	byTitle *titleOrder
	total   uint64
	facets  *facetCount
	err     error
}

// segment evaluates the query over segment i and adds its matches to p.
func (r *segmentRun) segment(i int, ss *scorch.SegmentSnapshot, p *evalPart) error {
	r.seg, r.ss = i, ss
	clear(r.dicts)
	r.it = nil
	root, err := r.fill(r.e.root, 0, nil)
	if err != nil {
		return err
	}
	defer root.clear()
	// When most of the segment matches, its facets are counted as those of every live
	// document less those of the documents that do not match.
	deleted := ss.Deleted()
	n := ss.Segment().Count()
	complement := p.facets != nil && uint64(len(root.touched))*2 > n
	if complement {
		p.facets.addLive(i, deleted)
		for d := range uint32(n) {
			if (root.count[d] == 0 || !r.e.root.matches(root, d)) && (deleted == nil || !deleted.Contains(d)) {
				p.facets.subLocal(i, uint64(d))
			}
		}
	}
	for _, d := range root.touched {
		if !r.e.root.matches(root, d) {
			continue
		}
		p.total++
		if p.facets != nil && !complement {
			p.facets.addLocal(i, uint64(d))
		}
		h := rankedHit{doc: r.e.offsets[i] + uint64(d)}
		if !r.e.inIndexOrder {
			h.score = r.e.root.score(root, d)
		}
		if p.byTitle != nil {
			h.title, h.id = p.byTitle.titles.first(i, d), p.byTitle.ids.first(i, d)
		}
		p.top.push(h)
	}
	return nil
}
