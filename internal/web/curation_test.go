package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

var insideWords = regexp.MustCompile(`<div class="words">.*?<ins>([^<]*)</ins>`)

// formOf is the edit form filled with a practice, as the page fills it.
func formOf(p *practices.Practice) url.Values {
	f := url.Values{"title": {p.Title}, "summary": {p.Summary}, "city": {p.City}, "country": {p.Country}, "status": {p.Status},
		"body": {p.Body}, "areas": p.Areas, "crises": p.Crises, "target_groups": p.TargetGroups, "prerequisites": p.Prerequisites,
		"tags": {strings.Join(p.Tags, ", ")}, "results": {strings.Join(p.Results, "\n")}, "language": {p.Language()}}
	if p.Year != 0 {
		f.Set("year", strconv.Itoa(p.Year))
	}
	return f
}

// A coordinator names themself, edits a practice with a note, sees the words that changed
// and restores the first version: each version says who made it (by name and role, never
// by address) and what it was; the current one offers no restore.
func TestVersionsRecordTheirAuthorAndNote(t *testing.T) {
	s := startSite(t)
	c := loginAs(t, s.URL, coordEmail)
	c.get("/review/account")
	if resp, body := c.post("/review/account", url.Values{"name": {"ana@example.org"}, "lang": {"es"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not an email address") {
		t.Fatalf("an address as a name: %d %s", resp.StatusCode, body)
	}
	if body := c.postAndFollow("/review/account", url.Values{"name": {"Ana Ruiz"}, "lang": {"es"}}); !strings.Contains(body, `value="Ana Ruiz"`) || !strings.Contains(body, `value="es" lang="es" selected`) {
		t.Fatalf("the profile was not kept: %s", body)
	}

	const id = "bilbao-geobilbao"
	p, err := s.App.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	c.get("/practices/" + id + "/edit")
	f := formOf(p)
	f.Set("summary", strings.Replace(p.Summary, "Bilbao", "The city of Bilbao", 1))
	f.Set("note", strings.Repeat("x", 501))
	if resp, body := c.post("/practices/"+id+"/edit", f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-note"><p class="error"`) {
		t.Fatalf("a note too long: %d", resp.StatusCode)
	}
	f.Set("note", "Names the city in the summary")
	if resp, _ := c.post("/practices/"+id+"/edit", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	edited, _ := s.App.Get(t.Context(), id)
	v := edited.Version

	_, page := get(t, s.URL, "/practices/"+id, nil)
	if by, _ := find(t, page, "span", "class", "byline"); by != "by Ana Ruiz (coordinator)" {
		t.Errorf("the practice page names its author %q", by)
	}
	if strings.Contains(page, coordEmail) {
		t.Error("the public page shows the coordinator's address")
	}

	_, diff := c.get("/practices/" + id + "/diff?from=" + strconv.Itoa(v-1) + "&to=" + strconv.Itoa(v))
	if m := insideWords.FindStringSubmatch(diff); m == nil || m[1] != "The city of " {
		t.Errorf("the words added: %q in %s", m, diff)
	}
	if !strings.Contains(diff, "Names the city in the summary") {
		t.Error("the diff does not give the edit note")
	}

	_, hist := c.get("/practices/" + id + "/versions")
	row, _ := find(t, hist, "tr", "id", "v"+strconv.Itoa(v))
	if !strings.Contains(row, "Ana Ruiz (coordinator)") || !strings.Contains(row, "Edited") || !strings.Contains(row, "Names the city in the summary") {
		t.Errorf("the version's row: %q", squash(row))
	}
	if strings.Contains(row, "Restore version") {
		t.Error("the current version offers a restore")
	}
	if first, _ := find(t, hist, "tr", "id", "v1"); !strings.Contains(first, "Restore version 1") {
		t.Errorf("an earlier version offers no restore: %q", squash(first))
	}

	if resp, _ := c.post("/practices/"+id+"/revert", url.Values{"version": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revert: %d", resp.StatusCode)
	}
	_, hist = c.get("/practices/" + id + "/versions")
	if row, _ := find(t, hist, "tr", "id", "v"+strconv.Itoa(v+1)); !strings.Contains(row, "Restored version 1") {
		t.Errorf("the revert's row: %q", squash(row))
	}
	// In Spanish, the labels come from the catalogue.
	_, hist = c.get("/practices/" + id + "/versions?lang=es")
	if row, _ := find(t, hist, "tr", "id", "v"+strconv.Itoa(v+1)); !strings.Contains(row, "Versión 1 restaurada") || !strings.Contains(row, "Ana Ruiz (coordinador)") {
		t.Errorf("the revert's row in Spanish: %q", squash(row))
	}
}
