package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/web"
	"github.com/uclg-digital-cities/kb/internal/xsstest"
)

const (
	coordEmail    = "coord@example.org"
	adminEmail    = "admin@example.org"
	coordPassword = "a long enough password"
)

// site runs the whole knowledge base (API and pages) on a test server, with a limit of
// submissions the journeys do not reach.
func site(t testing.TB) (string, *app.App) {
	s := startSite(t)
	return s.URL, s.App
}

// testSite is the whole knowledge base on a test server, with a coordinator and an
// admin, and the registry the harvests started from its pages run in.
type testSite struct {
	URL  string
	App  *app.App
	Jobs *jobs.Registry
}

func startSite(t testing.TB) testSite {
	t.Helper()
	return siteWithJobs(t, func(a *app.App) {
		a.Review.Submissions = limit.New(limit.Rate{Every: time.Millisecond, Burst: 100}, "submissions")
	})
}

// siteWith is site with the app set up by setup first, the default limits otherwise.
func siteWith(t testing.TB, setup func(*app.App)) (string, *app.App) {
	t.Helper()
	s := siteWithJobs(t, setup)
	return s.URL, s.App
}

// siteWithJobs is siteWith, with the registry its pages start harvests in.
func siteWithJobs(t testing.TB, setup func(*app.App)) testSite {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	for email, role := range map[string]string{coordEmail: auth.RoleCoordinator, adminEmail: auth.RoleAdmin} {
		if _, err := a.Auth.AddUser(email, role, coordPassword, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if setup != nil {
		setup(a)
	}
	work := jobs.New(nil)
	t.Cleanup(func() { work.Close(context.Background()) }) // before the store closes
	// The listener first: its address is the base URL the pages make links from.
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	a.Review.Network, a.Review.BaseURL = "Test network", base // as kb serve sets them: the mails' links
	pages, err := web.New(web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Jobs: work, Geo: a.Geo, BaseURL: base, NetworkName: "Test network", NetworkEmail: "network@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Peers: a.Peers, Jobs: work, Pages: pages, BaseURL: base})
	srv.Start()
	t.Cleanup(srv.Close)
	return testSite{URL: srv.URL, App: a, Jobs: work}
}

// browser opens a tab of its own for the test, in a browser context of its own (its
// own cookies and storage), in the one headless Chromium the package's tests share:
// starting the browser once, not per test. In CI a missing browser fails the test; on a
// developer's machine it skips with the reason. -short skips the browser tests: they are
// most of this package's time, and the full go test ./... runs them.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the browser tests run without -short")
	}
	path := os.Getenv("KB_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("the browser tests need Debian's chromium; .ci/run installs it")
		}
		t.Skip("no chromium on this machine: apt-get install -y chromium to run the browser tests")
	}
	chromium.once.Do(func() { chromium.start(path) })
	if chromium.err != nil {
		t.Fatalf("start chromium: %v", chromium.err)
	}
	seen := &opened{}
	dialogs.Store(t, seen)
	ctx, cancel := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		// Any dialog means script ran that should not have: note it.
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			seen.add(d.Message)
		}
	}))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate("about:blank"), watchCSP); err != nil {
		t.Fatalf("open a tab in chromium: %v", err)
	}
	return ctx
}

// sharedBrowser is the browser the package's tests share, started by the first that
// needs it and stopped by TestMain.
type sharedBrowser struct {
	once sync.Once
	ctx  context.Context // the browser's first tab, left blank
	stop func()
	err  error
}

var chromium sharedBrowser

func (b *sharedBrowser) start(path string) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	b.ctx, b.stop = ctx, func() { cancel(); cancelAlloc() }
	b.err = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
}

// TestMain stops the shared browser once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.stop != nil {
		chromium.stop()
	}
	os.Exit(code)
}

