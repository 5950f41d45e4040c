package practices_test

import (
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Cost and complexity are optional levels; anything else is named.
func TestCostAndComplexityAreLevels(t *testing.T) {
	p := samplePractice("levels")
	p.Cost, p.Complexity = " low ", "high"
	p.Normalize()
	if err := p.Validate(nil); err != nil || p.Cost != "low" {
		t.Fatalf("valid levels: %v (cost %q)", err, p.Cost)
	}
	p.Cost, p.Complexity = "cheap", "hard"
	err := p.Validate(nil)
	if e := apperr.As(err); e == nil || e.Fields["cost"] == "" || e.Fields["complexity"] == "" {
		t.Fatalf("unknown levels: %v", err)
	}
}
