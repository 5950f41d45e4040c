package recommend

import (
	"math"
	"testing"
)

func TestWeightsFormOneTable(t *testing.T) {
	sum := 0.0
	seen := map[string]bool{}
	for _, w := range Weights {
		if seen[w.Factor] || w.Weight <= 0 || w.What == "" {
			t.Errorf("factor %+v repeated, unweighted or undocumented", w)
		}
		seen[w.Factor] = true
		sum += w.Weight
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("weights sum to %.3f, want 1", sum)
	}
}

func TestBandsAndSizes(t *testing.T) {
	for pop, band := range map[int]string{1: "<50k", 49_999: "<50k", 50_000: "50k-100k", 100_000: "50k-100k", 100_001: "100k-1M", 1_000_000: "100k-1M", 1_000_001: ">1M"} {
		if got := BandOf(pop); got != band {
			t.Errorf("BandOf(%d) = %s, want %s", pop, got, band)
		}
	}
	if s := sizeSimilarity(50_000, 50_000); s != 1 {
		t.Errorf("equal sizes: %v", s)
	}
	if s := sizeSimilarity(10_000, 1_000_000); s != 0 {
		t.Errorf("a hundredfold difference: %v", s)
	}
	if a, b := sizeSimilarity(50_000, 100_000), sizeSimilarity(50_000, 500_000); a <= b {
		t.Errorf("closer sizes must be more similar: %v <= %v", a, b)
	}
	if scaleFit(3, 0) != 0 || scaleFit(0, 3) != 1 || scaleFit(1, 0) <= scaleFit(2, 0) {
		t.Error("scale fit must fall as the practice's city is larger")
	}
}
