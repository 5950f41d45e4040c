package index_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/uclg-digital-cities/kb/internal/search"
)

var frontMatterKey = regexp.MustCompile(`\b(target_groups|population_band):|\b(id|city|country|region|areas|crises|tags|prerequisites|status|updated|language|translations):\s*(\[|"|\d{4}-)`)

// TestSnippetsAreWholeWordsWithoutMarkdown searches the whole corpus for words of every
// kind (figures among them) and checks every snippet shown: no Markdown, no front
// matter, no keyword field, and at a cut (…) a whole word of the practice, not a figure.
func TestSnippetsAreWholeWordsWithoutMarkdown(t *testing.T) {
	ix, ps := corpusIndex(t)
	words := map[string]map[string]bool{} // practice → its words
	for _, p := range ps {
		w := map[string]bool{}
		texts := []string{p.Title, p.Summary, p.Body}
		for _, tr := range p.Translations {
			texts = append(texts, tr.Title, tr.Summary, tr.Body)
		}
		for _, f := range strings.Fields(strings.Join(texts, " ")) {
			w[bare(f)] = true
			for _, part := range strings.Split(f, "-") { // "COVID" of "COVID-19" is a word
				w[bare(part)] = true
			}
		}
		words[p.ID] = w
	}
	queries := []string{"students wifi", "186", "covid", "digital divide", "3d printing", "results", "what was done", "population", "elderly", "drones", "telemedicina", "municipal", "2020", "data platform", "vouchers", "the city council", "per cent", "inhabitants", "brecha digital", "fracture numérique", "exclusão digital"}
	checked := 0
	for _, q := range queries {
		res := mustSearch(t, ix, search.Request{Query: q, Limit: 100})
		for _, h := range res.Hits {
			if _, ok := h.Highlights["keywords"]; ok {
				t.Errorf("%q %s: the keywords field is shown", q, h.ID)
			}
			for field, frags := range h.Highlights {
				for _, f := range frags {
					checked++
					text := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(f))
					for _, bad := range []string{"**", "#", "[", "](", "__", "`"} {
						if strings.Contains(text, bad) {
							t.Errorf("%q %s %s: %q shows Markdown %q", q, h.ID, field, text, bad)
						}
					}
					if frontMatterKey.MatchString(text) {
						t.Errorf("%q %s %s: %q shows a front-matter key", q, h.ID, field, text)
					}
					fields := strings.Fields(text)
					if len(fields) == 0 {
						t.Errorf("%q %s %s: an empty snippet", q, h.ID, field)
						continue
					}
					raw := strings.Fields(f)
					if first, ok := strings.CutPrefix(fields[0], "…"); ok {
						edge(t, q, h.ID, text, first, raw[0], words[h.ID])
					}
					if last, ok := strings.CutSuffix(fields[len(fields)-1], "…"); ok {
						edge(t, q, h.ID, text, last, raw[len(raw)-1], words[h.ID])
					}
				}
			}
		}
	}
	if checked < 200 {
		t.Errorf("only %d snippets checked", checked)
	}
}

// edge checks the word at a cut: a whole word of the practice, and not a figure unless
// it is the match itself.
func edge(t *testing.T, q, id, text, w, raw string, words map[string]bool) {
	t.Helper()
	figure := strings.IndexFunc(w, unicode.IsDigit) >= 0 && strings.IndexFunc(w, unicode.IsLetter) < 0
	if figure && !strings.Contains(raw, "<mark>") {
		t.Errorf("%q %s: %q is cut at the figure %q", q, id, text, w)
	}
	if b := bare(w); b != "" && !words[b] {
		t.Errorf("%q %s: %q is cut inside a word (%q)", q, id, text, w)
	}
}

// bare is a word without the punctuation around it.
func bare(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
