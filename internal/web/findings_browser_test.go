package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The findings page in a browser (English, Spanish, Portuguese): no axe violation,
// screenshots at 1280 and 360 px, text in the charts at its size on a phone, and a
// chart's table opens to links that lead to the practices.
func TestBrowserFindings(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, _ := site(t)
	ctx := browser(t)
	for _, lang := range []string{"en", "es", "pt"} {
		run(t, ctx, chromedp.Navigate(base+"/findings?lang="+lang), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
		name := "findings"
		if lang != "en" {
			name += "-" + lang
		}
		inspect(t, ctx, name)
	}
	run(t, ctx, chromedp.Navigate(base+"/findings?lang=en"), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")),
		chromedp.EmulateViewport(360, 780))
	// SVG text is not scaled down with the screen: a label keeps the page's 14 px.
	if px := eval[float64](t, ctx, `document.querySelector("figure.chart svg text").getBoundingClientRect().height`); px < 14 {
		t.Errorf("chart text is %.1f px high at 360 px", px)
	}
	// Every chart fits the phone's width.
	if wide := eval[int](t, ctx, `[...document.querySelectorAll("figure.chart svg")].filter(s => s.getBoundingClientRect().right > window.innerWidth).length`); wide != 0 {
		t.Errorf("%d charts stick out at 360 px", wide)
	}
	// An SVG's accessible name and description are its title and desc.
	if name := eval[string](t, ctx, `(s => s.getAttribute("aria-labelledby").split(" ").map(id => document.getElementById(id).textContent).join(" | "))(document.querySelector("#mobility figure.chart svg"))`); !strings.HasPrefix(name, "Mobility and transport · Level of digitalisation before COVID-19 | Share of the participating cities by answer: high 37%.") {
		t.Errorf("accessible name and description %q", name)
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900),
		chromedp.Click(chromedp.CSS("#mobility figure.chart-bars details summary")),
		chromedp.WaitVisible(chromedp.CSS("#mobility figure.chart-bars details table a")),
		chromedp.Click(chromedp.CSS("#mobility figure.chart-bars details table a")),
		chromedp.WaitVisible(chromedp.CSS(".hit")))
	if loc := eval[string](t, ctx, `location.search`); !strings.Contains(loc, "area=mobility") {
		t.Errorf("the link led to %s", loc)
	}
}
