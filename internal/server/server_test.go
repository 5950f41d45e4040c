package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/server"
)

func newEngine(t *testing.T) (*server.Engine, *app.App) {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	provider, err := a.Provider(oai.Config{RepositoryName: "Test network", BaseURL: "http://kb.example.org", Namespace: "kb.example.org", AdminEmail: "kb@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	return server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Peers: a.Peers, OAI: provider, Ask: stubAsker{}, Findings: a.Findings, Thesaurus: a.Thesaurus}), a
}

// stubAsker stands for the AI assistant (tested against an OpenAI-format server in
// internal/ai): it answers, or fails as an unavailable endpoint does.
type stubAsker struct{}

func (stubAsker) Ask(_ context.Context, q string) (ai.Answer, error) {
	switch q {
	case "":
		return ai.Answer{}, apperr.InvalidFields("no question", map[string]string{"question": "is required"})
	case "down":
		return ai.Answer{}, ai.ErrUnavailable
	}
	return ai.Answer{Answer: "Wifi buses [montevideo-wifi-abc].", Grounded: true, Citations: []ai.Citation{{ID: "montevideo-wifi-abc", Title: "Wifi"}}}, nil
}

func TestAskOverHTTP(t *testing.T) {
	e, _ := newEngine(t)
	for _, c := range []struct {
		body string
		code int
	}{{`{"question":"wifi"}`, 200}, {`{"question":""}`, 400}, {`{"question":"down"}`, 503}, {`[`, 400}} {
		w := do(t, e, "POST", "/api/v1/ask", c.body)
		if w.Code != c.code {
			t.Fatalf("%s: %d %s", c.body, w.Code, w.Body.String())
		}
		if c.code == 200 && !strings.Contains(w.Body.String(), `"citations":[{"id":"montevideo-wifi-abc"`) {
			t.Fatalf("answer %s", w.Body.String())
		}
	}
}

func do(t *testing.T, h http.Handler, method, target string, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, w.Body.String())
	}
	return v
}

func TestSearchDocumentShape(t *testing.T) {
	e, _ := newEngine(t)
	w := do(t, e, "GET", "/api/v1/search?q=beach+occupancy", "")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	res := decode[map[string]any](t, w)
	for _, k := range []string{"total", "hits", "facets"} {
		if _, ok := res[k]; !ok {
			t.Errorf("no %q in %v", k, res)
		}
	}
	hit := res["hits"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "title", "city", "country", "region", "population_band", "areas", "summary", "score", "highlights"} {
		if _, ok := hit[k]; !ok {
			t.Errorf("hit lacks %q", k)
		}
	}
	if hit["id"] != "amb-beach-occupancy-information" {
		t.Errorf("first hit %v", hit["id"])
	}
	facets := res["facets"].(map[string]any)
	for _, k := range []string{"area", "region", "country", "population_band", "tag", "network"} {
		if _, ok := facets[k]; !ok {
			t.Errorf("no facet %q", k)
		}
	}
	if w.Header().Get("X-Request-Id") == "" {
		t.Error("no request id header")
	}
}

func TestSearchBrowseAndFilters(t *testing.T) {
	e, a := newEngine(t)
	n, _ := a.Store.Count()
	res := decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?limit=100", ""))
	if int(res.Total) != n || len(res.Hits) != n {
		t.Fatalf("browse: total %d hits %d, want %d", res.Total, len(res.Hits), n)
	}
	for i := 1; i < len(res.Hits); i++ {
		if strings.ToLower(res.Hits[i-1].Title) > strings.ToLower(res.Hits[i].Title) {
			t.Fatalf("browse is not sorted by title: %q before %q", res.Hits[i-1].Title, res.Hits[i].Title)
		}
	}
	res = decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?area=education&region=latin-america&limit=100", ""))
	if res.Total == 0 {
		t.Fatal("no education practice in Latin America")
	}
	for _, h := range res.Hits {
		if h.Region != "latin-america" || !strings.Contains(strings.Join(h.Areas, ","), "education") {
			t.Errorf("hit %s (%s %v) escapes the filters", h.ID, h.Region, h.Areas)
		}
	}
	page2 := decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?limit=5&page=2", ""))
	all := decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?limit=10", ""))
	if page2.Hits[0].ID != all.Hits[5].ID || page2.Page != 2 {
		t.Errorf("page 2 starts with %s, want %s", page2.Hits[0].ID, all.Hits[5].ID)
	}
}

