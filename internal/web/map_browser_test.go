package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uclg-digital-cities/kb/internal/search"
)

// The world map on the home page and in the search results: every country with
// practices is a link to them, named for screen readers, and the numbers are also a list.
func TestBrowserMap(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, a := site(t)
	all, err := a.Search(t.Context(), search.Request{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".worldmap svg")))
	inspect(t, ctx, "map-home")
	links := eval[int](t, ctx, `document.querySelectorAll(".worldmap svg a").length`)
	listed := eval[int](t, ctx, `document.querySelectorAll(".maplist li").length`)
	if countries := len(all.Facets["country"]); links != countries || listed != countries {
		t.Errorf("the map links %d countries and lists %d; the practices come from %d", links, listed, countries)
	}
	if w := eval[float64](t, ctx, `document.querySelector(".worldmap svg").getBoundingClientRect().width`); w < 900 {
		t.Errorf("the map is %v px wide at 1280", w)
	}
	spain := eval[string](t, ctx, `document.querySelector('.worldmap svg a[href="/search?country=ES"]').getAttribute("aria-label")`)
	if !strings.HasPrefix(spain, "Spain: ") {
		t.Errorf("Spain's shape is named %q", spain)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`.maplist a[href="/search?country=ES"]`)), chromedp.WaitVisible(chromedp.CSS(".hit")))
	for _, h := range strings.Split(eval[string](t, ctx, `[...document.querySelectorAll(".hit .meta")].map(e => e.textContent).join("\n")`), "\n") {
		if !strings.Contains(h, ", Spain ·") {
			t.Errorf("a hit of the Spanish practices is %q", h)
		}
	}

	// In the results, the map counts the result set: education, then one country.
	run(t, ctx, chromedp.Navigate(base+"/search?area=education"), chromedp.WaitVisible(chromedp.CSS(".worldmap svg")))
	inspect(t, ctx, "map-search")
	total := eval[int](t, ctx, `[...document.querySelectorAll(".maplist .count")].reduce((s, e) => s + Number(e.textContent), 0)`)
	hits := eval[int](t, ctx, `document.querySelectorAll(".hit").length`)
	if total != hits {
		t.Errorf("the map counts %d practices, the page shows %d", total, hits)
	}
	mx := eval[string](t, ctx, `document.querySelector('.worldmap svg a[aria-label^="Mexico"]').getAttribute("href")`)
	if !strings.Contains(mx, "area=education") || !strings.Contains(mx, "country=MX") {
		t.Errorf("Mexico links to %q, not the education practices of Mexico", mx)
	}
	run(t, ctx, chromedp.Navigate(base+mx), chromedp.WaitVisible(chromedp.CSS(".worldmap svg")))
	if n := eval[int](t, ctx, `document.querySelectorAll(".worldmap svg a").length`); n != 1 {
		t.Errorf("with one country chosen the map shades %d", n)
	}
}
