package practices_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

func samplePractice(id string) *practices.Practice {
	return &practices.Practice{
		ID: id, Title: "Title of " + id, Summary: "Summary.", City: "Bilbao", Country: "ES",
		Region: "europe", Areas: []string{"data"}, Source: "test", Languages: []string{"en"}, Body: "Body.\n",
	}
}

func geography(t testing.TB) *practices.Geography {
	t.Helper()
	data, err := corpus.FS.ReadFile(corpus.GeographyFile)
	if err != nil {
		t.Fatal(err)
	}
	g, err := practices.ParseGeography(data)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The study names 35 participating cities and local governments from 20 countries.
func TestGeographyHasTheStudysCitiesAndEveryCountry(t *testing.T) {
	g := geography(t)
	cities := g.Cities()
	if len(cities) != 35 {
		t.Errorf("%d cities, the study has 35", len(cities))
	}
	countries := map[string]bool{}
	for _, c := range cities {
		countries[c.Country] = true
		if c.Region == "" || c.PopulationBand == "" {
			t.Errorf("city %s lacks a region or population band", c.ID)
		}
	}
	if len(countries) != 20 {
		t.Errorf("cities from %d countries, the study has 20", len(countries))
	}
	if n := len(g.Countries()); n != 249 {
		t.Errorf("%d countries, ISO 3166-1 has 249", n)
	}
	for _, tc := range []struct{ code, region string }{{"ES", "europe"}, {"MX", "latin-america"}, {"KE", "africa"}, {"IR", "asia"}, {"US", "north-america"}, {"NZ", "oceania"}} {
		if got := g.RegionOf(tc.code); got != tc.region {
			t.Errorf("region of %s = %q, want %q", tc.code, got, tc.region)
		}
	}
	if c, ok := g.FindCity("bogota", "CO"); !ok || c.Name != "Bogotá" {
		t.Errorf("FindCity without accent: %+v %v", c, ok)
	}
}

func TestEmbeddedCorpusIsValidAndComplete(t *testing.T) {
	g := geography(t)
	ps, err := practices.ReadCorpus(corpus.FS, ".", g)
	if err != nil {
		t.Fatal(err)
	}
	// Every good practice and named city initiative of the study (see README).
	if len(ps) != 39 {
		t.Errorf("%d practices, the study describes 39", len(ps))
	}
	areas := map[string]int{}
	for _, p := range ps {
		if len(p.Areas) == 0 || p.City == "" || p.Source == "" || p.Summary == "" {
			t.Errorf("%s lacks an area, a city, a source or a summary", p.ID)
		}
		if !strings.HasPrefix(p.Source, "Smart Cities Study 2021") {
			t.Errorf("%s: source %q does not name the study", p.ID, p.Source)
		}
		if _, ok := g.FindCity(p.City, p.Country); !ok {
			t.Errorf("%s: city %q (%s) is not in cities.yaml", p.ID, p.City, p.Country)
		}
		for _, section := range []string{"## What was done"} {
			if !strings.Contains(p.Body, section) {
				t.Errorf("%s: body lacks %q", p.ID, section)
			}
		}
		for _, a := range p.Areas {
			areas[a]++
		}
	}
	for _, a := range practices.Areas.IDs() {
		if areas[a] == 0 {
			t.Errorf("no practice in area %s", a)
		}
	}
}

func TestParsePracticeReportsFileAndLine(t *testing.T) {
	g := geography(t)
	valid := "---\nid: x\ntitle: T\nsummary: S\ncity: Bilbao\ncountry: ES\nareas: [data]\nsource: s\nlanguages: [en]\n---\nBody\n"
	tests := []struct {
		name, file, text string
		want             []string // each a FILE:LINE: prefix plus a word of the message
	}{
		{"valid", "x.md", valid, nil},
		{"no front matter", "x.md", "# Title\n", []string{"x.md:1: a corpus file must start"}},
		{"unclosed", "x.md", "---\nid: x\n", []string{"x.md:1: the front matter opened here is never closed"}},
		{"yaml syntax", "x.md", "---\nid: x\ntitle: [unclosed\n---\nB\n", []string{"x.md:3: front matter"}},
		{"unknown field", "x.md", strings.Replace(valid, "source: s\n", "source: s\ncolour: red\n", 1), []string{"x.md:9: front matter: unknown field \"colour\""}},
		{"bad area and country", "x.md", strings.NewReplacer("areas: [data]", "areas: [data, parks]", "country: ES", "country: XX").Replace(valid),
			[]string{"x.md:6: country \"XX\" is not", "x.md:7: areas \"parks\" is not one of"}},
		{"id differs from file", "y.md", valid, []string{"y.md:2: id \"x\" must match the file name"}},
		{"missing title", "x.md", strings.Replace(valid, "title: T\n", "", 1), []string{"x.md:1: title is required"}},
		{"empty body", "x.md", strings.TrimSuffix(valid, "Body\n"), []string{"x.md:11: body is required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, problems := practices.ParsePractice(tc.file, []byte(tc.text), g)
			if len(tc.want) == 0 {
				if len(problems) > 0 || p == nil {
					t.Fatalf("unexpected problems %v", problems)
				}
				return
			}
			if p != nil {
				t.Fatal("an invalid file returned a practice")
			}
			var got []string
			for _, pr := range problems {
				got = append(got, pr.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %q, want prefix %q", got[i], w)
				}
			}
		})
	}
}

func TestReadCorpusListsEveryProblemOfEveryFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md":      {Data: []byte("no front matter\n")},
		"b.md":      {Data: []byte("---\nid: b\n")},
		"README.md": {Data: []byte("# not a practice\n")},
		"notes.txt": {Data: []byte("ignored")},
	}
	_, err := practices.ReadCorpus(fsys, ".", geography(t))
	ce, ok := err.(*practices.CorpusError)
	if !ok || len(ce.Problems) != 2 {
		t.Fatalf("err = %v", err)
	}
	if ce.Problems[0].File != "a.md" || ce.Problems[1].File != "b.md" {
		t.Fatalf("problems %v", ce.Problems)
	}
}

