package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The home page says what the knowledge base is, leads with three of the study's
// figures from the findings file, shows the map, the newest practices, and links to the
// about page, in every language.
func TestHomeShowsFindingsMapAndNewest(t *testing.T) {
	base, _ := site(t)
	for lang, want := range map[string][]string{
		"en": {"37%", "54%", "60%", "High level of digitalisation in mobility and transport before COVID-19", "of the participating cities"},
		"es": {"37\u00a0%", "60\u00a0%", "Impacto muy alto de la COVID-19 en la economía"},
		"fr": {"54\u00a0%", "des villes participantes : Impact très élevé"},
		"pt": {"37%", "das cidades participantes"},
	} {
		resp, body := get(t, base, "/?lang="+lang, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", lang, resp.StatusCode)
		}
		headlines := between(body, `class="headline-list"`, "</ul>")
		if n := strings.Count(headlines, "<li>"); n != 3 {
			t.Errorf("%s: %d headline findings, want 3", lang, n)
		}
		for _, w := range want {
			if !strings.Contains(headlines, w) {
				t.Errorf("%s: the headlines lack %q: %s", lang, w, headlines)
			}
		}
		for _, w := range []string{`href="/findings#mobility"`, `href="/about"`, `class="worldmap"`, `id="newest-h"`, `href="/search?country=ES"`} {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the home page lacks %s", lang, w)
			}
		}
	}
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	in, _, _ := strings.Cut(rest, to)
	return in
}
