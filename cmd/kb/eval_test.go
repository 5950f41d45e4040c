package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kb eval search --record writes this release's rankings; a run beside the file prints
// them as the previous release's column, and a set with a query the file lacks says so
// instead of scoring it 0.
func TestEvalSearchRecordsAndComparesThePreviousRelease(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "set.json")
	write := func(queries string) {
		t.Helper()
		if err := os.WriteFile(set, []byte(`{"description":"t","queries":[`+queries+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	beach := `{"q":"beach occupancy","kind":"keyword","relevant":{"amb-beach-occupancy-information":2}}`
	write(beach)
	prev := filepath.Join(dir, "set.previous.json")
	if r := kb(t, "eval", "search", "--record", prev, set); r.code != 0 {
		t.Fatalf("record: %+v", r)
	}
	data, err := os.ReadFile(prev)
	if err != nil || !strings.Contains(string(data), `"amb-beach-occupancy-information"`) {
		t.Fatalf("recorded %s (%v)", data, err)
	}
	r := kb(t, "eval", "search", set)
	if r.code != 0 || !strings.Contains(r.stdout, "previous nDCG@10") || !strings.Contains(r.stdout, "previous = kb") {
		t.Fatalf("eval beside the recorded file: %+v", r)
	}
	write(beach + `,{"q":"tree census","kind":"keyword","relevant":{"villa-carlos-paz-tree-census":2}}`)
	r = kb(t, "eval", "search", set)
	if r.code != 0 || strings.Contains(r.stdout, "previous nDCG@10") || !strings.Contains(r.stdout, `lack 1 of the queries ("tree census" first)`) {
		t.Fatalf("eval with a query the file lacks: %+v", r)
	}
}
