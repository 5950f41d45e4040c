package web_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// A city of 60,000, low in education and public services, without municipal WiFi,
// answers the questionnaire in the browser: the report shows the study's distribution
// for every question with the city marked, passes axe at 1280 and 360 px, and prints
// on one or two A4 pages.
func TestBrowserSelfAssessment(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, _ := site(t)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(base+"/assess"), chromedp.WaitVisible(chromedp.CSS("form.assessform")))
	inspect(t, ctx, "assess-form")

	// Sent empty, the form says what is missing, in the form's order.
	run(t, ctx, chromedp.Click(chromedp.CSS(`form.assessform button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".errorsummary")))
	order := eval[string](t, ctx, `[...document.querySelectorAll(".errorsummary a")].map(a => a.getAttribute("href")).join(" ")`)
	if !strings.HasPrefix(order, "#country #population #level-mobility #level-public-services") {
		t.Errorf("errors in the order %q", order)
	}
	inspect(t, ctx, "assess-errors")

	fillMidSizeCity(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(`form.assessform button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".assessment-report")))
	charts := eval[int](t, ctx, `document.querySelectorAll(".standing figure.chart-distribution").length`)
	questions := eval[int](t, ctx, `document.querySelectorAll(".standing").length`)
	if charts != 7 || questions != 7 {
		t.Errorf("%d charts for %d questions, want one per question of the study (7)", charts, questions)
	}
	if you := eval[string](t, ctx, `document.querySelector("#standing-education svg").textContent`); !strings.Contains(you, "you: low") {
		t.Errorf("the education chart does not mark the city: %q", you)
	}
	recs := eval[string](t, ctx, `[...document.querySelectorAll(".rec h3 a")].slice(0, 5).map(a => a.getAttribute("href")).join(" ")`)
	if !strings.Contains(recs, "/practices/montevideo-wifi-abc") {
		t.Errorf("the first five recommendations %q lack Montevideo's wifi ABC", recs)
	}
	if raw := eval[string](t, ctx, `(document.body.innerText.match(/assess\.[a-z_.]+/g) || []).join(" ")`); raw != "" {
		t.Errorf("message keys shown instead of text: %s", raw)
	}
	inspect(t, ctx, "assess-result")

	pages := printedPages(t, ctx, "assess-result")
	if pages < 1 || pages > 2 {
		t.Errorf("the report prints on %d A4 pages, want one or two", pages)
	}

	// The same in Spanish.
	run(t, ctx, chromedp.Navigate(base+"/assess?lang=es"), chromedp.WaitVisible(chromedp.CSS("form.assessform")))
	fillMidSizeCity(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(`form.assessform button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".assessment-report")))
	if h1 := text(t, ctx, "h1"); !strings.Contains(h1, "junto a las ciudades del estudio") {
		t.Errorf("Spanish report %q", h1)
	}
	if raw := eval[string](t, ctx, `(document.body.innerText.match(/assess\.[a-z_.]+/g) || []).join(" ")`); raw != "" {
		t.Errorf("message keys shown instead of text: %s", raw)
	}
	inspect(t, ctx, "assess-result-es")
}

// fillMidSizeCity answers the questionnaire: Argentina, 60,000 inhabitants, low in
// education and public services, high elsewhere, broadband and 4G but no municipal WiFi,
// students as a vulnerable group.
func fillMidSizeCity(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[bool](t, ctx, `
		document.querySelector("#country").value = "AR";
		document.querySelector("#population").value = "60 000";
		document.querySelectorAll("select[id^=level-]").forEach(s => { s.value = "high"; });
		document.querySelector("#level-education").value = "low";
		document.querySelector("#level-public-services").value = "low";
		document.querySelector("#impact-education").value = "very-high";
		for (const v of ["broadband", "4g-coverage", "education-virtual-classes"]) document.querySelector('input[name=tools][value="' + v + '"]').checked = true;
		document.querySelector('input[name=vulnerable_groups][value=students]').checked = true;
		document.querySelector('input[name=crises][value=health]').checked = true;
		true`)
}

// printedPages prints the page to PDF as the browser's print does (A4, the page's own
// print stylesheet), keeps the file beside the screenshots, and counts its pages.
func printedPages(t *testing.T, ctx context.Context, name string) int {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	prefer := true
	res, err := chromedp.Run(tctx, func(ctx context.Context, tg *chromedp.Target) (page.PrintToPDFResult, error) {
		return cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PreferCSSPageSize: &prefer})
	})
	if err != nil {
		t.Fatal(err)
	}
	pdf := res.Data
	if err := os.WriteFile(filepath.Join(shotDir(t), name+".pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
}