func TestBadRequestsGetClearErrors(t *testing.T) {
	e, _ := newEngine(t)
	long := url.QueryEscape(strings.Repeat("beach ", 2000))
	tests := []struct {
		name, method, target string
		status               int
		code, field          string
	}{
		{"unknown parameter", "GET", "/api/v1/search?q=x&contry=ES", 400, "invalid", "contry"},
		{"limit too big", "GET", "/api/v1/search?limit=101", 400, "invalid", "limit"},
		{"limit zero", "GET", "/api/v1/search?limit=0", 400, "invalid", "limit"},
		{"limit not a number", "GET", "/api/v1/search?limit=ten", 400, "invalid", "limit"},
		{"page zero", "GET", "/api/v1/search?page=0", 400, "invalid", "page"},
		{"page too deep", "GET", "/api/v1/search?page=5000&limit=10", 400, "invalid", "page"},
		{"malformed query string", "GET", "/api/v1/search?q=%zz", 400, "invalid", "query"},
		{"very long query", "GET", "/api/v1/search?q=" + long, 400, "invalid", "q"},
		{"unknown practice", "GET", "/api/v1/practices/no-such-practice", 404, "not_found", ""},
		{"unknown route", "GET", "/api/v1/nothing", 404, "not_found", ""},
		{"wrong method", "DELETE", "/api/v1/search", 405, "invalid", ""},
		{"parameter on practice", "GET", "/api/v1/practices/bilbao-geobilbao?x=1", 400, "invalid", "x"},
		{"unknown sort", "GET", "/api/v1/search?sort=oldest", 400, "invalid", "sort"},
		{"parameter on the thesaurus", "GET", "/skos.ttl?format=xml", 400, "invalid", "format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, e, tc.method, tc.target, "")
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body.String())
			}
			body := decode[server.ErrorBody](t, w)
			if body.Error.Code != tc.code || body.Error.Message == "" {
				t.Fatalf("error %+v, want code %s", body.Error, tc.code)
			}
			if tc.field != "" && body.Error.Fields[tc.field] == "" {
				t.Fatalf("error does not name %q: %+v", tc.field, body.Error)
			}
		})
	}
}

func TestQuerySyntaxAndOddInputNeverFail(t *testing.T) {
	e, _ := newEngine(t)
	for _, q := range []string{`+-:^~*"()`, "the", "???", `"unclosed`, "a:b OR c", "\u200b", "%00"} {
		w := do(t, e, "GET", "/api/v1/search?q="+url.QueryEscape(q), "")
		if w.Code != 200 {
			t.Errorf("q=%q: status %d %s", q, w.Code, w.Body.String())
		}
	}
}

func TestTooLargeBodyIs413(t *testing.T) {
	e, _ := newEngine(t)
	w := do(t, e, "POST", "/api/v1/search", strings.Repeat("x", server.DefaultMaxBody+1))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", w.Code)
	}
	if decode[server.ErrorBody](t, w).Error.Code != "too_large" {
		t.Fatal(w.Body.String())
	}
}

func TestPracticeAndHealth(t *testing.T) {
	e, _ := newEngine(t)
	w := do(t, e, "GET", "/api/v1/practices/hamamatsu-haruno-medical-maas", "")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	p := decode[map[string]any](t, w)
	for _, k := range []string{"id", "title", "summary", "city", "country", "region", "areas", "body", "source", "version", "updated_at"} {
		if _, ok := p[k]; !ok {
			t.Errorf("practice lacks %q", k)
		}
	}
	if w := do(t, e, "GET", "/healthz", ""); w.Code != 200 {
		t.Fatalf("healthz %d", w.Code)
	}
}

func TestHealthIs503WhenTheIndexIsClosed(t *testing.T) {
	e, a := newEngine(t)
	a.Index.Close()
	if w := do(t, e, "GET", "/healthz", ""); w.Code != 503 {
		t.Fatalf("healthz with a closed index: %d", w.Code)
	}
	w := do(t, e, "GET", "/api/v1/search?q=x", "")
	if w.Code != 503 || strings.Contains(w.Body.String(), "bleve") {
		t.Fatalf("search with a closed index: %d %s", w.Code, w.Body.String())
	}
}

// Every route of the public engine is described in the OpenAPI document.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e, _ := newEngine(t)
	w := do(t, e, "GET", "/api/v1/openapi.json", "")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	doc := decode[struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}](t, w)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range e.Routes() {
		path := param.ReplaceAllString(r.Path, "{$1}")
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s has no operation in the OpenAPI document", r.Method, path)
		}
	}
}

