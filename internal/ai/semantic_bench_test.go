package ai

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/lru"
)

// clustered makes n unit vectors of dim around clusters of about 50, as embeddings of
// texts on shared topics are, and queries near the same clusters: a member is at cosine
// about 0.55 from its centre, two members about 0.3 from each other.
func clustered(n, dim, queries int, seed uint64) (vecs, qs [][]float32) {
	r := rand.New(rand.NewPCG(seed, 2))
	random := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return normalise(v)
	}
	centres := make([][]float32, max(n/50, 1))
	for i := range centres {
		centres[i] = random()
	}
	near := func() []float32 {
		c, noise := centres[r.IntN(len(centres))], random()
		v := make([]float32, dim)
		for i := range v {
			v[i] = c[i] + 1.5*noise[i]
		}
		return normalise(v)
	}
	for range n {
		vecs = append(vecs, near())
	}
	for range queries {
		qs = append(qs, near())
	}
	return vecs, qs
}

func setOf(vecs [][]float32, exactBelow int) *vectorSet {
	vs := newVectorSet()
	vs.exactBelow = exactBelow
	for i, v := range vecs {
		vs.put("p"+strconv.Itoa(i), [][]float32{v})
	}
	return vs
}

// recall is the share of the exact top k that the sketched search also returns.
func recall(exact, sketched *vectorSet, qs [][]float32, k int) float64 {
	found, total := 0, 0
	for _, q := range qs {
		want := map[string]bool{}
		for _, x := range exact.nearest(q, k) {
			want[x.id] = true
		}
		for _, x := range sketched.nearest(q, k) {
			if want[x.id] {
				found++
			}
		}
		total += len(want)
	}
	return float64(found) / float64(total)
}

// The sketched search finds what the exact one finds on clustered vectors.
func TestSketchedSearchRecall(t *testing.T) {
	vecs, qs := clustered(30_000, 256, 100, 7)
	exact, sketched := setOf(vecs, 1<<30), setOf(vecs, 1000)
	if r := recall(exact, sketched, qs, 10); r < 0.95 {
		t.Fatalf("recall@10 %.3f", r)
	}
	// Removing and replacing practices keeps the sketches right.
	for i := 0; i < 1000; i++ {
		id := "p" + strconv.Itoa(i)
		exact.remove(id)
		sketched.remove(id)
	}
	if r := recall(exact, sketched, qs, 10); r < 0.95 {
		t.Fatalf("after removals, recall@10 %.3f", r)
	}
}

// BenchmarkNearest measures one query over 100 000 practices with 768-dimension vectors
// (a common embedding size), exact and sketched, and reports the sketched recall@10.
func BenchmarkNearest(b *testing.B) {
	const n, dim = 100_000, 768
	vecs, qs := clustered(n, dim, 50, 1)
	exact := setOf(vecs, 1<<30)
	for _, c := range []struct {
		name       string
		exactBelow int
	}{{"exact", 1 << 30}, {"sketched", defaultExactBelow}} {
		b.Run(c.name, func(b *testing.B) {
			s := &Semantic{vecs: setOf(vecs, c.exactBelow), cache: lru.New[string, []float32](1)}
			ctx := context.Background()
			i := 0
			for b.Loop() {
				s.cache.Put("query", qs[i%len(qs)])
				i++
				if _, err := s.Nearest(ctx, "query", 100); err != nil {
					b.Fatal(err)
				}
			}
			if c.name == "sketched" {
				b.ReportMetric(recall(exact, s.vecs, qs, 10), "recall@10")
			}
		})
	}
}
