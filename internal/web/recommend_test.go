package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// The recommendation form takes the words people write beside each list, with the terms
// offered as suggestions, and says how it read them, the parts of the need, and what
// transferring each practice takes.
func TestRecommendFormReadsFreeWords(t *testing.T) {
	base, _ := site(t)
	_, form := get(t, base, "/recommend", nil)
	for _, want := range []string{`<input id="resources_text" name="resources_text"`, `list="resources-list"`, `<datalist id="priority_groups-list">`,
		`<option value="the elderly">`, `<label for="crises_text">`, `name="crises" value="health"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	q := url.Values{"country": {"JP"}, "population": {"60000"}, "weak_areas": {"public-services"},
		"need":           {"elderly residents in hilly outskirts struggle to reach doctors and pharmacies; independent restaurants lost customers"},
		"resources_text": {"free wifi, partners"}, "priority_groups_text": {"personnes âgées, health workers"}}
	resp, page := get(t, base, "/recommend?"+q.Encode(), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d", resp.StatusCode)
	}
	page = html.UnescapeString(page)
	for _, want := range []string{"we read “free wifi” as municipal WiFi and free internet points", "we read “personnes âgées” as the elderly",
		"we did not find “health workers” among the priority groups: we kept it as part of your need", "Your need, in parts",
		"answers part 1", "answers part 2", "What transferring it takes", "Listed in the order of their score",
		`value="free wifi, partners"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the answer lacks %q", want)
		}
	}
	// In Spanish, the same reading in Spanish.
	q.Set("lang", "es")
	_, page = get(t, base, "/recommend?"+q.Encode(), nil)
	if page = html.UnescapeString(page); !strings.Contains(page, "hemos leído «personnes âgées» como") || !strings.Contains(page, "Su necesidad, por partes") {
		t.Error("the Spanish answer does not say how it read the profile")
	}
}

// Target groups and crises are facets of the search, with their counts, and a practice
// page links its groups and crises to the search they filter.
func TestGroupsAndCrisesAreFacets(t *testing.T) {
	base, _ := site(t)
	_, page := get(t, base, "/search?q=&crisis=economic", nil)
	for _, want := range []string{"Groups it serves", `name="target_group" value="smes"`, `name="crisis" value="economic" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("the search lacks %s", want)
		}
	}
	if !strings.Contains(html.UnescapeString(page), "7 practices found") {
		t.Errorf("the economic crisis filter: %s", page[strings.Index(page, `id="hits-h"`):][:120])
	}
	_, page = get(t, base, "/practices/hamamatsu-haruno-medical-maas", nil)
	for _, want := range []string{`<a href="/search?target_group=rural">`, `<a href="/search?crisis=health">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the practice page lacks %s", want)
		}
	}
}
