package web_test

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The search page sorts (relevance, newest, city) without JavaScript, lists the active
// filters each with a link that removes it alone, and orders city sizes by size.
func TestSearchPageSortsAndSummarisesFilters(t *testing.T) {
	base, _ := site(t)
	_, body := get(t, base, "/search?q=digital&area=education&population_band=%3E1M&sort=city", nil)
	if _, ok := find(t, body, "select", "id", "sort"); !ok || !strings.Contains(body, `<label for="sort">Sort by</label>`) {
		t.Fatal("no labelled sort control")
	}
	if !strings.Contains(body, `<option value="city" selected>`) {
		t.Error("the sort chosen is not the one selected")
	}
	// The sort form carries the query and filters; the facet form carries the sort.
	for _, hidden := range []string{`name="area" value="education"`, `name="population_band" value="&gt;1M"`, `name="sort" value="city"`} {
		if !strings.Contains(body, hidden) {
			t.Errorf("a form lacks %s", hidden)
		}
	}
	active, ok := find(t, body, "nav", "class", "active-filters")
	if !ok || !strings.Contains(active, "Area: Education and training") || !strings.Contains(active, "City size:") {
		t.Fatalf("active filters: %q", active)
	}
	links := regexp.MustCompile(`<a href="([^"]*)" aria-label="Remove the filter Area: Education and training">`).FindStringSubmatch(body)
	if links == nil {
		t.Fatal("no link removes the area filter")
	}
	remove := html.UnescapeString(links[1])
	if strings.Contains(remove, "area=") || !strings.Contains(remove, "population_band=%3E1M") || !strings.Contains(remove, "sort=city") {
		t.Errorf("removing the area keeps %q", remove)
	}
	if resp, _ := get(t, base, remove, nil); resp.StatusCode != 200 {
		t.Errorf("the removal link answers %d", resp.StatusCode)
	}

	_, all := get(t, base, "/search", nil)
	var bands []string
	for _, m := range regexp.MustCompile(`name="population_band" value="([^"]*)"`).FindAllStringSubmatch(all, -1) {
		bands = append(bands, html.UnescapeString(m[1]))
	}
	want := []string{"<50k", "50k-100k", "100k-1M", ">1M"}
	if !slices.Equal(bands, slices.DeleteFunc(want, func(b string) bool { return !slices.Contains(bands, b) })) || len(bands) < 3 {
		t.Errorf("city sizes in the order %v", bands)
	}
	if resp, page := get(t, base, "/search?q=x&sort=oldest", nil); resp.StatusCode != 400 || !strings.Contains(page, "sort") {
		t.Errorf("an unknown sort: %d", resp.StatusCode)
	}
}

// A question's search page says, in the reader's language, which asking phrase was set
// aside and, for a weak first pass, what the search was widened with.
func TestSearchPageSaysHowAQuestionWasRead(t *testing.T) {
	base, _ := site(t)
	_, body := get(t, base, "/search?q="+strings.ReplaceAll("¿cómo podemos evitar aglomeraciones en las playas?", " ", "+"), map[string]string{"Accept-Language": "es"})
	reading, ok := find(t, body, "ul", "class", "plain reading")
	if !ok || !strings.Contains(html.UnescapeString(reading), "Leída como una pregunta: se dejó de lado «cómo podemos»") {
		t.Fatalf("reading: %q", reading)
	}
	_, body = get(t, base, "/search?q=lobbying+regional+lawmakers+to+scrap+rules+that+stopped+the+town+hall+from+going+paperless", nil)
	if reading, ok := find(t, body, "ul", "class", "plain reading"); !ok || !strings.Contains(reading, "the search was widened with what its best matches are about") {
		t.Fatalf("reading: %q", reading)
	}
}
