package findings_test

import (
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

var vocab = findings.Vocab{
	Areas:     practices.Areas.IDs(),
	Crises:    practices.Crises.IDs(),
	Groups:    practices.TargetGroups.IDs(),
	Resources: practices.Resources.IDs(),
}

func load(t *testing.T) *findings.Findings {
	t.Helper()
	data, err := corpus.FS.ReadFile(corpus.FindingsFile)
	if err != nil {
		t.Fatal(err)
	}
	f, err := findings.Parse(corpus.FindingsFile, data, vocab)
	if err != nil {
		t.Fatalf("the corpus's findings do not parse:\n%v", err)
	}
	return f
}

// byHand is every figure of the study, read off its text page by page and typed here,
// not copied from findings.yaml: the figure's id in the file, its value, and the
// sections the study prints it in (first where the file's section says).
var byHand = []struct {
	id       string
	value    float64
	sections []string
}{
	// Cities before COVID-19
	{"general-tools-effective-response", 80, []string{"cities-before"}},
	{"mobility-level-high", 37, []string{"cities-before", "impact-mobility"}},
	{"public-services-level-medium", 37, []string{"cities-before", "impact-public-services"}},
	{"coordination-level-low", 40, []string{"cities-before", "impact-institutional-operations"}},
	{"internal-operations-level-medium", 54, []string{"cities-before", "impact-institutional-operations"}},
	{"citizen-participation-level-medium", 37, []string{"cities-before", "impact-citizen-participation"}},
	{"economy-level-low-or-medium", 68, []string{"cities-before"}},
	{"education-level-medium", 40, []string{"cities-before", "impact-education"}},
	// Mobility and transport
	{"mobility-impact-high", 43, []string{"impact-mobility"}},
	{"mobility-measures-real-time-crowds", 54, []string{"impact-mobility"}},
	{"mobility-measures-movement-control", 57.6, []string{"impact-mobility"}},
	{"mobility-measures-capacity-control", 60.6, []string{"impact-mobility"}},
	// Public services
	{"public-services-level-low-or-very-low", 34, []string{"impact-public-services"}},
	{"public-services-measures-digital-access", 83, []string{"impact-public-services"}},
	{"public-services-measures-online-proceedings", 80, []string{"impact-public-services"}},
	{"public-services-impact-high", 49, []string{"impact-public-services"}},
	{"public-services-measures-online-services", 86, []string{"impact-public-services"}},
	{"public-services-measures-advice", 86, []string{"impact-public-services"}},
	{"public-services-measures-care-apps", 66, []string{"impact-public-services"}},
	{"public-services-measures-remote-health-care", 51, []string{"impact-public-services"}},
	// Institutional operations
	{"internal-operations-impact-high", 44, []string{"impact-institutional-operations"}},
	{"coordination-impact-high", 44, []string{"impact-institutional-operations"}},
	{"institutional-operations-measures-telework", 85, []string{"impact-institutional-operations"}},
	{"institutional-operations-measures-staff-tools", 71, []string{"impact-institutional-operations"}},
	{"institutional-operations-measures-staff-training", 65, []string{"impact-institutional-operations"}},
	{"institutional-operations-measures-coordination-tools", 68, []string{"impact-institutional-operations"}},
	{"institutional-operations-measures-information-sharing", 59, []string{"impact-institutional-operations"}},
	// Relations with the citizens and public participation
	{"citizen-participation-measures-digital-participation", 82.4, []string{"impact-citizen-participation"}},
	{"citizen-participation-level-low-or-very-low", 34, []string{"impact-citizen-participation"}},
	{"citizen-participation-level-high-or-very-high", 29, []string{"impact-citizen-participation"}},
	{"citizen-participation-measures-political-relations", 67.6, []string{"impact-citizen-participation"}},
	{"citizen-participation-impact-very-high", 37, []string{"impact-citizen-participation"}},
	{"citizen-participation-impact-high", 29, []string{"impact-citizen-participation"}},
	{"citizen-participation-measures-forums", 50, []string{"impact-citizen-participation"}},
	// Economy
	{"economy-level-low", 34, []string{"impact-economy"}},
	{"economy-level-medium", 34, []string{"impact-economy"}},
	{"economy-impact-very-high", 60, []string{"impact-economy"}},
	{"economy-impact-high", 31, []string{"impact-economy"}},
	{"economy-measures-business-telework", 85, []string{"impact-economy"}},
	{"economy-measures-business-digitalisation", 45, []string{"impact-economy"}},
	{"economy-measures-digital-trade", 70, []string{"impact-economy"}},
	{"economy-measures-business-information", 27, []string{"impact-economy"}},
	// Education and training
	{"education-level-low", 37, []string{"impact-education"}},
	{"education-impact-very-high", 46, []string{"impact-education"}},
	{"education-impact-high", 34, []string{"impact-education"}},
	{"education-measures-digital-teaching", 91, []string{"impact-education"}},
	{"education-measures-equipment", 74, []string{"impact-education"}},
	{"education-measures-digital-training", 79, []string{"impact-education"}},
	// The use and analysis of data in the different areas
	{"data-tools-access", 50, []string{"data"}},
	{"public-services-data-use-reasonable", 54, []string{"data"}},
	{"public-services-data-use-much", 23, []string{"data"}},
	{"economy-data-use-reasonable", 40, []string{"data"}},
	{"economy-data-use-much", 37, []string{"data"}},
	// Smart transformation for a resilient future
	{"preparedness-health-quite", 60, []string{"future"}},
	{"preparedness-climate-quite", 46, []string{"future"}},
	{"preparedness-climate-very", 6, []string{"future"}},
	{"vulnerable-strengthen-resilience", 91.2, []string{"future"}},
	// Conclusions
	{"preparedness-motivated-to-improve", 63, []string{"conclusions"}},
}

func TestEveryFigureMatchesTheHandWrittenList(t *testing.T) {
	f := load(t)
	if len(f.Figures) != len(byHand) {
		t.Errorf("the file has %d figures, the hand-written list %d", len(f.Figures), len(byHand))
	}
	for _, want := range byHand {
		got, ok := f.Figure(want.id)
		if !ok {
			t.Errorf("figure %s (%v%%) is not in the file", want.id, want.value)
			continue
		}
		if got.Value != want.value {
			t.Errorf("%s: value %v, the study says %v", want.id, got.Value, want.value)
		}
		if !slices.Equal(got.Sections(), want.sections) {
			t.Errorf("%s: sections %v, the study prints it in %v", want.id, got.Sections(), want.sections)
		}
	}
}

// sectionStarts are words that open each section in the study's text, in order.
var sectionStarts = []struct{ section, opening string }{
	{"cities-before", "Prior to the COVID-19 pandemic, the level of digitalisation"},
	{"impact-mobility", "Smart transport is intended to provide"},
	{"impact-public-services", "COVID-19 has revealed the existence of shortcomings"},
	{"impact-institutional-operations", "within the Smart Cities can be analysed"},
	{"impact-citizen-participation", "Citizen participation in public governance is an area"},
	{"impact-economy", "Progress towards the process for transformation into"},
	{"impact-education", "Education in a Smart City seeks"},
	{"data", "The use and analysis of data is one of the characteristics"},
	{"future", "at present almost half the world population"},
	{"conclusions", "The COVID-19 pandemic had a medium, high or very high impact"},
}

// notFigures are the percentages of the study's text that are not a figure about its
// cities, with why.
var notFigures = []struct {
	value   float64
	section string
	why     string
}{
	// A result of one practice (Córdoba's digital identity: 97% of its municipal
	// employees), held in that practice's file.
	{97, "impact-public-services", "a practice's result"},
	// The OECD's projection of the world's urban population in 2050, quoted as context.
	{54.5, "future", "an OECD figure about the world, not the cities"},
	// "it is difficult to have 100% resilient systems in place": a phrase, not a figure.
	{100, "future", "a turn of phrase"},
}

// Every percentage in the study's text is a figure of the file printed in that section,
// or one of notFigures: counted per value and section, so a figure printed twice must be
// held with both places.
func TestEveryPercentageOfTheStudyIsAccountedFor(t *testing.T) {
	f := load(t)
	text, err := os.ReadFile(filepath.Join("testdata", "smart-cities-study-2021.txt"))
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		value   float64
		section string
	}
	inText := map[key]int{}
	starts := make([]int, len(sectionStarts))
	for i, s := range sectionStarts {
		starts[i] = strings.Index(string(text), s.opening)
		if starts[i] < 0 || (i > 0 && starts[i] < starts[i-1]) {
			t.Fatalf("section %s does not open with %q after the one before", s.section, s.opening)
		}
	}
	for _, m := range regexp.MustCompile(`(\d+(?:\.\d+)?)%`).FindAllSubmatchIndex(text, -1) {
		v, _ := strconv.ParseFloat(string(text[m[2]:m[3]]), 64)
		section := "before the sections"
		for i, s := range starts {
			if m[0] >= s {
				section = sectionStarts[i].section
			}
		}
		inText[key{v, section}]++
	}
	if len(inText) < 50 {
		t.Fatalf("only %d distinct percentages found in the study's text: is it the whole text?", len(inText))
	}
	held := map[key]int{}
	for _, x := range f.Figures {
		for _, s := range x.Sections() {
			held[key{x.Value, s}]++
		}
	}
	for _, n := range notFigures {
		held[key{n.value, n.section}]++
	}
	for k, n := range inText {
		if held[k] != n {
			t.Errorf("%v%% appears %d times in section %s of the study, the file and the ignore list account for %d", k.value, n, k.section, held[k])
		}
	}
	for k, n := range held {
		if inText[k] == 0 {
			t.Errorf("%v%% is held %d times for section %s, which does not print it", k.value, n, k.section)
		}
	}
}

