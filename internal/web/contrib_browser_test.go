package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/review/mailtest"
)

// mailedSite is the whole knowledge base with its notifications sent, as kb serve
// --smtp-url smtp://127.0.0.1:PORT sends them, to an SMTP sink the test reads.
func mailedSite(t *testing.T) (testSite, *mailtest.Sink) {
	t.Helper()
	s := startSite(t)
	sink := mailtest.Start(t)
	cfg, err := review.ParseSMTPURL("smtp://" + sink.Addr + "?from=kb@example.org")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.App.Review.RunSender(ctx, cfg, time.Second); close(done) }()
	t.Cleanup(func() { cancel(); <-done }) // before the store closes
	return s, sink
}

var (
	mailedTrackLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/track/kbs_[A-Za-z0-9_-]+`)
	mailedConfirm   = regexp.MustCompile(`http://127\.0\.0\.1:\d+/confirm/kbc_[A-Za-z0-9_-]+`)
)

// linkIn finds the link a mail carries, made from the base URL.
func linkIn(t *testing.T, m mailtest.Message, re *regexp.Regexp, base string) string {
	t.Helper()
	link := re.FindString(m.Body)
	if link == "" || !strings.HasPrefix(link, base+"/") {
		t.Fatalf("no link from %s in the mail %q: %s", base, m.Subject, m.Body)
	}
	return link
}

// A case as pasted from a document: paragraphs between blank lines, a bulleted and a
// numbered list, Windows line endings.
const pastedCase = "## The problem\r\nPupils without internet at home could not follow lessons.\r\n\r\n" +
	"## What was done\r\nThe town broadcast lessons on the municipal radio every morning.\r\n\r\n" +
	"The teachers recorded them the day before.\r\n\r\nWhat it took:\r\n\r\n- a studio in the town hall\r\n- two hours of air time a day\r\n\r\n" +
	"Steps:\r\n\r\n1. record the lesson\r\n2. broadcast it at nine\r\n3. take questions by phone\r\n"

