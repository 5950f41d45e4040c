package ai

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkNearest measures the exact cosine search over 100 000 practices with
// 768-dimension vectors (a common embedding size): KB_BENCH-style figures for the README.
func BenchmarkNearest(b *testing.B) {
	const n, dim = 100_000, 768
	r := rand.New(rand.NewPCG(1, 2))
	s := &Semantic{vecs: make(map[string][]float32, n), cache: map[string][]float32{}}
	vec := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return normalise(v)
	}
	for i := 0; i < n; i++ {
		s.vecs["p"+strconv.Itoa(i)] = vec()
	}
	s.cache["query"] = vec()
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Nearest(ctx, "query", 100); err != nil {
			b.Fatal(err)
		}
	}
}