func TestDistributions(t *testing.T) {
	f := load(t)
	d, ok := f.Distribution("citizen-participation-level")
	if !ok {
		t.Fatal("no citizen-participation-level distribution")
	}
	var parts []float64
	for _, p := range d.Parts {
		parts = append(parts, p.Value)
	}
	// The study: "low or very low for 34%, medium for 37% and high or very high for 29%".
	if !slices.Equal(parts, []float64{34, 37, 29}) || d.Unstated() != 0 {
		t.Errorf("participation levels %v, unstated %v", parts, d.Unstated())
	}
	if p, ok := d.Part("very-low"); !ok || p.Value != 34 {
		t.Errorf("very low falls in %+v", p)
	}
	ps, _ := f.Distribution("public-services-level")
	if ps.Stated() != 71 || ps.Unstated() != 29 {
		t.Errorf("public services: stated %v unstated %v", ps.Stated(), ps.Unstated())
	}
	if _, ok := ps.Part("high"); ok {
		t.Error("the study gives no share of public services at a high level")
	}
	// Every area but the cross-cutting use of data has its level and its impact.
	for _, area := range practices.Areas.IDs() {
		if area == "data" {
			continue
		}
		for _, topic := range []string{"level", "impact"} {
			if len(f.DistributionsOf(area, topic)) == 0 {
				t.Errorf("no %s distribution for %s", topic, area)
			}
		}
	}
	if n := len(f.DistributionsOf("institutional-operations", "level")); n != 2 {
		t.Errorf("institutional operations: %d level distributions, want internal operations and coordination", n)
	}
}