// The contributor's journey in Chromium: the form suggests the study's cities and fills
// in the country, errors come in form order with the focus on them, the receipt can be
// reloaded without a second submission, the case is tracked with the whole link, every
// mail (read from the SMTP sink) carries a link that opens it, and a change request is
// answered with a revision.
func TestBrowserContributorJourney(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	s, sink := mailedSite(t)
	base, a := s.URL, s.App
	ctx := browser(t)

	run(t, ctx, chromedp.Navigate(base+"/submit?lang=en"), chromedp.WaitVisible(chromedp.CSS("#title")))
	if l := eval[string](t, ctx, `document.querySelector("#language").value`); l != "en" {
		t.Errorf("the text's language defaults to %q", l)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#known-cities option").length`); n != 35 {
		t.Errorf("%d cities suggested, want the study's 35", n)
	}
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#city"), "Villa Gesell"))
	eval[bool](t, ctx, `document.querySelector("#city").dispatchEvent(new Event("change")); true`)
	if c := eval[string](t, ctx, `document.querySelector("#country").value`); c != "AR" {
		t.Errorf("choosing Villa Gesell set the country to %q", c)
	}
	if hint := text(t, ctx, "#hint-city"); !strings.Contains(hint, "fewer than 50,000") {
		t.Errorf("the city's hint %q", hint)
	}
	inspect(t, ctx, "contrib-submit")

	// Sent half filled: the errors, in form order, get the focus.
	run(t, ctx, chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".errorsummary")))
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "errors" {
		t.Errorf("the focus is on %q, not the errors", id)
	}
	if first := text(t, ctx, ".errorsummary li"); !strings.HasPrefix(first, "Title: ") {
		t.Errorf("the first error %q", first)
	}
	if c := eval[string](t, ctx, `document.querySelector("#country").value + " " + document.querySelector("#city").value`); c != "AR Villa Gesell" {
		t.Errorf("what was typed became %q", c)
	}
	inspect(t, ctx, "contrib-errors")

	pasted, _ := json.Marshal(pastedCase) // as a paste puts it in the box, line endings and all
	eval[bool](t, ctx, `document.querySelector("#body").value = `+string(pasted)+`; true`)
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#title"), "Radio lessons for pupils without internet"),
		chromedp.SetValue(chromedp.CSS("#summary"), "The town broadcast school lessons on the municipal radio."),
		chromedp.Click(chromedp.CSS(`input[name="areas"][value="education"]`)),
		chromedp.SetValue(chromedp.CSS("#contact_name"), "Rosa Pérez"),
		chromedp.SendKeys(chromedp.CSS("#contact_email"), "rosa@example.org"),
		chromedp.Click(chromedp.CSS(`input[name="consent"]`)),
		chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#tracking-link")))
	link := text(t, ctx, "#tracking-link")
	inspect(t, ctx, "contrib-submitted")
	run(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#tracking-link")))
	if again := text(t, ctx, "#tracking-link"); again != link {
		t.Errorf("after a reload the receipt shows %q, not %q", again, link)
	}
	if subs, _ := a.Review.List(t.Context(), review.Queue{}); len(subs) != 1 {
		t.Fatalf("%d submissions after reloading the receipt", len(subs))
	}

	// Track it with the whole link pasted.
	run(t, ctx, chromedp.Navigate(base+"/track"), chromedp.WaitVisible(chromedp.CSS("#token")))
	inspect(t, ctx, "contrib-trackform")
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#token"), link), chromedp.Submit(chromedp.CSS("#token")), chromedp.WaitVisible(chromedp.CSS("#status")))
	if st := text(t, ctx, "#status"); !strings.Contains(st, "submitted") {
		t.Errorf("tracked: %q", st)
	}

	// The mails: confirm the address, then each step, every one with a link.
	mail := sink.Wait(t, 1)
	if mail[0].Subject != "Please confirm your address" || mail[0].To != "rosa@example.org" {
		t.Fatalf("the first mail: %+v", mail[0])
	}
	run(t, ctx, chromedp.Navigate(linkIn(t, mail[0], mailedConfirm, base)), chromedp.WaitVisible(chromedp.CSS("main form button")),
		chromedp.Click(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS("main .notice")))
	mail = sink.Wait(t, 2)
	if mail[1].Subject != "We received your case" {
		t.Errorf("the second mail's subject %q", mail[1].Subject)
	}
	run(t, ctx, chromedp.Navigate(linkIn(t, mail[1], mailedTrackLink, base)), chromedp.WaitVisible(chromedp.CSS("#status")))
	inspect(t, ctx, "contrib-track")

	subs, _ := a.Review.List(t.Context(), review.Queue{})
	coord := &auth.Principal{Email: coordEmail, Role: auth.RoleCoordinator}
	if _, err := a.Review.Decide(t.Context(), subs[0].ID, coord, review.Decision{Decision: review.ActionRequestChanges, Comment: "Please say how many pupils listened."}); err != nil {
		t.Fatal(err)
	}
	mail = sink.Wait(t, 3)
	if mail[2].Subject != "Your case needs changes" || !strings.Contains(mail[2].Body, "how many pupils") {
		t.Fatalf("the change request's mail: %+v", mail[2])
	}
	run(t, ctx, chromedp.Navigate(linkIn(t, mail[2], mailedTrackLink, base)), chromedp.WaitVisible(chromedp.CSS("#comment")))
	if body := eval[string](t, ctx, `document.querySelector("#body").value`); !strings.Contains(body, "1. record the lesson") || !strings.Contains(body, "- a studio") {
		t.Errorf("the pasted text came back as %q", body)
	}
	inspect(t, ctx, "contrib-revise")
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#summary"), "The town broadcast school lessons on the municipal radio to 120 pupils."),
		chromedp.SetValue(chromedp.CSS("#comment"), "Added the number of pupils."),
		// The page before the click has a #status too: wait for the one that follows it.
		chromedp.SetAttributeValue(chromedp.CSS("body"), "data-before", "1"),
		chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS("body:not([data-before]) #status")))
	if st := text(t, ctx, "#status"); !strings.Contains(st, "submitted") {
		t.Errorf("after the revision: %q", st)
	}
	if m := sink.Wait(t, 4)[3]; m.Subject != "We received your case" {
		t.Errorf("the revision's mail: %+v", m)
	}
	res, err := a.Review.Decide(t.Context(), subs[0].ID, coord, review.Decision{Decision: review.ActionAccept})
	if err != nil {
		t.Fatal(err)
	}
	mail = sink.Wait(t, 5)
	if mail[4].Subject != "Your case is published" || !strings.Contains(mail[4].Body, base+"/practices/"+res.PracticeID) {
		t.Errorf("the acceptance's mail: %+v", mail[4])
	}
	for _, m := range mail[1:] {
		linkIn(t, m, mailedTrackLink, base)
	}

	// Published, the pasted case keeps its paragraphs and lists.
	run(t, ctx, chromedp.Navigate(base+"/practices/"+res.PracticeID), chromedp.WaitVisible(chromedp.CSS("article.practice")))
	shape := eval[string](t, ctx, `(() => { const m = document.querySelector(".markdown"); return [m.querySelectorAll("p").length, m.querySelectorAll("ul > li").length, m.querySelectorAll("ol > li").length, m.querySelectorAll("h2").length].join(" "); })()`)
	if shape != "5 2 3 2" {
		t.Errorf("paragraphs, bullets, numbered items and headings: %s, want 5 2 3 2", shape)
	}
	if shown := eval[bool](t, ctx, `!document.querySelector("button.copy").hidden && document.querySelector("#permalink").textContent.includes("/p/")`); !shown {
		t.Error("no short permalink with its copy button")
	}
	inspect(t, ctx, "contrib-practice")
	if pages := printedPages(t, ctx, "contrib-practice"); pages > 2 {
		t.Errorf("the printed case takes %d A4 pages", pages)
	}

	// A draft saved, resumed from its link, and withdrawn after being asked.
	run(t, ctx, chromedp.Navigate(base+"/submit"), chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SendKeys(chromedp.CSS("#title"), "Half-written case"),
		chromedp.Click(chromedp.CSS(`button[value="draft"]`)), chromedp.WaitVisible(chromedp.CSS("#tracking-link")))
	draft := text(t, ctx, "#tracking-link")
	run(t, ctx, chromedp.Navigate(draft), chromedp.WaitVisible(chromedp.CSS("#title")))
	if title := eval[string](t, ctx, `document.querySelector("#title").value`); title != "Half-written case" {
		t.Errorf("the resumed draft's title %q", title)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS("#withdraw")), chromedp.WaitVisible(chromedp.CSS("#withdraw-confirm")))
	inspect(t, ctx, "contrib-withdraw")
	run(t, ctx, chromedp.Click(chromedp.CSS("#withdraw-confirm")), chromedp.WaitVisible(chromedp.CSS("#status")))
	if st := text(t, ctx, "#status"); st != "withdrawn" {
		t.Errorf("after confirming: %q", st)
	}

	// The link sent again.
	run(t, ctx, chromedp.Navigate(base+"/track"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "rosa@example.org"), chromedp.Submit(chromedp.CSS("#email")), chromedp.WaitVisible(chromedp.CSS("#resent")))
	inspect(t, ctx, "contrib-resent")
	mail = sink.Wait(t, 6)
	if mail[5].Subject != "Your private tracking links" {
		t.Errorf("the links mail: %+v", mail[5])
	}
	run(t, ctx, chromedp.Navigate(linkIn(t, mail[5], mailedTrackLink, base)), chromedp.WaitVisible(chromedp.CSS("#status")))
	if opened := dialogsOf(t); len(opened) > 0 {
		t.Errorf("dialogs opened: %v", opened)
	}
}

