package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
