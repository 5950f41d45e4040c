package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// The API keeps its codes in every language and adds the sentences in the one asked for:
// ?lang= first, then Accept-Language, English by default.
func TestAPISpeaksTheLanguageAskedFor(t *testing.T) {
	e, _ := newEngine(t)
	ask := func(method, target, body, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w
	}
	const bad = `{"country":"","population":-5,"weak_areas":[]}`
	en := decode[server.ErrorBody](t, ask("POST", "/api/v1/recommendations", bad, ""))
	es := ask("POST", "/api/v1/recommendations", bad, "es-AR,es;q=0.9")
	if !strings.Contains(es.Header().Get("Vary"), "Accept-Language") {
		t.Error("the answer does not vary with Accept-Language")
	}
	got := decode[server.ErrorBody](t, es)
	if got.Error.Code != "invalid" || got.Error.Message != "La solicitud no es válida" || got.Error.Fields["weak_areas"] != "Marque al menos un área en la que su ciudad esté débil, o describa su necesidad." ||
		got.Error.Problems["weak_areas"].Code != "required" || got.Error.Problems["population"].Code != "out_of_range" {
		t.Errorf("Spanish error: %+v", got.Error)
	}
	if en.Error.Message != "the city profile is not valid" || !strings.Contains(en.Error.Fields["country"], "ISO 3166-1") || en.Error.Problems["country"].Code != "required" {
		t.Errorf("English error: %+v", en.Error)
	}
	const profile = `{"country":"AR","population":55000,"weak_areas":["education"],"severity":{"education":"high"},"limit":2}`
	w := ask("POST", "/api/v1/recommendations?lang=pt", profile, "fr")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"text":"trata da sua área frágil «Educação e formação» (gravidade: alta)"`) ||
		!strings.Contains(w.Body.String(), `"says":{"key":"reason.weak_area","args":[{"term":"area","value":"education"},{"term":"level","value":"high"}]}`) {
		t.Errorf("recommendations in Portuguese: %s", w.Body.String())
	}
	if w := ask("GET", "/api/v1/search?q=wifi&lang=xx", "", ""); w.Code != 400 || !strings.Contains(w.Body.String(), `"lang"`) {
		t.Errorf("an unknown language: %d %s", w.Code, w.Body.String())
	}
	if w := ask("GET", "/api/v1/search?q=wifi&lang=fr", "", ""); w.Code != 200 {
		t.Errorf("?lang= refused: %d %s", w.Code, w.Body.String())
	}
}

// Asked for a language, with ?lang= or Accept-Language, a search's and a practice's
// similar hits are in it when the practice has a translation: title, summary and
// snippets, saying the language shown and the original's; asked for none, the original.
func TestHitsInTheLanguageAskedFor(t *testing.T) {
	e, a := newEngine(t)
	p, err := a.Get(t.Context(), "amb-beach-occupancy-information")
	if err != nil {
		t.Fatal(err)
	}
	translated := map[string]string{}
	for _, tr := range p.Translations {
		translated[tr.Language] = tr.Title
	}
	type hit struct {
		ID, Title, Summary string
		Lang               string              `json:"lang"`
		Original           string              `json:"original_lang"`
		Highlights         map[string][]string `json:"highlights"`
	}
	find := func(hits []hit) hit {
		for _, h := range hits {
			if h.ID == p.ID {
				return h
			}
		}
		t.Fatalf("%s is not among the hits", p.ID)
		return hit{}
	}
	get := func(target, accept string) []hit {
		req := httptest.NewRequest("GET", target, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		var body struct{ Hits, Similar []hit }
		if err := json.Unmarshal(w.Body.Bytes(), &body); w.Code != http.StatusOK || err != nil {
			t.Fatalf("%s: %d %v %s", target, w.Code, err, w.Body.String())
		}
		return append(body.Hits, body.Similar...)
	}
	for _, c := range []struct{ target, accept, lang string }{
		{"/api/v1/search?q=playas+ocupaci%C3%B3n&lang=es", "", "es"},
		{"/api/v1/search?q=plages+occupation", "fr-CA,fr;q=0.9", "fr"},
		{"/api/v1/search?q=praias+ocupa%C3%A7%C3%A3o&lang=pt", "es", "pt"},
		{"/api/v1/search?q=beach+occupancy", "", "en"},
		{"/api/v1/practices/" + similarTo(t, a, p.ID) + "/similar?limit=20", "pt-BR", "pt"},
		{"/api/v1/practices/" + similarTo(t, a, p.ID) + "/similar?limit=20", "", "en"},
	} {
		h := find(get(c.target, c.accept))
		want := p.Title
		if c.lang != "en" {
			want = translated[c.lang]
		}
		if h.Title != want || h.Lang != c.lang || h.Original != "en" || want == "" {
			t.Errorf("%s (%s): %q in %q from %q, want %q in %s from en", c.target, c.accept, h.Title, h.Lang, h.Original, want, c.lang)
		}
		for field, frags := range h.Highlights {
			for _, f := range frags {
				if c.lang != "en" && strings.Contains(f, "<mark>") && strings.Contains(strings.ToLower(f), "beach") {
					t.Errorf("%s: a %s snippet in English: %s", c.target, field, f)
				}
			}
		}
	}
}

// similarTo is a practice whose similar practices hold id.
func similarTo(t *testing.T, a *app.App, id string) string {
	t.Helper()
	all, err := a.Search(t.Context(), search.Request{Page: 1, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range all.Hits {
		if h.ID == id {
			continue
		}
		sim, err := a.Similar(t.Context(), h.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sim.Similar {
			if s.ID == id {
				return h.ID
			}
		}
	}
	t.Fatalf("no practice is similar to %s", id)
	return ""
}

// Saying a search's explanations in a language writes into a copy, never into the
// answer the index keeps for the next request: requests at once in the same language
// do not race (the race detector sees it), and each says the same.
func TestExplanationsAreSaidIntoACopy(t *testing.T) {
	e, _ := newEngine(t)
	texts := func() string {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/search?q=wifi&explain=1&lang=es", nil))
		var out []string
		for _, h := range decode[app.SearchResult](t, w).Hits {
			for _, r := range h.Explain {
				out = append(out, r.Text)
			}
		}
		return strings.Join(out, "|")
	}
	first := texts() // computed and kept
	if first == "" {
		t.Fatal("no explanations")
	}
	got := make([]string, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = texts() }()
	}
	wg.Wait()
	for _, g := range got {
		if g != first {
			t.Errorf("explanations %q, want %q", g, first)
		}
	}
}
