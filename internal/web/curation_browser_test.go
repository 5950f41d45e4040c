package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A coordinator in Chromium: names themself, reviews a case with every field shown, edits
// it before accepting, merges another into a practice found by a search, confirms an
// archive, reads a word-level diff and reverts; each page passes axe and holds at 360 px.
func TestBrowserCoordinatorCuration(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	s := startSite(t)
	ctx := browser(t)
	first, token := fullCase(t, s.App)

	run(t, ctx, chromedp.Navigate(s.URL+"/review/account"), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#email"), coordEmail), chromedp.SendKeys(chromedp.CSS("#password"), coordPassword),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS("form.profile")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ana Ruiz"), chromedp.Submit(chromedp.CSS("#name")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	inspect(t, ctx, "coord-account")

	run(t, ctx, chromedp.Navigate(s.URL+"/review"), chromedp.WaitVisible(chromedp.CSS("table.queue")))
	if n := text(t, ctx, "#waiting-count"); n != "1" {
		t.Errorf("the header's count %q", n)
	}
	inspect(t, ctx, "coord-queue")

	// The review shows every field as the page will.
	run(t, ctx, chromedp.Click(chromedp.CSS("table.queue a")), chromedp.WaitVisible(chromedp.CSS("aside.facts")))
	facts := text(t, ctx, "aside.facts")
	for _, want := range []string{"Health crisis", "students and the education sector", "radio, schools", "operational", "2021", "Spanish", "Digital inclusion 2026", "Translations", "oai:kb.example.org:"} {
		if !strings.Contains(facts, want) {
			t.Errorf("the review's facts lack %q", want)
		}
	}
	if m := text(t, ctx, "aside.closest"); !strings.Contains(m, "What matched") {
		t.Errorf("the closest practices: %q", m)
	}
	inspect(t, ctx, "coord-review")

	// Edit before accepting.
	run(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/edit"].button`)), chromedp.WaitVisible(chromedp.CSS("form.subedit")))
	inspect(t, ctx, "coord-review-edit")
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#summary"), "The town broadcast daily school lessons on the municipal radio."),
		chromedp.SendKeys(chromedp.CSS("#note"), "Says how often"), chromedp.Submit(chromedp.CSS("#note")), chromedp.WaitVisible(chromedp.CSS("#edited")))
	if ins := text(t, ctx, "#edited ins"); ins != "added words" && !strings.Contains(ins, "daily") {
		t.Errorf("the edit's added words %q", ins)
	}
	inspect(t, ctx, "coord-review-edited")
	run(t, ctx, chromedp.Navigate(s.URL+"/track/"+token), chromedp.WaitVisible(chromedp.CSS("#edited")))
	if e := text(t, ctx, "#edited"); !strings.Contains(e, "Ana Ruiz (coordinator)") {
		t.Errorf("the contributor's page: %q", e)
	}
	inspect(t, ctx, "coord-track-edited")
	run(t, ctx, chromedp.Navigate(s.URL+"/review/submissions/"+first), chromedp.WaitVisible(chromedp.CSS("form.decision")),
		chromedp.Click(chromedp.CSS(`input[value="accept"]`)), chromedp.Submit(chromedp.CSS("#comment")), chromedp.WaitVisible(chromedp.CSS("article.practice:not(.preview) aside.facts")))
	if lead := text(t, ctx, ".lead"); !strings.Contains(lead, "daily") {
		t.Errorf("published without the edit: %q", lead)
	}

	// Merge a second case into a practice found by a search.
	second := validCase(t, s.App)
	run(t, ctx, chromedp.Navigate(s.URL+"/review/submissions/"+second), chromedp.WaitVisible(chromedp.CSS("form.decision")),
		chromedp.Click(chromedp.CSS(`a[href$="/merge"]`)), chromedp.WaitVisible(chromedp.CSS("#merge-q")),
		chromedp.SendKeys(chromedp.CSS("#merge-q"), "GeoBilbao"), chromedp.Submit(chromedp.CSS("#merge-q")), chromedp.WaitVisible(chromedp.CSS(".candidates")))
	inspect(t, ctx, "coord-merge-search")
	run(t, ctx, chromedp.Click(chromedp.CSS(`a.choose[href$="into=bilbao-geobilbao"]`)), chromedp.WaitVisible(chromedp.CSS(".consequences")))
	if q := text(t, ctx, ".consequences"); !strings.Contains(q, "keeps its identity") {
		t.Errorf("the merge's question %q", q)
	}
	inspect(t, ctx, "coord-merge-confirm")
	run(t, ctx, chromedp.Click(chromedp.CSS(".confirm button.danger")), chromedp.WaitVisible(chromedp.CSS("aside.facts")))
	if h1 := text(t, ctx, "h1"); h1 != "Solar kiosks in markets" {
		t.Errorf("after the merge, the practice reads %q", h1)
	}

	// A word-level diff of the merge, then a revert labelled with the version restored.
	run(t, ctx, chromedp.Navigate(s.URL+"/practices/bilbao-geobilbao/versions"), chromedp.WaitVisible(chromedp.CSS("table.versions")),
		chromedp.Click(chromedp.CSS(`table.versions tr:last-child a[href*="/diff"]`)), chromedp.WaitVisible(chromedp.CSS(".words")))
	if n := eval[int](t, ctx, `document.querySelectorAll(".words ins, .words del").length`); n == 0 {
		t.Error("the diff marks no words")
	}
	inspect(t, ctx, "coord-diff-words")
	run(t, ctx, chromedp.Navigate(s.URL+"/practices/bilbao-geobilbao/versions"), chromedp.WaitVisible(chromedp.CSS("table.versions")))
	if n := eval[int](t, ctx, `document.querySelectorAll("table.versions tr:last-child button").length`); n != 0 {
		t.Error("the current version offers a restore")
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`#v1 button`)), chromedp.WaitVisible(chromedp.CSS("aside.facts")),
		chromedp.Navigate(s.URL+"/practices/bilbao-geobilbao/versions"), chromedp.WaitVisible(chromedp.CSS("table.versions")))
	if what := text(t, ctx, "table.versions tr:last-child .what"); what != "Restored version 1" {
		t.Errorf("the revert reads %q", what)
	}
	inspect(t, ctx, "coord-versions")

	// Archive, after the question.
	run(t, ctx, chromedp.Navigate(s.URL+"/practices/amb-dual-bus-stops/edit"), chromedp.WaitVisible(chromedp.CSS("#curate-h")),
		chromedp.Click(chromedp.CSS(`a[href$="/archive"]`)), chromedp.WaitVisible(chromedp.CSS(".consequences")))
	if q := text(t, ctx, ".consequences"); !strings.Contains(q, "OAI-PMH") {
		t.Errorf("the archive's question %q", q)
	}
	inspect(t, ctx, "coord-archive-confirm")
	run(t, ctx, chromedp.Click(chromedp.CSS(".confirm button.danger")), chromedp.WaitVisible(chromedp.CSS("article.practice .notice")))

	for _, p := range []struct{ name, path, wait string }{
		{"coord-audit", "/review/audit", "ol.auditlog"},
		{"coord-session", "/review/sessions/digital-inclusion-2026", "table.sessionsubs"},
		{"coord-withdraw-confirm", "/review/submissions/" + validCase(t, s.App) + "/withdraw", ".consequences"},
	} {
		run(t, ctx, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		inspect(t, ctx, p.name)
	}
	if opened := dialogsOf(t); len(opened) > 0 {
		t.Errorf("dialogs opened: %v", opened)
	}
}
