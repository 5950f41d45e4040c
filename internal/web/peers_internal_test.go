package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// A harvest's problems are said in the reader's language, a practice that was not valid
// field by field; a problem kept before they were said from the catalogues still shows,
// in its English, marked so.
func TestHarvestProblemsInTheReadersLanguage(t *testing.T) {
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	p := &Pages{catalog: cat}
	var peer federation.Peer
	stored := `{"name":"old","last_problems":["oai:x.org:a: refused: the record is not signed"]}`
	if err := json.Unmarshal([]byte(stored), &peer); err != nil {
		t.Fatal(err)
	}
	var invalid federation.Problem
	if err := json.Unmarshal([]byte(`{"record":"oai:x.org:b","says":{"key":"harvest.problem.invalid"},"fields":{"country":{"code":"not_a_choice","args":["ZZ"]},"title":{"code":"too_long","args":[200]}},"text":"oai:x.org:b: …"}`), &invalid); err != nil {
		t.Fatal(err)
	}
	got := p.harvestProblems("es", append(peer.LastProblems, invalid))
	if len(got) != 2 || !got[0].English || got[0].Text != "oai:x.org:a: refused: the record is not signed" {
		t.Fatalf("the problem kept as text: %+v", got)
	}
	want := cat.T("es", "harvest.problem.invalid") + " " + cat.T("es", "field.country") + ": " + cat.T("es", "problem.country.not_a_choice") +
		"; " + cat.T("es", "field.title") + ": " + cat.T("es", "problem.too_long", 200)
	if got[1].English || got[1].Record != "oai:x.org:b" || got[1].Text != want || strings.Contains(got[1].Text, "%!") {
		t.Errorf("the invalid practice: %q, want %q", got[1].Text, want)
	}
}
