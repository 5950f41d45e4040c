package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
)

// An admin manages peers in the browser: the status table, the add form with an error,
// a harvested record beside the case it may duplicate, a bulk decision, a draft
// completed with a mistake, the question before a removal; each page passes axe at
// desktop and phone width.
func TestBrowserPeersPage(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	s := startSite(t)
	ctx := browser(t)
	addCases(t, s.App, [3]string{"cafes-de-reparacion", "Neighbourhood Repair Cafes!", "Barcelona"})
	peerOf(t, s, federation.PolicyReview, fedtest.Options{}, [3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"},
		[3]string{"tool-library", "A tool library in every district", "Girona"})
	harvestNow(t, s, "metropolis")

	run(t, ctx, chromedp.Navigate(s.URL+"/review/peers"), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#email"), adminEmail), chromedp.SendKeys(chromedp.CSS("#password"), coordPassword),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS("table.peers")))
	if row := text(t, ctx, "#peer-metropolis"); !strings.Contains(row, "queued for review") || !strings.Contains(row, "Harvest now") {
		t.Errorf("the peer's row %q", row)
	}
	inspect(t, ctx, "peers")

	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#name"), "lisbon"), chromedp.SendKeys(chromedp.CSS("#url"), "ftp://kb.lisbon.example/oai"),
		chromedp.Click(chromedp.CSS("form.peerform button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#err-url .error")))
	if kept := eval[string](t, ctx, `document.querySelector("#name").value`); kept != "lisbon" {
		t.Errorf("what was typed was lost: %q", kept)
	}
	inspect(t, ctx, "peers-add-errors")

	run(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/review/peers/queue/repair-cafes"]`)), chromedp.WaitVisible(chromedp.CSS(".compare")))
	if held := text(t, ctx, ".compare article:nth-child(2) h3"); held != "Neighbourhood Repair Cafes!" {
		t.Errorf("beside the record: %q", held)
	}
	inspect(t, ctx, "peer-preview")

	// The script's box ticks every row; without it each is ticked on its own.
	run(t, ctx, chromedp.Navigate(s.URL+"/review/peers"), chromedp.WaitVisible(chromedp.CSS("#q-repair-cafes")),
		chromedp.Click(chromedp.CSS(`table.harvested thead input[type=checkbox]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll("table.harvested tbody input:checked").length`); n != 2 {
		t.Errorf("select all ticked %d rows", n)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`button[value="publish"]`)), chromedp.WaitVisible(chromedp.CSS("#outcome")))
	if o := text(t, ctx, "#outcome"); !strings.Contains(o, "Published 2 of the 2 practices selected") {
		t.Errorf("outcome %q", o)
	}
	inspect(t, ctx, "peers-decided")

	run(t, ctx, chromedp.Click(chromedp.CSS(`table.duplicates a[href^="/review/peers/duplicates/"]`)), chromedp.WaitVisible(chromedp.CSS(".flag")))
	inspect(t, ctx, "peer-duplicate")

	// A draft from a repository that is not kb, sent without what it lacks.
	repo := fedtest.StartRepository(t)
	if _, err := s.App.Peers.Add(t.Context(), federation.NewPeer{Name: "repositorio", URL: repo.Endpoint, Format: federation.FormatDC}); err != nil {
		t.Fatal(err)
	}
	harvestNow(t, s, "repositorio")
	run(t, ctx, chromedp.Navigate(s.URL+"/review/peers"), chromedp.Click(chromedp.CSS(`table.harvested tr:has(.draft) a`)), chromedp.WaitVisible(chromedp.CSS("form.complete")),
		chromedp.Click(chromedp.CSS("form.complete button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#err-areas .error")))
	inspect(t, ctx, "peer-draft")

	run(t, ctx, chromedp.Navigate(s.URL+"/review/peers/metropolis/remove"), chromedp.WaitVisible(chromedp.CSS(".removal")))
	if q := text(t, ctx, ".removal"); !strings.Contains(q, "also removes the 2 practices") {
		t.Errorf("the question %q", q)
	}
	inspect(t, ctx, "peer-remove")
	if opened := dialogsOf(t); len(opened) > 0 {
		t.Errorf("dialogs opened: %v", opened)
	}
}
