package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func midSizeCityForm() url.Values {
	f := url.Values{"country": {"AR"}, "population": {"60.000"}, "tools": {"broadband", "4g-coverage"}, "vulnerable_groups": {"students"}}
	for _, q := range []string{"mobility", "internal-operations", "coordination", "citizen-participation", "economy"} {
		f.Set("level_"+q, "high")
	}
	f.Set("level_education", "low")
	f.Set("level_public-services", "low")
	return f
}

// unsaid finds what a page shows that no catalogue said: a message key, or a format
// verb left unfilled.
var unsaid = regexp.MustCompile(`assess\.[a-z_.-]+|map\.[a-z]+\.|%!|%[sd]\b`)

// The questionnaire and its answer speak every interface language, without a key or a
// format verb showing; nothing is stored, and the answer is never cached.
func TestAssessmentPagesInEveryLanguage(t *testing.T) {
	base, _ := site(t)
	for _, lang := range []string{"en", "es", "fr", "pt"} {
		v := newVisitor(t, base)
		resp, form := v.get("/assess?lang=" + lang)
		if resp.StatusCode != http.StatusOK || unsaid.MatchString(stripAttrs(form)) {
			t.Errorf("%s form: %d %v", lang, resp.StatusCode, unsaid.FindAllString(stripAttrs(form), 5))
		}
		resp, body := v.post("/assess", midSizeCityForm(), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `class="assessment-report"`) {
			t.Fatalf("%s: %d %.300s", lang, resp.StatusCode, body)
		}
		if m := unsaid.FindAllString(stripAttrs(body), 5); m != nil {
			t.Errorf("%s report shows %v", lang, m)
		}
		if n := strings.Count(body, `class="chart chart-distribution"`); n != 7 {
			t.Errorf("%s report has %d charts, want 7", lang, n)
		}
		if strings.Contains(body, "assess-link") {
			t.Errorf("%s: a link was made though none was asked for", lang)
		}
	}
}

// stripAttrs drops the tags, whose attributes and ids (level-education …) are no text.
func stripAttrs(html string) string { return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, " ") }

// Wrong answers come back beside their fields and in a summary in the form's order, with
// what was typed kept; a saved assessment opens with its private link, uncached.
func TestAssessmentFormErrorsAndSavedLink(t *testing.T) {
	base, _ := site(t)
	v := newVisitor(t, base)
	v.get("/assess")
	f := midSizeCityForm()
	f.Set("population", "sixty thousand")
	f.Del("level_coordination")
	f.Set("city", "Villa Nueva")
	f.Set("country", "")
	resp, body := v.post("/assess", f, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	summary := regexp.MustCompile(`(?s)<div class="errorsummary".*?</div>`).FindString(body)
	var anchors []string
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(summary, -1) {
		anchors = append(anchors, m[1])
	}
	if strings.Join(anchors, " ") != "country population level-coordination" {
		t.Errorf("summary anchors %v", anchors)
	}
	for _, want := range []string{"Choose your city&#39;s country.", "Give the number of inhabitants as a number", "Choose the level of digitalisation before COVID-19 of Coordination with other institutions.",
		`id="err-level-coordination"`, `value="Villa Nueva"`, `<option value="low" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the answer lacks %q", want)
		}
	}
	f = midSizeCityForm()
	f.Set("save", "1")
	resp, _ = v.post("/assess", f, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/assess/kba_") {
		t.Fatalf("saving: %d %q", resp.StatusCode, loc)
	}
	resp, body = v.get(loc)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="assess-link"`) || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("the saved report: %d %s", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	resp, body = v.get(strings.TrimSuffix(loc, "?saved=1"))
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `id="assess-link"`) || !strings.Contains(body, "assessment-report") {
		t.Errorf("opened again: %d", resp.StatusCode)
	}
	if resp, body := v.get("/assess/kba_wrong"); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "No self-assessment opens with this link") {
		t.Errorf("a wrong link: %d", resp.StatusCode)
	}
}

// Odd answers from a hand-made form are refused with a 400 naming them, never a 500.
func TestAssessmentFormRefusesOddAnswers(t *testing.T) {
	base, _ := site(t)
	v := newVisitor(t, base)
	v.get("/assess")
	for name, change := range map[string]func(url.Values){
		"huge population":  func(f url.Values) { f.Set("population", "99999999999999999999") },
		"script level":     func(f url.Values) { f.Set("level_education", "<script>alert(1)</script>") },
		"unknown question": func(f url.Values) { f.Set("level_teleportation", "high") },
		"unknown tool":     func(f url.Values) { f["tools"] = append(f["tools"], "teleporter") },
		"long other tools": func(f url.Values) { f.Set("other_tools", strings.Repeat("drones ", 200)) },
		"unknown country":  func(f url.Values) { f.Set("country", "ÑÑ") },
		"unknown group":    func(f url.Values) { f.Set("vulnerable_groups", "dragons") },
		"unknown crisis":   func(f url.Values) { f.Set("crises", "zombies") },
		"unknown impact":   func(f url.Values) { f.Set("impact_economy", "devastating") },
		"negative":         func(f url.Values) { f.Set("population", "-5") },
		"long city name":   func(f url.Values) { f.Set("city", strings.Repeat("Villa ", 40)) },
	} {
		f := midSizeCityForm()
		change(f)
		resp, body := v.post("/assess", f, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `class="errorsummary"`) || strings.Contains(body, "<script>alert") {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
}
