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
	// Within a band a city is of the practice's size; beyond it the likeness falls with the
	// distance to the band's nearest bound, never "similar" across a band's bound.
	if s := bandSimilarity(60_000, "50k-100k"); s != 1 {
		t.Errorf("60,000 in 50k-100k: %v", s)
	}
	if s := bandSimilarity(60_000, "100k-1M"); s >= 1 || s <= 0 {
		t.Errorf("60,000 against 100k-1M: %v", s)
	}
	if a, b := bandSimilarity(90_000, "100k-1M"), bandSimilarity(20_000, "100k-1M"); a <= b {
		t.Errorf("closer to the band must be more similar: %v <= %v", a, b)
	}
	if s := bandSimilarity(5_000, ">1M"); s != 0 {
		t.Errorf("a village against a megacity: %v", s)
	}
	if s := bandSimilarity(12_000_000, ">1M"); s != 1 {
		t.Errorf("the top band is open: %v", s)
	}
	for band, b := range bandBounds { // the bounds are BandOf's
		if BandOf(int(b[0])) != band || (b[1] < 1e9 && BandOf(int(b[1])) != band) {
			t.Errorf("bounds %v of %s are not BandOf's", b, band)
		}
	}
	if scaleFit(3, 0) != 0 || scaleFit(0, 3) != 1 || scaleFit(1, 0) <= scaleFit(2, 0) {
		t.Error("scale fit must fall as the practice's city is larger")
	}
}
