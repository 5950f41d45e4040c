package practices_test

import (
	"bytes"
	"encoding/csv"
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

// No cell of a CSV export reads as a formula in a spreadsheet, whatever the practice
// says, and every cell is its text, or its text after the quote that neutralises it.
func FuzzCSVExport(f *testing.F) {
	f.Add("=HYPERLINK(\"http://evil.example\",\"click\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain")
	f.Add("", "a\"b", "line\nbreak", "=", "x,y", "'=already quoted", "ü=")
	f.Fuzz(func(t *testing.T, title, summary, city, tag, result, body, source string) {
		p := &practices.Practice{ID: "a", Title: title, Summary: summary, City: city, Tags: []string{tag}, Results: []string{result, "x"},
			Body: body, Source: source, Version: 1}
		var out bytes.Buffer
		e, err := practices.NewExporter(&out, practices.FormatCSV)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(rows) != 2 || len(rows[0]) != len(rows[1]) || rows[0][0] != "id" {
			t.Fatalf("%v: %q", err, rows)
		}
		for i, cell := range rows[1] {
			if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 {
				t.Errorf("column %s starts with %q: %q", rows[0][i], cell[0], cell)
			}
		}
		for col, want := range map[int]string{1: title, 2: summary, 3: city, 9: tag, 15: source, 21: body} {
			want = strings.ReplaceAll(want, "\r\n", "\n") // as a CSV reader gives back a quoted line break
			if got := rows[1][col]; strings.Contains(want, "\r") || got == want || got == "'"+want && strings.IndexByte("=+-@\t\r", want[0]) >= 0 {
				continue
			}
			t.Errorf("column %s: %q, written from %q", rows[0][col], rows[1][col], want)
		}
	})
}
