package server_test

import (
	"testing"

	"github.com/uclg-digital-cities/kb/internal/findings"
)

func TestFindingsOverHTTP(t *testing.T) {
	e, a := newEngine(t)
	w := do(t, e, "GET", "/api/v1/findings", "")
	if w.Code != 200 || w.Header().Get("Cache-Control") != "public, max-age=3600" {
		t.Fatalf("findings: %d %v", w.Code, w.Header())
	}
	f := decode[findings.Findings](t, w)
	if len(f.Figures) != len(a.Findings.Figures) || f.Study.Cities != 35 {
		t.Fatalf("%d figures, study %+v", len(f.Figures), f.Study)
	}
	d, ok := f.Distribution("citizen-participation-level")
	if !ok || len(d.Parts) != 3 || d.Parts[2].Value != 29 || d.Parts[2].Measures["fr"] == "" {
		t.Fatalf("a distribution's parts: %+v", d)
	}
	if w := do(t, e, "GET", "/api/v1/findings?area=mobility", ""); w.Code != 400 {
		t.Fatalf("an unknown parameter: %d %s", w.Code, w.Body.String())
	}
}