// watchCSP records in every page, before its own scripts run, what the Content Security
// Policy blocked: a page that needs something the policy refuses is broken under it.
func watchCSP(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.__csp = [];
		document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + location.pathname));`})
	return chromedp.Void{}, err
}

// cspCheck fails on anything the policy blocked in the current page.
func cspCheck(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var blocked []string
	json.Unmarshal([]byte(eval[string](t, ctx, `JSON.stringify(window.__csp || ["no watcher in the page"])`)), &blocked)
	for _, b := range blocked {
		t.Errorf("%s: the Content Security Policy: %s", name, b)
	}
}

// dialogs holds, for each browser test, the dialogs its tab opened (*opened).
var dialogs sync.Map

type opened struct {
	mu       sync.Mutex
	messages []string
}

func (o *opened) add(m string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.messages = append(o.messages, m)
}

// dialogsOf is what dialogs the test's tab opened so far.
func dialogsOf(t *testing.T) []string {
	v, ok := dialogs.Load(t)
	if !ok {
		return nil
	}
	o := v.(*opened)
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.messages)
}

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %q: %v", js, err)
	}
	return v
}

// screenshots go to KB_SCREENSHOTS, or screenshots/ at the top of the repository.
func shotDir(t *testing.T) string {
	dir := os.Getenv("KB_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// inspect checks the page with axe-core and writes its screenshots at desktop and phone
// width.
func inspect(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	cspCheck(t, ctx, name)
	axeCheck(t, ctx, name)
	for _, v := range []struct {
		label string
		w, h  int64
	}{{"desktop", 1280, 900}, {"phone", 360, 780}} {
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(v.w, v.h)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shotDir(t), name+"-"+v.label+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		if v.label == "phone" {
			// Nothing may stick out sideways at 360 px.
			if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
				t.Errorf("%s scrolls sideways at 360 px", name)
			}
		}
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))
}

// axe is axe-core's source, read once for every test.
var axe = sync.OnceValues(func() (string, error) {
	data, err := os.ReadFile(filepath.Join("..", "..", "e2e", "node_modules", "axe-core", "axe.min.js"))
	return string(data), err
})

// axeCheck runs axe-core in the page (WCAG 2.1 A and AA rules: labels, contrast, heading
// order, lang and the rest) and fails on any violation.
func axeCheck(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	src, err := axe()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is missing (.ci/run installs it with npm ci --prefix e2e): %v", err)
		}
		t.Logf("no axe-core (npm ci --prefix e2e installs it): accessibility not checked")
		return
	}
	eval[bool](t, ctx, src+";true")
	res := eval[string](t, ctx, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`)
	var violations []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	json.Unmarshal([]byte(res), &violations)
	for _, v := range violations {
		t.Errorf("%s: accessibility: %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

func TestBrowserJourneys(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, a := site(t)
	ctx := browser(t)

	// Home.
	run(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "en" {
		t.Errorf("page language %q", lang)
	}
	inspect(t, ctx, "home")

	// Search in one's own words, then filter without a reload.
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#q"), "beach occupancy"), chromedp.Submit(chromedp.CSS("#q")), chromedp.WaitVisible(chromedp.CSS(".hit")))
	if first := text(t, ctx, ".hit h3"); first != "Information system on the occupancy level of beaches" {
		t.Fatalf("first hit %q", first)
	}
	if marks := eval[int](t, ctx, `document.querySelectorAll(".hit mark").length`); marks == 0 {
		t.Error("no highlighted words in the results")
	}
	inspect(t, ctx, "search")
	run(t, ctx, chromedp.Click(chromedp.CSS(`input[name="area"][value="mobility"]`)))
	if got := eval[bool](t, ctx, `new Promise(r => { let n = 0; const i = setInterval(() => { if (location.search.includes("area=mobility") || ++n > 50) { clearInterval(i); r(location.search.includes("area=mobility")); } }, 100); })`); !got {
		t.Fatal("the facet did not filter the results")
	}
	if checked := eval[bool](t, ctx, `document.querySelector('input[name="area"][value="mobility"]').checked`); !checked {
		t.Error("the selected facet is not shown as selected")
	}

	// Open a practice.
	run(t, ctx, chromedp.Click(chromedp.CSS(".hit h3 a")), chromedp.WaitVisible(chromedp.CSS("article.practice")))
	if h1 := text(t, ctx, "h1"); !strings.Contains(h1, "beaches") {
		t.Errorf("practice page %q", h1)
	}
	if ld := eval[string](t, ctx, `JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent)["@type"]`); ld != "CreativeWork" {
		t.Errorf("JSON-LD type %q", ld)
	}
	inspect(t, ctx, "practice")

	// Recommendations.
	run(t, ctx, chromedp.Navigate(base+"/recommend"), chromedp.WaitVisible(chromedp.CSS("form.recform")),
		chromedp.SetValue(chromedp.CSS("#country"), "AR"), chromedp.SendKeys(chromedp.CSS("#population"), "55000"),
		chromedp.Click(chromedp.CSS(`input[name="weak_areas"][value="education"]`)), chromedp.SetValue(chromedp.CSS("#sev-education"), "high"),
		chromedp.SendKeys(chromedp.CSS("#need"), "students without internet at home"),
		chromedp.Click(chromedp.CSS(`details:has(#resources) summary`)), chromedp.SendKeys(chromedp.CSS("#resources_text"), "wifi público, partners"),
		chromedp.Submit(chromedp.CSS("#need")), chromedp.WaitVisible(chromedp.CSS("#recommendations")))
	if reasons := text(t, ctx, "#recommendations .reasons"); !strings.Contains(reasons, "addresses your weak area “Education and training” (how weak: high)") {
		t.Errorf("reasons %q", reasons)
	}
	if read := text(t, ctx, "#recommendations .understood"); !strings.Contains(read, "we read “wifi público” as municipal WiFi") || !strings.Contains(read, "we read “partners” as partners") {
		t.Errorf("how the words were read %q", read)
	}
	inspect(t, ctx, "recommend")

	// Submit a case with a mistake, fix it, get the tracking link.
	run(t, ctx, chromedp.Navigate(base+"/submit"), chromedp.WaitVisible(chromedp.CSS("form.submitform")))
	inspect(t, ctx, "submit")
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#title"), "Community radio lessons for pupils without internet"),
		chromedp.SetValue(chromedp.CSS("#summary"), "The town broadcast school lessons on the municipal radio."),
		chromedp.SetValue(chromedp.CSS("#city"), "Villa Gesell"), chromedp.SetValue(chromedp.CSS("#country"), "AR"),
		chromedp.Click(chromedp.CSS(`input[name="areas"][value="education"]`)),
		chromedp.SetValue(chromedp.CSS("#body"), "## What was done\nLessons on the radio every morning."),
		chromedp.SetValue(chromedp.CSS("#contact_name"), "Rosa Pérez"),
		chromedp.SendKeys(chromedp.CSS("#contact_email"), "not an email"),
		chromedp.Click(chromedp.CSS(`input[name="consent"]`)),
		chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".errorsummary")))
	if e := text(t, ctx, "#err-contact_email"); e == "" {
		t.Fatal("no error beside the email field")
	}
	if kept := eval[string](t, ctx, `document.querySelector("#title").value`); kept != "Community radio lessons for pupils without internet" {
		t.Errorf("what was typed was lost: %q", kept)
	}
	inspect(t, ctx, "submit-errors")
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#contact_email"), "rosa@example.org"),
		chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#tracking-link")))
	trackURL := text(t, ctx, "#tracking-link")
	inspect(t, ctx, "submitted")
	run(t, ctx, chromedp.Navigate(trackURL), chromedp.WaitVisible(chromedp.CSS("#status")))
	if st := text(t, ctx, "#status"); !strings.Contains(st, "submitted") {
		t.Errorf("tracking page status %q", st)
	}
	inspect(t, ctx, "track")

	// A coordinator logs in and accepts it; it is found by search at once.
	run(t, ctx, chromedp.Navigate(base+"/review"), chromedp.WaitVisible(chromedp.CSS("#password")))
	inspect(t, ctx, "login")
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#email"), coordEmail), chromedp.SendKeys(chromedp.CSS("#password"), coordPassword),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS("table.queue")))
	inspect(t, ctx, "queue")
	run(t, ctx, chromedp.Click(chromedp.CSS("table.queue a")), chromedp.WaitVisible(chromedp.CSS("form.decision")))
	inspect(t, ctx, "review-submission")
	run(t, ctx, chromedp.Click(chromedp.CSS(`input[value="accept"]`)), chromedp.SendKeys(chromedp.CSS("#comment"), "Welcome to the network"),
		chromedp.Submit(chromedp.CSS("#comment")), chromedp.WaitVisible(chromedp.CSS("article.practice:not(.preview) aside.facts")))
	run(t, ctx, chromedp.Navigate(base+"/search?q=radio+lessons"), chromedp.WaitVisible(chromedp.CSS(".hit")))
	if first := text(t, ctx, ".hit h3"); !strings.Contains(first, "Community radio lessons") {
		t.Errorf("the accepted case is not found: %q", first)
	}

	// Coordinator pages: edit, versions, sessions, audit, peers (one that never answers).
	peer := fedtest.Start(t, "metropolis.example.org")
	if _, err := a.Peers.Add(t.Context(), federation.NewPeer{Name: "metropolis", URL: peer.Endpoint, Policy: federation.PolicyReview}); err != nil {
		t.Fatal(err)
	}
	peer.Stop()
	a.Peers.Sync(t.Context(), "metropolis")
	for _, p := range []struct{ name, path, wait string }{
		{"edit", "/practices/bilbao-geobilbao/edit", "#title"},
		{"versions", "/practices/bilbao-geobilbao/versions", "table.versions"},
		{"manage-sessions", "/review/sessions", "#title"},
		{"audit", "/review/audit", "ol.auditlog"},
		{"account", "/review/account", "table.accountsessions"},
		{"peers", "/review/peers", "table.peers .error"},
		{"sessions", "/sessions", "h1"},
		{"search-sorted-filtered", "/search?q=digital&area=education&population_band=%3E1M&sort=city", ".active-filters"},
		{"search-empty", "/search?q=wfii", ".empty"},
	} {
		run(t, ctx, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		inspect(t, ctx, p.name)
	}
	if dym := text(t, ctx, ".dym a"); dym != "wifi" {
		t.Errorf("did you mean %q", dym)
	}

	// The interface speaks Spanish and French.
	run(t, ctx, chromedp.Navigate(base+"/?lang=es"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := text(t, ctx, "h1"); h1 != "Cómo lo resolvieron las ciudades" {
		t.Errorf("Spanish home %q", h1)
	}
	inspect(t, ctx, "home-es")
	run(t, ctx, chromedp.Navigate(base+"/search?q=fracture+num%C3%A9rique&lang=fr"), chromedp.WaitVisible(chromedp.CSS(".hit")))
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "fr" {
		t.Errorf("French page language %q", lang)
	}
	_ = a
	if opened := dialogsOf(t); len(opened) > 0 {
		t.Errorf("dialogs opened: %v", opened)
	}
}

// Script payloads in every field of a submission are displayed, and none runs.
func TestBrowserXSS(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, a := site(t)
	ctx := browser(t)
	in := review.Input{ConsentToPublish: true, Contact: review.Contact{Name: `<img src=x onerror="window.__xss=1">`, Email: "x@example.org"}}
	in.Practice.Title = `<script>window.__xss=1</script>Title`
	in.Practice.Summary = `<img src=x onerror="window.__xss=1;alert(1)">`
	in.Practice.City = `<svg onload="window.__xss=1">`
	in.Practice.Country, in.Practice.Areas = "ES", []string{"data"}
	in.Practice.Results = []string{`<a href="javascript:window.__xss=1">r</a>`}
	in.Practice.Tags = nil
	in.Practice.Body = strings.Join(xsstest.Payloads, "\n\n")
	r, err := a.Review.Create(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	coord := &auth.Principal{Email: coordEmail, Role: auth.RoleCoordinator}
	res, err := a.Review.Decide(context.Background(), r.ID, coord, review.Decision{Decision: review.ActionAccept})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/practices/" + res.PracticeID, "/track/" + r.TrackingToken, "/search?q=title", "/feed.atom"} {
		run(t, ctx, chromedp.Navigate(base+path), chromedp.Sleep(300*time.Millisecond))
		if ran := eval[bool](t, ctx, `window.__xss === 1`); ran {
			t.Errorf("%s: a payload ran", path)
		}
		if path != "/feed.atom" {
			if shown := eval[bool](t, ctx, `document.body.textContent.includes("window.__xss=1")`); !shown {
				t.Errorf("%s: the payload text is not shown as text", path)
			}
		}
	}
	if opened := dialogsOf(t); len(opened) > 0 {
		t.Errorf("dialogs opened: %v", opened)
	}
}

// The Content Security Policy holds in the browser, and its check can fail: markup that
// got into a page can neither run script nor style it, and both are reported.
func TestBrowserEnforcesTheContentSecurityPolicy(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, _ := site(t)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	cspCheck(t, ctx, "home")
	eval[bool](t, ctx, `document.body.insertAdjacentHTML("beforeend", '<img src="data:," onload="window.__ran=1"><p style="color: red" id="styled">x</p>'); true`)
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS("#styled")))
	if ran := eval[bool](t, ctx, `window.__ran === 1`); ran {
		t.Error("an inline event handler ran")
	}
	if red := eval[bool](t, ctx, `getComputedStyle(document.querySelector("#styled")).color === "rgb(255, 0, 0)"`); red {
		t.Error("an inline style applied")
	}
	// The reports come as events: wait for the first (the evaluation's deadline bounds it).
	if n := eval[int](t, ctx, `new Promise(r => { const f = () => window.__csp.length ? r(window.__csp.length) : setTimeout(f, 20); f(); })`); n == 0 {
		t.Error("the policy's check saw nothing blocked")
	}
}

// The accessibility check can fail: a page with an unlabelled field and no language is
// reported.
func TestAxeReportsViolations(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, _ := site(t)
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(base+"/static/style.css"))
	eval[bool](t, ctx, `document.documentElement.removeAttribute("lang"); document.body.innerHTML = "<input type=text><img src=x>"; true`)
	src, err := axe()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is missing (.ci/run installs it with npm ci --prefix e2e): %v", err)
		}
		t.Skipf("no axe-core: %v", err)
	}
	eval[bool](t, ctx, src+";true")
	n := eval[int](t, ctx, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a"]}}).then(r => r.violations.length)`)
	if n == 0 {
		t.Fatal("axe reported nothing on a page with an unlabelled field, an image without alt and no lang")
	}
}

// A form posted from another site (no CSRF token) is refused.
func TestFormsRefuseForgedPosts(t *testing.T) {
	base, _ := site(t)
	resp, err := http.PostForm(base+"/submit", map[string][]string{"title": {"forged"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a post without the CSRF token: %d", resp.StatusCode)
	}
	_ = fmt.Sprint
}
