package engine

import (
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

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
	withins []*within  // by depth
	sets    [][]uint64 // selected: the documents of the text and of each filter
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
	for _, d := range docs {
		w.bits[d>>6] |= 1 << (d & 63)
	}
	// The documents in order from the bits: sorting them was a sixth of a filtered
	// search (pprof).
	w.docs = w.docs[:0]
	for i, word := range w.bits {
		for word != 0 {
			w.docs = append(w.docs, uint32(i<<6+bits.TrailingZeros64(word)))
			word &= word - 1
		}
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
	var matched uint64
	if p.byField != nil {
		matched = r.browse(i, root, p)
	} else {
		byScore, top := !r.e.inIndexOrder, p.top
		for _, d := range root.touched {
			if !r.e.root.matches(root, d) {
				continue
			}
			matched++
			if top.n == 0 {
				continue
			}
			h := rankedHit{doc: r.e.offsets[i] + uint64(d)}
			if byScore {
				h.score = r.e.root.score(root, d)
				// Most matches of a broad search cannot enter the top: they are turned
				// away here, without a call (pushing each was a fourteenth of the time
				// under load, pprof).
				if len(top.heap) == top.n && h.score < top.heap[0].score {
					continue
				}
			}
			top.push(h)
		}
	}
	p.total += matched
	if p.facets != nil {
		r.countFacets(root, matched, p.facets)
	}
	return nil
}

// browse ranks the matches of segment i by the sort field and returns how many there are.
func (r *segmentRun) browse(i int, root *accumulator, p *evalPart) (matched uint64) {
	for _, d := range root.touched {
		if r.e.root.matches(root, d) {
			matched++
		}
	}
	push := func(d uint32) {
		h := rankedHit{doc: r.e.offsets[i] + uint64(d), score: r.e.root.score(root, d)}
		h.value, h.id = p.byField.values.first(i, d), p.byField.ids.first(i, d)
		p.top.push(h)
	}
	// Walking the segment in the field's order meets a match about every n/matched documents:
	// about n·top/matched steps for the page, against matched pushes.
	n := uint64(r.ss.Segment().Count())
	if matched*matched < n*uint64(p.top.n) {
		for _, d := range root.touched {
			if r.e.root.matches(root, d) {
				push(d)
			}
		}
		return matched
	}
	// Many matches for the page: only the first of the segment's documents in the field's
	// order can be on it. Pushing every match into the top was two thirds of a browse
	// (pprof).
	pushed := 0
	for _, d := range p.byField.order(i, uint32(n)) {
		if pushed == p.top.n {
			break
		}
		if root.count[d] > 0 && r.e.root.matches(root, d) {
			push(d)
			pushed++
		}
	}
	return matched
}

// countFacets counts the facet values of the segment's matches. When most of the segment
// matches, they are counted as those of every live document less those of the documents
// that do not match: a tenth of the lookups for a broad search.
func (r *segmentRun) countFacets(root *accumulator, matched uint64, fc *facetCount) {
	deleted := r.ss.Deleted()
	n := r.ss.Segment().Count()
	if matched*2 <= n {
		for _, d := range root.touched {
			if r.e.root.matches(root, d) {
				fc.addLocal(r.seg, uint64(d))
			}
		}
		return
	}
	fc.addLive(r.seg, deleted)
	for d := range uint32(n) {
		if (root.count[d] == 0 || !r.e.root.matches(root, d)) && (deleted == nil || !deleted.Contains(d)) {
			fc.subLocal(r.seg, uint64(d))
		}
	}
}
