package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const levelsJSON = `{"mobility":"high","public-services":"low","internal-operations":"medium","coordination":"low","citizen-participation":"high","economy":"medium","education":"very-low"}`

// POST /api/v1/assessments answers at once and stores nothing; with save it answers 201
// with the token, which opens it again through GET /api/v1/assessments/saved.
func TestAssessmentsOverHTTP(t *testing.T) {
	e, _ := newEngine(t)
	w := do(t, e, "POST", "/api/v1/assessments", `{"country":"ar","population":60000,"levels":`+levelsJSON+`,"tools":["broadband"]}`)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	res := decode[struct {
		Answers struct {
			Country string `json:"country"`
		} `json:"answers"`
		Standings []struct {
			Question string  `json:"question"`
			Higher   float64 `json:"higher"`
		} `json:"standings"`
		Behind          []string         `json:"furthest_behind"`
		Recommendations []map[string]any `json:"recommendations"`
		Token           string           `json:"token"`
		Study           struct {
			Title string `json:"title"`
		} `json:"study"`
	}](t, w)
	if res.Answers.Country != "AR" || len(res.Standings) != 7 || len(res.Recommendations) == 0 || res.Token != "" || res.Behind[0] != "education" || res.Study.Title == "" {
		t.Fatalf("assessment %+v", res)
	}
	w = do(t, e, "POST", "/api/v1/assessments", `{"country":"AR","population":60000,"levels":`+levelsJSON+`,"save":true}`)
	saved := decode[struct {
		Token string `json:"token"`
	}](t, w)
	if w.Code != http.StatusCreated || !strings.HasPrefix(saved.Token, "kba_") {
		t.Fatalf("saved: %d %s", w.Code, w.Body.String())
	}
	req := httptest.NewRequest("GET", "/api/v1/assessments/saved", nil)
	req.Header.Set("X-Assessment-Token", saved.Token)
	back := httptest.NewRecorder()
	e.ServeHTTP(back, req)
	if back.Code != http.StatusOK || !strings.Contains(back.Body.String(), `"country":"AR"`) || strings.Contains(back.Body.String(), saved.Token) {
		t.Fatalf("saved assessment: %d %s", back.Code, back.Body.String())
	}
	if w := do(t, e, "GET", "/api/v1/assessments/saved", ""); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "X-Assessment-Token") {
		t.Fatalf("without a token: %d %s", w.Code, w.Body.String())
	}
	req.Header.Set("X-Assessment-Token", "kba_nothing")
	back = httptest.NewRecorder()
	e.ServeHTTP(back, req)
	if back.Code != http.StatusNotFound {
		t.Fatalf("a wrong token: %d", back.Code)
	}
}

// Bad answers are a 400 naming each field, never a 500.
func TestAssessmentsRefuseBadAnswers(t *testing.T) {
	e, _ := newEngine(t)
	for body, field := range map[string]string{
		`{"country":"AR","population":60000}`:                                                    `"levels.mobility"`,
		`{"country":"XX","population":60000,"levels":` + levelsJSON + `}`:                        `"country"`,
		`{"country":"AR","population":-1,"levels":` + levelsJSON + `}`:                           `"population"`,
		`{"country":"AR","population":60000,"levels":` + levelsJSON + `,"tools":["teleporter"]}`: `"tools"`,
		`{"country":"AR","population":60000,"levels":{"mobility":"vast"}}`:                       `"levels.mobility"`,
		`{"country":"AR","population":60000,"levels":` + levelsJSON + `,"wishes":1}`:             `wishes`,
		`{"country":"AR","population":"many"}`:                                                   `population`,
		`{"country":`:                                                                            `body`,
		`{"country":"AR","population":60000,"levels":` + levelsJSON + `,"impact":{"x":"high"}}`:  `"impact"`,
	} {
		w := do(t, e, "POST", "/api/v1/assessments", body)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), field) {
			t.Errorf("%s: %d %s, want a 400 naming %s", body, w.Code, w.Body.String(), field)
		}
	}
}
