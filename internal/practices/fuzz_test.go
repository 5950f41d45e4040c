package practices_test

import (
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// The corpus parser never panics, and every problem it reports has a file and a line.
func FuzzParsePractice(f *testing.F) {
	good, _ := corpus.FS.ReadFile("bilbao-geobilbao.md")
	f.Add(string(good))
	f.Add("---\nid: x\n---\n")
	f.Add("---\n: [\n---\nbody")
	f.Add("no front matter")
	g := geography(f)
	f.Fuzz(func(t *testing.T, text string) {
		p, problems := practices.ParsePractice("f.md", []byte(text), g)
		if p == nil && len(problems) == 0 {
			t.Fatal("neither a practice nor a problem")
		}
		for _, pr := range problems {
			if pr.File != "f.md" || pr.Line < 1 || pr.Line > strings.Count(text, "\n")+2 || pr.Message == "" {
				t.Fatalf("problem %+v for %q", pr, text)
			}
		}
	})
}

// JSON Lines never panics either, and names lines.
func FuzzReadJSONL(f *testing.F) {
	f.Add(`{"id":"a","title":"t"}` + "\n")
	f.Add("{\n}")
	f.Fuzz(func(t *testing.T, text string) {
		_, err := practices.ReadJSONL("f.jsonl", strings.NewReader(text))
		if ce, ok := err.(*practices.CorpusError); ok {
			for _, p := range ce.Problems {
				if p.Line < 1 {
					t.Fatalf("problem without a line: %+v", p)
				}
			}
		}
	})
}
