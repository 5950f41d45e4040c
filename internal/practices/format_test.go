package practices_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

var update = flag.Bool("update", false, "rewrite golden files")

func goldenPractices() []*practices.Practice {
	a := samplePractice("alpha")
	a.Tags = []string{"wifi", "open-data"}
	a.Results = []string{"more than 50 points connected", "used by \"many\", <b>all</b>"}
	a.Year = 2020
	a.Body = "Line one,\nline \"two\".\n"
	a.Version = 2
	a.UpdatedAt = time.Date(2021, 4, 1, 12, 0, 0, 0, time.UTC)
	b := samplePractice("beta")
	b.Title = "Bogotá: ¡Conéctate!"
	b.Version = 1
	b.UpdatedAt = time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	b.Languages = []string{"es"}
	b.Translations = []practices.Translation{{Language: "en", Title: "Bogotá: Get connected!", Summary: "Free wifi.", Body: "Text.",
		Machine: true, Model: "some-model", Generated: time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), Reviewed: true}}
	b.Assisted = &practices.Assisted{Model: "some-model", Generated: time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), Fields: []string{"translation"}}
	return []*practices.Practice{a, b}
}

func TestExportGolden(t *testing.T) {
	for _, format := range practices.ExportFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			e, err := practices.NewExporter(&buf, format)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range goldenPractices() {
				if err := e.Write(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "export."+format+".golden")
			if *update {
				os.WriteFile(golden, buf.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("export differs from %s:\n%s", golden, buf.String())
			}
		})
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	e, _ := practices.NewExporter(&buf, practices.FormatJSONL)
	for _, p := range goldenPractices() {
		e.Write(p)
	}
	ps, err := practices.ReadJSONL("in.jsonl", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	e, _ = practices.NewExporter(&again, practices.FormatJSONL)
	for _, p := range ps {
		e.Write(p)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatalf("round trip changed the records:\n%s\n%s", buf.String(), again.String())
	}
}

func TestReadJSONLNamesTheBadLines(t *testing.T) {
	in := `{"id":"a"}` + "\n\n" + `{"id": 3}` + "\n" + `not json` + "\n" + `{"id":"b","colour":"red"}` + "\n"
	_, err := practices.ReadJSONL("in.jsonl", strings.NewReader(in))
	ce, ok := err.(*practices.CorpusError)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	var lines []int
	for _, p := range ce.Problems {
		lines = append(lines, p.Line)
	}
	if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 {
		t.Fatalf("problems on lines %v, want [3 4 5]: %v", lines, err)
	}
}