func TestSuggestSimilarExplainOverHTTP(t *testing.T) {
	e, _ := newEngine(t)
	w := do(t, e, "GET", "/api/v1/suggest?q=bil", "")
	if w.Code != 200 {
		t.Fatalf("suggest: %d %s", w.Code, w.Body.String())
	}
	sug := decode[app.SuggestResult](t, w)
	if len(sug.Suggestions) == 0 || sug.Suggestions[0].Kind != "city" || sug.Suggestions[0].Text != "Bilbao" {
		t.Fatalf("suggest bil: %+v", sug)
	}
	if w := do(t, e, "GET", "/api/v1/suggest", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"suggestions":[]`) {
		t.Fatalf("empty suggest: %d %s", w.Code, w.Body.String())
	}
	w = do(t, e, "GET", "/api/v1/practices/amb-beach-occupancy-information/similar?limit=2", "")
	sim := decode[app.SimilarResult](t, w)
	if w.Code != 200 || len(sim.Similar) != 2 || sim.Similar[0].ID == "amb-beach-occupancy-information" {
		t.Fatalf("similar: %d %+v", w.Code, sim)
	}
	w = do(t, e, "GET", "/api/v1/search?q=aforo&explain=1", "")
	res := decode[app.SearchResult](t, w)
	viaConcept := func(h app.SearchHit) bool {
		for _, e := range h.Explain {
			if strings.Contains(e.Text, "via concept crowds") {
				return true
			}
		}
		return false
	}
	// The Spanish word matches the Spanish title of the first, and the concept it names.
	if w.Code != 200 || len(res.Hits) == 0 || !viaConcept(res.Hits[0]) {
		t.Fatalf("explain: %d %s", w.Code, w.Body.String())
	}
	if res := decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?q=wfii", "")); res.DidYouMean != "wifi" {
		t.Fatalf("did you mean: %+v", res)
	}
	for target, field := range map[string]string{
		"/api/v1/suggest?q=x&limit=0":                         "limit",
		"/api/v1/suggest?q=" + strings.Repeat("x", 101):       "q",
		"/api/v1/suggest?prefix=x":                            "prefix",
		"/api/v1/practices/bilbao-geobilbao/similar?limit=50": "limit",
		"/api/v1/search?q=x&explain=maybe":                    "explain",
	} {
		w := do(t, e, "GET", target, "")
		if w.Code != 400 || decode[server.ErrorBody](t, w).Error.Fields[field] == "" {
			t.Errorf("%s: %d %s", target, w.Code, w.Body.String())
		}
	}
	if w := do(t, e, "GET", "/api/v1/practices/nope/similar", ""); w.Code != 404 {
		t.Errorf("similar of an unknown practice: %d", w.Code)
	}
}

func TestRecommendationsOverHTTP(t *testing.T) {
	e, _ := newEngine(t)
	w := do(t, e, "POST", "/api/v1/recommendations", `{"country":"AR","population":55000,"weak_areas":["education"],"severity":{"education":"high"},"need":"students without internet at home","resources":["municipal-wifi"],"limit":3}`)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	res := decode[map[string]any](t, w)
	recs := res["recommendations"].([]any)
	if len(recs) != 3 {
		t.Fatalf("%d recommendations", len(recs))
	}
	first := recs[0].(map[string]any)
	for _, k := range []string{"practice", "score", "reasons", "missing", "factors"} {
		if _, ok := first[k]; !ok {
			t.Errorf("recommendation lacks %q", k)
		}
	}
	if !strings.Contains(w.Body.String(), "addresses your weak area “Education and training” (how weak: high)") {
		t.Errorf("no weak-area reason: %s", w.Body.String())
	}
	if _, ok := res["peer_cities"]; !ok {
		t.Error("no peer_cities")
	}
	for body, field := range map[string]string{
		`{"country":"AR","population":-1,"weak_areas":["education"]}`:         "population",
		`{"country":"AR","population":1000,"weak_areas":[]}`:                  "weak_areas",
		`{"country":"QQ","population":1000,"weak_areas":["education"]}`:       "country",
		`{"country":"AR","population":1000,"weak_areas":["education"],"x":1}`: "x",
		`{"country":"AR","population":"many","weak_areas":["education"]}`:     "population",
		`{"country":"AR","population":1000,"weak_areas":"education"}`:         "weak_areas",
		`{"country":"AR",`: "body",
		``:                 "body",
		`{"country":"AR","population":1000,"weak_areas":["education"]} {"a":1}`: "body",
	} {
		w := do(t, e, "POST", "/api/v1/recommendations", body)
		if w.Code != 400 || decode[server.ErrorBody](t, w).Error.Fields[field] == "" {
			t.Errorf("%s: %d %s, want field %s", body, w.Code, w.Body.String(), field)
		}
	}
	// Words no term says are not refused: they are kept as part of the need, and said.
	w = do(t, e, "POST", "/api/v1/recommendations", `{"country":"AR","population":1000,"weak_areas":["parks"],"resources":["municipal wifi"]}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `we did not find “parks” among the weak areas`) || !strings.Contains(w.Body.String(), `"resources":["municipal-wifi"]`) {
		t.Errorf("free words: %d %s", w.Code, w.Body.String())
	}
}
