package index_test

import (
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/search"
)

// Whatever a person types, search answers or refuses with a clear error: never a panic,
// never an internal error.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"beach occupancy", `+-:^~*"()`, "", "the", `"unclosed`, "brecha digital", "telemedecine", "a:b OR c AND d", "\x00\xff", strings.Repeat("é", 600)} {
		f.Add(s, "")
	}
	f.Add("wifi", "education")
	fuzzIdx, _ := corpusIndex(f)
	f.Fuzz(func(t *testing.T, q, area string) {
		req := search.Request{Query: q, Explain: true}
		if area != "" {
			req.Filters = map[string][]string{"area": {area}}
		}
		_, err := fuzzIdx.Search(ctx, req)
		if err != nil && !strings.Contains(err.Error(), "not valid") {
			t.Fatalf("%q: %v", q, err)
		}
		if _, err := fuzzIdx.Suggest(ctx, q, 8); err != nil && !strings.Contains(err.Error(), "not valid") {
			t.Fatalf("suggest %q: %v", q, err)
		}
	})
}
