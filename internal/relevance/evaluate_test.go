package relevance_test

import (
	"math"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/relevance"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScore(t *testing.T) {
	rel := map[string]int{"a": 2, "b": 1}
	perfect := relevance.Score([]string{"a", "b", "x"}, rel, 10)
	if !near(perfect.NDCG, 1) || !near(perfect.Recall, 1) || !near(perfect.MRR, 1) {
		t.Fatalf("perfect ranking scored %+v", perfect)
	}
	// b first, a second: DCG = 1/log2(2) + 3/log2(3); ideal = 3 + 1/log2(3).
	swapped := relevance.Score([]string{"b", "a"}, rel, 10)
	want := (1 + 3/math.Log2(3)) / (3 + 1/math.Log2(3))
	if !near(swapped.NDCG, want) || !near(swapped.MRR, 1) {
		t.Fatalf("swapped ranking scored %+v, want nDCG %.4f", swapped, want)
	}
	missed := relevance.Score([]string{"x", "y", "a"}, rel, 10)
	if !near(missed.Recall, 0.5) || !near(missed.MRR, 1.0/3) {
		t.Fatalf("half found scored %+v", missed)
	}
	cut := relevance.Score([]string{"x", "a"}, rel, 1)
	if cut.NDCG != 0 || cut.Recall != 0 {
		t.Fatalf("a hit below depth k counted: %+v", cut)
	}
	if m := relevance.Mean([]relevance.Scores{perfect, missed}); !near(m.Recall, 0.75) || m.N != 2 {
		t.Fatalf("mean %+v", m)
	}
}