func TestValidateNamesEveryBadField(t *testing.T) {
	p := &practices.Practice{ID: "Bad Id", Country: "es", Areas: []string{"x"}, Tags: []string{"Not A Slug"}, Status: "done", Year: 1800}
	p.Normalize()
	err := p.Validate(geography(t))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, f := range []string{"id:", "title:", "summary:", "city:", "source:", "body:", "areas:", "tags:", "status:", "year:", "languages:"} {
		if !strings.Contains(msg, f) {
			t.Errorf("error does not name %s: %s", f, msg)
		}
	}
	if strings.Contains(msg, "country:") {
		t.Errorf("lowercase country code should be normalised, not refused: %s", msg)
	}
}

// The embedded corpus carries the project's Spanish, French and Portuguese text of every
// practice: by the knowledge base's team, not yet checked by the network, with as many
// results as the original.
func TestEmbeddedCorpusAttachesEveryTranslation(t *testing.T) {
	ps, err := practices.ReadCorpus(corpus.FS, ".", geography(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 39 {
		t.Fatalf("%d practices, want 39", len(ps))
	}
	for _, p := range ps {
		var langs []string
		for _, tr := range p.Translations {
			langs = append(langs, tr.Language)
			if tr.By != practices.TranslatedByKB || tr.Reviewed || tr.Machine || tr.Model != "" {
				t.Errorf("%s/%s: by %q, reviewed %v, machine %v: want by the knowledge base's team, not reviewed", p.ID, tr.Language, tr.By, tr.Reviewed, tr.Machine)
			}
			if tr.Title == "" || tr.Summary == "" || tr.Body == "" || len(tr.Results) != len(p.Results) {
				t.Errorf("%s/%s: an empty title, summary or body, or %d results for %d", p.ID, tr.Language, len(tr.Results), len(p.Results))
			}
		}
		if strings.Join(langs, ",") != "es,fr,pt" {
			t.Errorf("%s: translations %v, want es, fr, pt", p.ID, langs)
		}
		if err := p.Validate(geography(t)); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
	}
}

func TestReadCorpusLintsTranslationFiles(t *testing.T) {
	practice := "---\nid: x\ntitle: T\nsummary: S\ncity: Bilbao\ncountry: ES\nareas: [data]\nresults: [one, two]\nsource: s\nlanguages: [en]\n---\nBody\n"
	good := "---\nid: x\nlanguage: es\ntitle: T\nsummary: S\nresults: [uno, dos]\n---\nCuerpo\n"
	tests := []struct {
		name, file, text string
		want             []string
	}{
		{"valid", "translations/es/x.md", good, nil},
		{"unknown id", "translations/es/y.md", strings.Replace(good, "id: x", "id: y", 1), []string{"translations/es/y.md:2: id \"y\" is no practice"}},
		{"id differs from file", "translations/es/y.md", good, []string{"translations/es/y.md:2: id \"x\" must match"}},
		{"wrong language", "translations/es/x.md", strings.Replace(good, "language: es", "language: fr", 1), []string{"translations/es/x.md:3: language \"fr\" must be that of its folder"}},
		{"missing title", "translations/es/x.md", strings.Replace(good, "title: T\n", "", 1), []string{"translations/es/x.md:1: title is required"}},
		{"missing summary", "translations/es/x.md", strings.Replace(good, "summary: S\n", "", 1), []string{"translations/es/x.md:1: summary is required"}},
		{"empty body", "translations/es/x.md", strings.TrimSuffix(good, "Cuerpo\n"), []string{"translations/es/x.md:8: body is required"}},
		{"a result missing", "translations/es/x.md", strings.Replace(good, "[uno, dos]", "[uno]", 1), []string{"translations/es/x.md:6: results has 1 entries, the original 2"}},
		{"unknown field", "translations/es/x.md", strings.Replace(good, "title: T\n", "title: T\ncity: B\n", 1), []string{"translations/es/x.md:5: front matter: unknown field"}},
		{"unknown language folder", "translations/xx/x.md", good, []string{"translations/xx:1: \"xx\" is not a language"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"x.md": {Data: []byte(practice)}, tc.file: {Data: []byte(tc.text)}}
			ps, err := practices.ReadCorpus(fsys, ".", geography(t))
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tr := ps[0].Translations
				if len(tr) != 1 || tr[0].Title != "T" || tr[0].Body != "Cuerpo" || strings.Join(tr[0].Results, "|") != "uno|dos" || tr[0].By != "kb" {
					t.Fatalf("translations %+v", tr)
				}
				return
			}
			var ce *practices.CorpusError
			if !errors.As(err, &ce) {
				t.Fatalf("err %v, want a CorpusError", err)
			}
			var got []string
			for _, pr := range ce.Problems {
				got = append(got, pr.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %q", got, tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %q, want prefix %q", got[i], w)
				}
			}
		})
	}
}
