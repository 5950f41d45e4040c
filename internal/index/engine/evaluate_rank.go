package engine

import (
	"cmp"
	"slices"
	"sort"
)

// rankedHit is a match in the running top of a search.
type rankedHit struct {
	score     float64
	doc       uint64 // global number: Bleve breaks ties by it, lower first
	value, id uint32 // ordinals in a fieldSort's tables
}

// worseByScore ranks by score, as Bleve does by default.
func worseByScore(h, o rankedHit) bool {
	if h.score != o.score {
		return h.score < o.score
	}
	return h.doc > o.doc
}

// fieldSort ranks as Bleve's sort by a field then the id field does, by the values of the
// two fields in their tables.
type fieldSort struct{ values, ids *tableView }

func (t *fieldSort) worse(h, o rankedHit) bool {
	if c := t.values.compare(h.value, o.value); c != 0 {
		return c > 0
	}
	if c := t.ids.compare(h.id, o.id); c != 0 {
		return c > 0
	}
	return h.doc > o.doc
}

// order returns the n documents of segment s in the order of worse (without the
// global numbers, which follow the local ones), sorted on first use.
func (t *fieldSort) order(s int, n uint32) []uint32 {
	tt := t.values.tables[s]
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if uint32(len(tt.browseOrder)) != n {
		docs := make([]uint32, n)
		for d := range docs {
			docs[d] = uint32(d)
		}
		slices.SortFunc(docs, func(a, b uint32) int {
			if c := t.values.compare(t.values.first(s, a), t.values.first(s, b)); c != 0 {
				return c
			}
			if c := t.ids.compare(t.ids.first(s, a), t.ids.first(s, b)); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		tt.browseOrder = docs
	}
	return tt.browseOrder
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
