package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The findings page draws every figure of the study, in the reader's language, and every
// link it gives to the practices finds some.
func TestFindingsPage(t *testing.T) {
	base, a := site(t)
	_, home := get(t, base, "/", nil)
	if !strings.Contains(home, `href="/findings"`) {
		t.Error("the header does not link to the findings")
	}
	resp, body := get(t, base, "/findings", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := strings.Count(body, `<figure class="chart`); n != len(a.Findings.Distributions)+8 {
		t.Errorf("%d charts, want a distribution each and the figures of eight areas", n)
	}
	if n := strings.Count(body, `role="img"`); n != strings.Count(body, "<desc id=") || n < 26 {
		t.Errorf("%d images, %d descriptions", n, strings.Count(body, "<desc id="))
	}
	// Every figure is one row of a chart's table; the rows of what the study does not
	// give come on top.
	rows := strings.Count(body, `<tr><th scope="row">`)
	unstated := strings.Count(body, `<tr><th scope="row">not given by the study</th>`)
	if rows-unstated != len(a.Findings.Figures) || unstated == 0 {
		t.Errorf("%d rows, %d of them not given: want %d figures", rows, unstated, len(a.Findings.Figures))
	}
	for _, want := range []string{
		"<td>57.6%</td>", "<td>91.2%</td>", "very low or low", "Mobility and transport · Level of digitalisation before COVID-19",
		"Municipal WiFi networks and free internet access points", "rural and outlying communities",
		"(base not stated by the study)", "“Impact of COVID-19: economy”, p. 77",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Each link to the practices finds some.
	links := regexp.MustCompile(`href="(/search[^"]*)"`).FindAllStringSubmatch(body, -1)
	seen := map[string]bool{}
	for _, l := range links {
		target := html.UnescapeString(l[1])
		if seen[target] {
			continue
		}
		seen[target] = true
		_, js := get(t, base, "/api/v1"+target, nil)
		var res struct{ Total int }
		if err := json.Unmarshal([]byte(js), &res); err != nil || res.Total == 0 {
			t.Errorf("%s finds no practice: %s", target, js)
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d distinct links to practices", len(seen))
	}

	_, es := get(t, base, "/findings?lang=es", nil)
	for _, want := range []string{`<html lang="es">`, "<td>57,6\u00a0%</td>", "muy bajo o bajo", "no indicado por el estudio",
		"Redes WiFi municipales", "Movilidad y transporte"} {
		if !strings.Contains(es, want) {
			t.Errorf("the Spanish page lacks %q", want)
		}
	}
	_, pt := get(t, base, "/findings?lang=pt", nil)
	for _, want := range []string{`<html lang="pt">`, "<td>57,6%</td>", "muito baixo ou baixo", "não indicado pelo estudo", "O estudo em números"} {
		if !strings.Contains(pt, want) {
			t.Errorf("the Portuguese page lacks %q", want)
		}
	}
	_, fr := get(t, base, "/findings?lang=fr", nil)
	if !strings.Contains(fr, "Niveau de numérisation avant la COVID-19") || !strings.Contains(fr, "<td>82,4\u00a0%</td>") {
		t.Error("the French page is not in French")
	}
}
