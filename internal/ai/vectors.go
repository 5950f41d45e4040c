package ai

import (
	"container/heap"
	"math/bits"
	"sort"
)

// vectorSet holds the normalised vectors of every practice's chunks in one contiguous
// array, with a binary sketch of each: the signs of its components around the mean of
// the set (binary quantisation). Past exactBelow vectors a query compares sketches, one
// XOR and popcount per 64 dimensions, keeps the closest few thousand and ranks only
// those by exact cosine; below it, every vector is compared exactly.
type vectorSet struct {
	dim, words int
	data       []float32 // row-major, dim per row
	sig        []uint64  // words per row
	owner      []string  // row → practice id; "" for a free row
	rows       map[string][]int
	free       []int
	// mean centres the sketches, so that components that are positive in every
	// embedding (as some models' are) still split the set; it is taken again when the
	// set has doubled since, and every sketch with it.
	mean   []float32
	meanAt int
	live   int
	// exactBelow: below this many vectors every query is exact.
	exactBelow int
}

// defaultExactBelow is where the sketches start paying: an exact query over 10 000
// vectors of 768 dimensions takes about 5 ms (BenchmarkNearest: 52 ms at 100 000).
const defaultExactBelow = 10_000

func newVectorSet() *vectorSet {
	return &vectorSet{rows: map[string][]int{}, exactBelow: defaultExactBelow}
}

// ids lists the practices that have vectors.
func (vs *vectorSet) ids() []string {
	out := make([]string, 0, len(vs.rows))
	for id := range vs.rows {
		out = append(out, id)
	}
	return out
}

// put replaces a practice's vectors (normalised by the caller). Vectors of another
// dimension than the set's are skipped: they belong to another model.
func (vs *vectorSet) put(id string, vecs [][]float32) {
	vs.remove(id)
	for _, v := range vecs {
		if vs.dim == 0 && len(v) > 0 {
			vs.dim, vs.words = len(v), (len(v)+63)/64
		}
		if len(v) != vs.dim || vs.dim == 0 {
			continue
		}
		var r int
		if n := len(vs.free); n > 0 {
			r, vs.free = vs.free[n-1], vs.free[:n-1]
			copy(vs.data[r*vs.dim:], v)
		} else {
			r = len(vs.owner)
			vs.data = append(vs.data, v...)
			vs.sig = append(vs.sig, make([]uint64, vs.words)...)
			vs.owner = append(vs.owner, "")
		}
		vs.owner[r] = id
		vs.rows[id] = append(vs.rows[id], r)
		vs.live++
		if vs.mean != nil {
			vs.sketch(r)
		}
	}
	if vs.live >= vs.exactBelow && vs.live >= 2*vs.meanAt {
		vs.recentre()
	}
}

// remove forgets a practice's vectors; their rows are reused.
func (vs *vectorSet) remove(id string) {
	for _, r := range vs.rows[id] {
		vs.owner[r] = ""
		vs.free = append(vs.free, r)
		vs.live--
	}
	delete(vs.rows, id)
}

func (vs *vectorSet) row(r int) []float32 { return vs.data[r*vs.dim : (r+1)*vs.dim] }

// recentre takes the mean of the live vectors and sketches every row around it.
func (vs *vectorSet) recentre() {
	mean := make([]float64, vs.dim)
	for r, id := range vs.owner {
		if id != "" {
			for i, x := range vs.row(r) {
				mean[i] += float64(x)
			}
		}
	}
	vs.mean = make([]float32, vs.dim)
	for i := range mean {
		vs.mean[i] = float32(mean[i] / float64(max(vs.live, 1)))
	}
	vs.meanAt = vs.live
	for r, id := range vs.owner {
		if id != "" {
			vs.sketch(r)
		}
	}
}

func (vs *vectorSet) sketch(r int) {
	signs(vs.row(r), vs.mean, vs.sig[r*vs.words:(r+1)*vs.words])
}

// signs sets bit i of out when v[i] is above mean[i].
func signs(v, mean []float32, out []uint64) {
	clear(out)
	for i, x := range v {
		if x > mean[i] {
			out[i/64] |= 1 << (i % 64)
		}
	}
}

// nearest returns the k practices whose nearest chunk is closest to q (normalised),
// nearest first.
func (vs *vectorSet) nearest(q []float32, k int) []scored {
	if len(q) != vs.dim || k <= 0 || vs.live == 0 {
		return nil
	}
	var rows []int
	if vs.live >= vs.exactBelow && vs.mean != nil {
		rows = vs.candidates(q, max(20*k, vs.live/50, 1000))
	}
	best := map[string]float64{}
	consider := func(r int) {
		id := vs.owner[r]
		if id == "" {
			return
		}
		s := dot(q, vs.row(r))
		if old, ok := best[id]; !ok || s > old {
			best[id] = s
		}
	}
	if rows == nil {
		for r := range vs.owner {
			consider(r)
		}
	} else {
		for _, r := range rows {
			consider(r)
		}
	}
	// Keep the k best in a min-heap: no sort of every practice.
	top := make(scoredHeap, 0, k+1)
	for id, s := range best {
		x := scored{id, s}
		if len(top) < k {
			heap.Push(&top, x)
		} else if x.better(top[0]) {
			top[0] = x
			heap.Fix(&top, 0)
		}
	}
	sort.Slice(top, func(i, j int) bool { return top[i].better(top[j]) })
	return top
}

// candidates returns about n live rows whose sketches are closest to q's, by counting
// the rows at each Hamming distance and cutting at the distance that reaches n.
func (vs *vectorSet) candidates(q []float32, n int) []int {
	qs := make([]uint64, vs.words)
	signs(q, vs.mean, qs)
	dist := make([]uint16, len(vs.owner))
	count := make([]int, vs.dim+1)
	for r, id := range vs.owner {
		if id == "" {
			continue
		}
		d := 0
		s := vs.sig[r*vs.words : (r+1)*vs.words]
		for w, x := range qs {
			d += bits.OnesCount64(x ^ s[w])
		}
		dist[r] = uint16(d)
		count[d]++
	}
	cut, seen := 0, 0
	for cut = range count {
		if seen += count[cut]; seen >= n {
			break
		}
	}
	out := make([]int, 0, seen)
	for r, id := range vs.owner {
		if id != "" && int(dist[r]) <= cut {
			out = append(out, r)
		}
	}
	return out
}