// A practice page prints on at most two A4 pages, without the site around it; on a
// phone the search's results come first, its filters in a drawer, and ticking one
// keeps the results in view.
func TestBrowserPrintAndPhoneSearch(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, _ := site(t)
	ctx := browser(t)
	for _, id := range []string{"bilbao-geobilbao", "amb-beach-occupancy-information"} {
		run(t, ctx, chromedp.Navigate(base+"/practices/"+id), chromedp.WaitVisible(chromedp.CSS("article.practice")))
		pages := printedPages(t, ctx, "print-"+id)
		if pages < 1 || pages > 2 {
			t.Errorf("%s prints on %d A4 pages", id, pages)
		}
	}
	run(t, ctx, chromedp.EmulateViewport(360, 780))
	run(t, ctx, chromedp.Navigate(base+"/search?q=wifi"), chromedp.WaitVisible(chromedp.CSS(".hit")))
	if open := eval[bool](t, ctx, `document.querySelector("details.drawer").open`); open {
		t.Error("the filters' drawer is open on a phone")
	}
	if top := eval[float64](t, ctx, `document.querySelector(".hit").getBoundingClientRect().top`); top > 780 {
		t.Errorf("the first result starts %.0f px down, below the screen", top)
	}
	inspect360(t, ctx, "search-phone")
	run(t, ctx, chromedp.Click(chromedp.CSS("details.drawer > summary")), chromedp.WaitVisible(chromedp.CSS(`input[name="area"]`)))
	run(t, ctx, chromedp.Click(chromedp.CSS(`input[name="area"][value="education"]`)))
	if got := eval[bool](t, ctx, `new Promise(r => { let n = 0; const i = setInterval(() => { if (location.search.includes("area=education") || ++n > 50) { clearInterval(i); r(location.search.includes("area=education")); } }, 100); })`); !got {
		t.Fatal("the facet did not filter the results")
	}
	if in := eval[bool](t, ctx, `(() => { const r = document.getElementById("hits-h").getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; })()`); !in {
		t.Error("after ticking a facet the results are out of view")
	}
	if open := eval[bool](t, ctx, `document.querySelector("details.drawer").open`); !open {
		t.Error("the drawer closed under the visitor")
	}
	inspect360(t, ctx, "search-phone-filtered")
	run(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/search?q=wifi"), chromedp.WaitVisible(chromedp.CSS(".hit")))
	if shown := eval[bool](t, ctx, `document.querySelector('input[name="area"]').getBoundingClientRect().height > 0`); !shown {
		t.Error("on a wide screen the filters are hidden")
	}
}

// inspect360 checks a page already at phone width and keeps its screenshot.
func inspect360(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	axeCheck(t, ctx, name)
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shotDir(t), name+".png"), png, 0o644)
}
