package corpus_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// translated is what a translation file holds.
type translated struct {
	ID       string   `yaml:"id"`
	Language string   `yaml:"language"`
	Title    string   `yaml:"title"`
	Summary  string   `yaml:"summary"`
	Results  []string `yaml:"results"`
	Body     string   `yaml:"-"`
}

func readTranslation(t *testing.T, path string) translated {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	rest, ok := strings.CutPrefix(text, "---\n")
	front, body, ok2 := strings.Cut(rest, "\n---\n")
	if !ok || !ok2 {
		t.Fatalf("%s: no front matter between --- lines", path)
	}
	var tr translated
	if err := yaml.Unmarshal([]byte(front), &tr); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr.Body = body
	return tr
}

// number is a figure as any of the four languages writes it: digits grouped by
// thousands with a comma, a dot or a (no-break) space, or with a decimal part.
var number = regexp.MustCompile(`\d{1,3}(?:[,. \x{00a0}\x{202f}]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?`)

// digits lists the figures of a text by their digits alone, so that 100,000, 100.000
// and 100 000, or 0.62 and 0,62, are the same figure.
func digits(text string) []string {
	var out []string
	for _, n := range number.FindAllString(text, -1) {
		out = append(out, strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, n))
	}
	slices.Sort(out)
	return out
}

// Every practice of the corpus has a Spanish, French and Portuguese translation, made by
// the project from the English text, that keeps every figure of it: each number of the
// English title, summary, results and body appears in the translation, and no other.
func TestTranslationsKeepEveryFigure(t *testing.T) {
	ps, err := practices.ReadCorpus(corpus.FS, ".", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"es", "fr", "pt"} {
		for _, p := range ps {
			path := filepath.Join("translations", lang, p.ID+".md")
			tr := readTranslation(t, path)
			if tr.ID != p.ID || tr.Language != lang || tr.Title == "" || tr.Summary == "" || strings.TrimSpace(tr.Body) == "" {
				t.Errorf("%s: id %q, language %q, or an empty title, summary or body", path, tr.ID, tr.Language)
				continue
			}
			if len(tr.Results) != len(p.Results) {
				t.Errorf("%s: %d results, the English has %d", path, len(tr.Results), len(p.Results))
			}
			en := p.Title + "\n" + p.Summary + "\n" + strings.Join(p.Results, "\n") + "\n" + p.Body
			got := tr.Title + "\n" + tr.Summary + "\n" + strings.Join(tr.Results, "\n") + "\n" + tr.Body
			if want, have := digits(en), digits(got); !slices.Equal(want, have) {
				t.Errorf("%s: figures %v, the English has %v", path, have, want)
			}
			if strings.Count(tr.Body, "\n## ") != strings.Count(p.Body, "\n## ") {
				t.Errorf("%s: %d sections, the English has %d", path, strings.Count(tr.Body, "\n## "), strings.Count(p.Body, "\n## "))
			}
		}
	}
}

func TestFiguresAreReadInEveryLanguage(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"100,000 people and 0.62", "062 100000"},
		{"100.000 personas y 0,62", "062 100000"},
		{"100 000 personnes et 0,62", "062 100000"},
		{"in 2020 40 cities", "2020 40"},
	} {
		if got := strings.Join(digits(c.text), " "); got != c.want {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
}
