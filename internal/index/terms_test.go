package index_test

import "testing"

// The concepts the index holds for each practice say which of some practices name one.
func TestNamingConcept(t *testing.T) {
	ix, _ := corpusIndex(t)
	got, err := ix.NamingConcept(t.Context(), "funding", []string{"cordoba-resilient-industry-4-0-challenge", "bilbao-geobilbao", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got["cordoba-resilient-industry-4-0-challenge"] {
		t.Errorf("practices naming funding: %v", got)
	}
	if got, err := ix.NamingConcept(t.Context(), "funding", nil); err != nil || len(got) != 0 {
		t.Errorf("no practices: %v %v", got, err)
	}
}