func TestToolsAndLists(t *testing.T) {
	f := load(t)
	counts := map[string]int{}
	total := 0
	for _, l := range f.Tools {
		counts[l.ID] = len(l.Items)
		total += len(l.Items)
	}
	// The study's lists, counted by hand.
	want := map[string]int{"general": 6, "mobility": 13, "public-services": 8, "e-health": 8, "institutional-operations": 5,
		"citizen-participation": 10, "economy": 5, "education": 12, "data": 10}
	for id, n := range want {
		if counts[id] != n {
			t.Errorf("tool list %s has %d items, the study lists %d", id, counts[id], n)
		}
	}
	if total != 77 || len(counts) != len(want) {
		t.Errorf("%d tools in %d lists", total, len(counts))
	}
	if tool, list, ok := f.Tool("municipal-wifi"); !ok || tool.Resource != "municipal-wifi" || list.Area != findings.General {
		t.Errorf("municipal WiFi: %+v in %+v", tool, list.ID)
	}
	if len(f.ToolsOf("public-services")) != 2 {
		t.Error("public services should have its own tools and e-health's")
	}
	if g := f.VulnerableGroups.Groups; len(g) != 8 || g[0] != "rural" || g[7] != "trade-workers" {
		t.Errorf("vulnerable groups %v", g)
	}
	if !slices.Equal(f.Priorities.Areas, []string{"public-services", "data", "economy"}) {
		t.Errorf("priorities %v", f.Priorities.Areas)
	}
	if f.Study.Cities != 35 || f.Study.Countries != 20 {
		t.Errorf("study %+v", f.Study)
	}
	if got := f.Areas(); !slices.Equal(got, append([]string{findings.General}, practices.Areas.IDs()...)) {
		t.Errorf("areas %v", got)
	}
	fig, _ := f.Figure("mobility-level-high")
	if fig.Measures.In("es") == fig.Measures.In("en") || fig.Measures.In("de") != fig.Measures.In("en") {
		t.Errorf("texts: %v", fig.Measures)
	}
}

// Each broken file names its problem at its line.
func TestParseReportsProblemsByLine(t *testing.T) {
	good, _ := corpus.FS.ReadFile(corpus.FindingsFile)
	figure := "  - id: mobility-impact-high\n    area: mobility\n    topic: impact\n    scale: level\n    answers: [high]\n    value: 43\n"
	if !strings.Contains(string(good), figure) {
		t.Fatal("the test's anchor figure moved")
	}
	lineOfAnchor := strings.Count(string(good[:strings.Index(string(good), figure)]), "\n") + 1
	for _, c := range []struct {
		name, from, to string
		line           int // relative to the anchor figure's first line
		message        string
	}{
		{"value", "value: 43\n", "value: 143\n", 5, "value 143 must be a percentage"},
		{"area", "area: mobility\n    topic: impact\n    scale: level\n    answers: [high]\n    value: 43", "area: parks\n    topic: impact\n    scale: level\n    answers: [high]\n    value: 43", 1, `area "parks" is not one of`},
		{"answer", "answers: [high]\n    value: 43", "answers: [huge]\n    value: 43", 4, `answer "huge" is not on the "level" scale`},
		{"unknown key", "value: 43\n", "value: 43\n    colour: red\n", 6, "unknown field"},
		{"missing translation", "", "", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.from == "" {
				bad := strings.Replace(string(good), `pt: "Impacto alto da COVID-19 na mobilidade e nos transportes"`, `pt: ""`, 1)
				_, err := findings.Parse("f.yaml", []byte(bad), vocab)
				var fe *findings.Error
				if !errors.As(err, &fe) || len(fe.Problems) != 1 || !strings.Contains(fe.Problems[0].Message, "measures has no pt text") || fe.Problems[0].Line != lineOfAnchor+8 {
					t.Fatalf("got %v", err)
				}
				return
			}
			bad := strings.Replace(string(good), figure, strings.Replace(figure, c.from, c.to, 1), 1)
			_, err := findings.Parse("f.yaml", []byte(bad), vocab)
			var fe *findings.Error
			if !errors.As(err, &fe) {
				t.Fatalf("no findings error: %v", err)
			}
			want := "f.yaml:" + strconv.Itoa(lineOfAnchor+c.line) + ": "
			for _, p := range fe.Problems {
				if strings.HasPrefix(p.String(), want) && strings.Contains(p.Message, c.message) {
					return
				}
			}
			t.Errorf("want %s…%s, got:\n%v", want, c.message, err)
		})
	}
}

func TestParseRefusesBrokenFiles(t *testing.T) {
	good, _ := corpus.FS.ReadFile(corpus.FindingsFile)
	for name, c := range map[string]struct{ from, to, message string }{
		"duplicate id":        {"id: mobility-impact-high\n", "id: mobility-level-high\n", `id "mobility-level-high" is already used`},
		"unknown part":        {"parts: [mobility-impact-high]", "parts: [mobility-impact-huge]", `part "mobility-impact-huge" is not a figure`},
		"part of another":     {"parts: [mobility-impact-high]", "parts: [economy-level-low-or-medium]", "answers another question"},
		"parts out of order":  {"parts: [economy-impact-high, economy-impact-very-high]", "parts: [economy-impact-very-high, economy-impact-high]", "out of the scale's order"},
		"too many percent":    {"value: 31\n", "value: 91\n", "add up to 151%"},
		"unknown resource":    {"resource: municipal-wifi,", "resource: fusion-reactor,", `resource "fusion-reactor" is not one of`},
		"unknown group":       {"groups: [rural,", "groups: [martians,", `group "martians" is not one of`},
		"unknown section":     {"section: conclusions\n    measures", "section: epilogue\n    measures", `section "epilogue" is not one of`},
		"not yaml":            {"figures:\n", "figures: [\n", ""},
		"language not listed": {`pt: "Conclusões"`, `pt: "Conclusões", de: "Schluss"`, `"de" is not among the file's languages`},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(string(good), c.from, c.to, 1)
			if bad == string(good) {
				t.Fatalf("%q is not in the file", c.from)
			}
			_, err := findings.Parse("f.yaml", []byte(bad), vocab)
			var fe *findings.Error
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("got %v", err)
			}
			for _, p := range fe.Problems {
				if p.Line < 1 || p.File != "f.yaml" {
					t.Errorf("problem without a place: %+v", p)
				}
			}
		})
	}
	if _, err := findings.Parse("f.yaml", nil, vocab); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
}

// The package is data and rules: it imports nothing of the store or the index.
func TestImportsNoStorage(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, ".") && !strings.HasPrefix(path, "github.com/goccy/go-yaml") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	// A small valid file, not the whole one: see testdata/fuzz-seed.yaml.
	seed, err := os.ReadFile(filepath.Join("testdata", "fuzz-seed.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := findings.Parse("fuzz-seed.yaml", seed, vocab); err != nil {
		f.Fatalf("the seed is not a valid findings file: %v", err)
	}
	f.Add(seed)
	f.Add([]byte("figures: [{id: x, value: 1}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := findings.Parse("f.yaml", data, vocab)
		if (fs == nil) == (err == nil) {
			t.Fatalf("findings %v and error %v", fs, err)
		}
	})
}
