package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/web"
)

// client is a browser without script: it keeps its cookies, follows no redirect, and
// sends with every form the CSRF token of the last page it read.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func loginAs(t *testing.T, base, email string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.get("/login")
	if resp, _ := c.post("/login", url.Values{"email": {email}, "password": {coordPassword}, "next": {"/review/peers"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in as %s: %d", email, resp.StatusCode)
	}
	c.get("/review/peers")
	return c
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if m := csrfInput.FindStringSubmatch(string(data)); m != nil {
		c.csrf = m[1]
	}
	return resp, string(data)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	form.Set("csrf_token", c.csrf)
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// postAndFollow posts a form that redirects (post/redirect/get) and reads the page it
// lands on.
func (c *client) postAndFollow(path string, form url.Values) string {
	c.t.Helper()
	resp, body := c.post(path, form)
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("POST %s: %d, want a redirect: %.400s", path, resp.StatusCode, body)
	}
	_, body = c.get(resp.Header.Get("Location"))
	return body
}

// outcome is what the page says an action did.
func outcome(t *testing.T, body string) string {
	t.Helper()
	o, ok := find(t, body, "div", "id", "outcome")
	if !ok {
		t.Fatalf("the page says nothing of what was done")
	}
	return strings.Join(strings.Fields(o), " ")
}

// addCases imports practices of a node's own, made from one of the study's cases: each
// {id, title, city}, the rest the case's.
func addCases(t *testing.T, a *app.App, cases ...[3]string) {
	t.Helper()
	tmpl, err := a.Get(t.Context(), "barcelona-3d-printed-ppe")
	if err != nil {
		t.Fatal(err)
	}
	var ps []*practices.Practice
	for _, c := range cases {
		p := *tmpl
		p.ID, p.URI, p.Title, p.City, p.Year, p.Version = c[0], "", c[1], c[2], 2021, 0
		p.Summary = "Practice: " + c[1] + "."
		ps = append(ps, &p)
	}
	if _, err := a.Import(t.Context(), ps, store.NewVersion); err != nil {
		t.Fatal(err)
	}
}

// peerOf starts a node under namespace holding the cases given, and adds it to the site
// as metropolis with the policy given.
func peerOf(t *testing.T, s testSite, policy string, opts fedtest.Options, cases ...[3]string) *fedtest.Peer {
	t.Helper()
	peer := fedtest.StartWith(t, "metropolis.example.org", opts)
	addCases(t, peer.App, cases...)
	if _, err := s.App.Peers.Add(t.Context(), federation.NewPeer{Name: "metropolis", URL: peer.Endpoint, Policy: policy}); err != nil {
		t.Fatal(err)
	}
	return peer
}

func harvestNow(t *testing.T, s testSite, name string) federation.Report {
	t.Helper()
	rep, err := s.App.Peers.Sync(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// The page lists each peer with its status; only an admin sees what manages peers, and
// only an admin may do it.
func TestPeersPageShowsEachPeersStatus(t *testing.T) {
	s := startSite(t)
	peerOf(t, s, federation.PolicyPublish, fedtest.Options{}, [3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"}, [3]string{"tool-library", "A tool library in every district", "Girona"})
	harvestNow(t, s, "metropolis")
	gone := fedtest.Start(t, "gone.example.org")
	if _, err := s.App.Peers.Add(t.Context(), federation.NewPeer{Name: "gone", URL: gone.Endpoint, Policy: federation.PolicyReview}); err != nil {
		t.Fatal(err)
	}
	gone.Stop()
	s.App.Peers.Sync(t.Context(), "gone")

	coord := loginAs(t, s.URL, coordEmail)
	resp, body := coord.get("/review/peers")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the page: %d", resp.StatusCode)
	}
	p, _ := s.App.Peers.Peer("metropolis")
	row, ok := find(t, body, "tr", "id", "peer-metropolis")
	if !ok {
		t.Fatal("metropolis is not listed")
	}
	for _, want := range []string{"Peer metropolis.example.org", "namespace metropolis.example.org", "pinned key " + p.PublicKey[:12], "published at once", "everything it serves", "every 1h",
		fmt.Sprintf("%d records received (%d in all)", p.LastReceived, p.Received), "2 new or changed", "last success"} {
		if !strings.Contains(squash(row), want) {
			t.Errorf("metropolis's row lacks %q: %s", want, squash(row))
		}
	}
	if row, _ := find(t, body, "tr", "id", "peer-gone"); !strings.Contains(row, "1 failed harvest") || !strings.Contains(row, "never succeeded yet") {
		t.Errorf("the failing peer's row: %s", squash(row))
	}
	if e, ok := find(t, body, "p", "class", "error"); !ok || e == "" {
		t.Error("the failing peer's last error is not shown")
	}
	if strings.Contains(body, "Harvest now") || strings.Contains(body, `action="/review/peers"`) {
		t.Error("a coordinator is offered what only an admin may do")
	}
	if resp, _ := coord.post("/review/peers/metropolis/pause", url.Values{"paused": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a coordinator pausing a peer: %d", resp.StatusCode)
	}

	admin := loginAs(t, s.URL, adminEmail)
	_, body = admin.get("/review/peers")
	if !strings.Contains(body, "Harvest now") || !strings.Contains(body, `action="/review/peers"`) {
		t.Fatal("an admin is not offered to harvest and add peers")
	}
	body = admin.postAndFollow("/review/peers/metropolis/pause", url.Values{"paused": {"yes"}})
	if o := outcome(t, body); !strings.Contains(o, "metropolis is paused") {
		t.Errorf("outcome %q", o)
	}
	if row, _ := find(t, body, "tr", "id", "peer-metropolis"); !strings.Contains(row, "Paused") || !strings.Contains(row, "harvested only when asked") || !strings.Contains(row, "Resume") {
		t.Errorf("the paused peer's row: %s", squash(row))
	}
	if p, _ := s.App.Peers.Peer("metropolis"); !p.Paused {
		t.Error("the peer is not paused")
	}
	// An outcome is shown only to whoever acted.
	loc := regexp.MustCompile(`/review/peers\?outcome=[^"]+`)
	resp, _ = admin.post("/review/peers/metropolis/pause", url.Values{"paused": {"no"}})
	if _, body := coord.get(resp.Header.Get("Location")); !loc.MatchString(resp.Header.Get("Location")) || strings.Contains(body, `id="outcome"`) {
		t.Error("another coordinator reads an admin's outcome")
	}
}

// An add-peer form with mistakes comes back with each error beside its field and what
// was typed; a good one adds the peer.
func TestAddingAPeerShowsErrorsBesideTheFields(t *testing.T) {
	s := startSite(t)
	admin := loginAs(t, s.URL, adminEmail)
	resp, body := admin.post("/review/peers", url.Values{"name": {"metropolis"}, "url": {"ftp://kb.metropolis.example/oai"}, "policy": {"review"}, "interval": {"soon"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad peer: %d", resp.StatusCode)
	}
	if e, _ := find(t, body, "span", "id", "err-url"); !strings.Contains(e, "http(s) address of its OAI-PMH endpoint") {
		t.Errorf("the error beside the URL: %q", e)
	}
	if e, _ := find(t, body, "span", "id", "err-interval"); !strings.Contains(e, "is not an interval such as 30m") {
		t.Errorf("the error beside the interval: %q", e)
	}
	if e, _ := find(t, body, "span", "id", "err-name"); e != "" {
		t.Errorf("an error beside a good name: %q", e)
	}
	if sum, ok := find(t, body, "div", "class", "errorsummary"); !ok || !strings.Contains(sum, "OAI-PMH address") {
		t.Errorf("error summary %q", sum)
	}
	for _, kept := range []string{`id="name" name="name" value="metropolis"`, `value="ftp://kb.metropolis.example/oai"`, `value="soon"`, `value="review" checked`} {
		if !strings.Contains(body, kept) {
			t.Errorf("what was typed is lost: no %s", kept)
		}
	}
	peer := fedtest.Start(t, "metropolis.example.org")
	body = admin.postAndFollow("/review/peers", url.Values{"name": {"metropolis"}, "url": {peer.Endpoint}, "policy": {"review"}, "set": {"area:mobility"}, "interval": {"30m"}})
	if o := outcome(t, body); !strings.Contains(o, "metropolis was added") {
		t.Errorf("outcome %q", o)
	}
	p, err := s.App.Peers.Peer("metropolis")
	if err != nil || p.Policy != federation.PolicyReview || p.Set != "area:mobility" || p.Interval != federation.Duration(30*60e9) {
		t.Fatalf("the peer added: %+v %v", p, err)
	}
	if row, _ := find(t, body, "tr", "id", "peer-metropolis"); !strings.Contains(row, "only the set area:mobility") || !strings.Contains(row, "every 30m") {
		t.Errorf("the new peer's row: %s", squash(row))
	}
}

// Removing a peer first says how many practices go with it, and what stays; then, as
// confirmed, removes them.
func TestRemovingAPeerAsksFirstWithTheCount(t *testing.T) {
	s := startSite(t)
	peerOf(t, s, federation.PolicyPublish, fedtest.Options{}, [3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"}, [3]string{"tool-library", "A tool library in every district", "Girona"})
	harvestNow(t, s, "metropolis")
	admin := loginAs(t, s.URL, adminEmail)
	_, body := admin.get("/review/peers/metropolis/remove")
	if msg, _ := find(t, body, "div", "class", "removal"); !strings.Contains(squash(msg), "Removing metropolis also removes the 2 practices that came only from it") || !strings.Contains(msg, "stay") {
		t.Fatalf("the question: %q", squash(msg))
	}
	if !strings.Contains(body, `name="confirm" value="2"`) || !strings.Contains(body, "Remove metropolis and its 2 practices") {
		t.Fatal("the form does not confirm the count it said")
	}
	if _, err := s.App.Peers.Peer("metropolis"); err != nil {
		t.Fatal("asking removed the peer")
	}
	// A count that is no longer right asks again.
	if resp, body := admin.post("/review/peers/metropolis/remove", url.Values{"confirm": {"5"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "here is the new count") || !strings.Contains(body, `name="confirm" value="2"`) {
		t.Fatalf("a wrong count: %d", resp.StatusCode)
	}
	body = admin.postAndFollow("/review/peers/metropolis/remove", url.Values{"confirm": {"2"}})
	if o := outcome(t, body); !strings.Contains(o, "metropolis was removed, with the 2 practices that came only from it") {
		t.Errorf("outcome %q", o)
	}
	if _, err := s.App.Peers.Peer("metropolis"); apperr.Code(err) != apperr.NotFound {
		t.Errorf("the peer is still there: %v", err)
	}
	if _, err := s.App.Get(t.Context(), "repair-cafes"); apperr.Code(err) != apperr.NotFound {
		t.Errorf("its practice is still there: %v", err)
	}
}

// A bulk decision on the queue publishes the practices selected, and only those; what
// fails is said, and the rest is done.
func TestBulkDecisionOnTheQueue(t *testing.T) {
	s := startSite(t)
	peerOf(t, s, federation.PolicyReview, fedtest.Options{}, [3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"},
		[3]string{"tool-library", "A tool library in every district", "Girona"}, [3]string{"seed-bank", "A seed bank in the library", "Lleida"})
	if rep := harvestNow(t, s, "metropolis"); rep.Queued != 3 {
		t.Fatalf("queued %d", rep.Queued)
	}
	coord := loginAs(t, s.URL, coordEmail)
	_, body := coord.get("/review/peers")
	for _, id := range []string{"repair-cafes", "tool-library", "seed-bank"} {
		if !strings.Contains(body, `name="id" value="`+id+`" id="q-`+id+`"`) || !strings.Contains(body, `href="/review/peers/queue/`+id+`"`) {
			t.Errorf("%s cannot be selected or previewed", id)
		}
	}
	body = coord.postAndFollow("/review/peers/queue", url.Values{"id": {"repair-cafes", "tool-library"}, "decision": {"publish"}})
	if o := outcome(t, body); !strings.Contains(o, "Published 2 of the 2 practices selected") {
		t.Errorf("outcome %q", o)
	}
	for _, id := range []string{"repair-cafes", "tool-library"} {
		if p, err := s.App.Get(t.Context(), id); err != nil || p.Origin == nil || p.Origin.Peer != "metropolis" {
			t.Errorf("%s is not published: %v", id, err)
		}
	}
	if q, _ := s.App.Peers.Queued(); len(q) != 1 || q[0].ID != "seed-bank" {
		t.Fatalf("still queued: %+v", q)
	}
	body = coord.postAndFollow("/review/peers/queue", url.Values{"id": {"seed-bank", "nope"}, "decision": {"reject"}})
	if o := outcome(t, body); !strings.Contains(o, "Rejected 1 of the 2 practices selected") || !strings.Contains(o, "Not done: nope:") {
		t.Errorf("outcome %q", o)
	}
	if q, _ := s.App.Peers.Queued(); len(q) != 0 {
		t.Errorf("still queued: %+v", q)
	}
	if o := outcome(t, coord.postAndFollow("/review/peers/queue", url.Values{"decision": {"publish"}})); !strings.Contains(o, "Nothing was selected") {
		t.Errorf("nothing selected: %q", o)
	}
}

// A queued record is previewed beside the closest practice held here, with the
// differences field by field, and can be decided from there.
func TestQueuedRecordPreview(t *testing.T) {
	s := startSite(t)
	peerOf(t, s, federation.PolicyReview, fedtest.Options{}, [3]string{"geobilbao-2", "GeoBilbao, as Metropolis tells it", "Bilbao"})
	harvestNow(t, s, "metropolis")
	coord := loginAs(t, s.URL, coordEmail)
	resp, body := coord.get("/review/peers/queue/geobilbao-2")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	if h, _ := find(t, body, "h2", "id", "side-0"); h != "Harvested, waiting for review" {
		t.Errorf("the record's side: %q", h)
	}
	if h, _ := find(t, body, "h2", "id", "side-1"); h != "Held here" || !strings.Contains(body, `<a href="/practices/`) {
		t.Errorf("no practice held beside it: %q", h)
	}
	if d, ok := find(t, body, "dl", "class", "diff"); !ok || !strings.Contains(d, "Title") || !strings.Contains(d, "+ GeoBilbao, as Metropolis tells it") {
		t.Errorf("the differences: %q", squash(d))
	}
	body = coord.postAndFollow("/review/peers/queue", url.Values{"id": {"geobilbao-2"}, "decision": {"publish"}})
	if o := outcome(t, body); !strings.Contains(o, "Published 1 of the 1") {
		t.Errorf("outcome %q", o)
	}
	if resp, _ := coord.get("/review/peers/queue/geobilbao-2"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the preview of a decided record: %d", resp.StatusCode)
	}
}

// A probable duplicate is previewed beside the practice held, with why it was flagged;
// confirming it makes the same_as of the practice this node publishes.
func TestConfirmingAFlaggedDuplicate(t *testing.T) {
	s := startSite(t)
	addCases(t, s.App, [3]string{"cafes-de-reparacion", "Neighbourhood Repair Cafes!", "Barcelona"})
	peerOf(t, s, federation.PolicyPublish, fedtest.Options{}, [3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"})
	if rep := harvestNow(t, s, "metropolis"); rep.Duplicates != 1 {
		t.Fatalf("flagged %d", rep.Duplicates)
	}
	coord := loginAs(t, s.URL, coordEmail)
	_, body := coord.get("/review/peers")
	if table, _ := find(t, body, "table", "class", "duplicates"); !strings.Contains(table, "Neighbourhood repair cafés") || !strings.Contains(table, "the same title") {
		t.Fatalf("the flag is not listed: %s", squash(table))
	}
	_, body = coord.get("/review/peers/duplicates/repair-cafes/cafes-de-reparacion")
	if why, _ := find(t, body, "section", "class", "notice flag"); !strings.Contains(why, "the same title") || !strings.Contains(why, "the same city and country") {
		t.Errorf("the reasons: %q", squash(why))
	}
	if d, ok := find(t, body, "dl", "class", "diff"); !ok || !strings.Contains(d, "− Neighbourhood Repair Cafes!") {
		t.Errorf("the differences: %q", squash(d))
	}
	body = coord.postAndFollow("/review/peers/duplicates", url.Values{"pair": {"repair-cafes cafes-de-reparacion"}, "decision": {"confirm"}})
	if o := outcome(t, body); !strings.Contains(o, "Confirmed 1 of the 1 selected as the same case") {
		t.Errorf("outcome %q", o)
	}
	mine, err := s.App.Get(t.Context(), "cafes-de-reparacion")
	if err != nil || !slices.Contains(mine.SameAs, "oai:metropolis.example.org:repair-cafes") {
		t.Fatalf("no same_as on the practice this node publishes: %+v %v", mine.SameAs, err)
	}
	if _, body := coord.get("/review/peers"); strings.Contains(body, `name="pair"`) {
		t.Error("a decided flag is still offered")
	}
}

// A harvest started from the page runs as a job: the page follows it, reloading itself
// only while it runs, and shows its outcome in the peer's status once it has ended.
func TestHarvestFromThePageIsFollowed(t *testing.T) {
	s := startSite(t)
	second, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	// The peer holds back its second page until the test has looked at the first.
	hold := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("resumptionToken") != "" {
				once.Do(func() { close(second) })
				<-release
			}
			h.ServeHTTP(w, r)
		})
	}
	peerOf(t, s, federation.PolicyPublish, fedtest.Options{PageSize: 10, Wrap: hold}, [3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"})
	if resp, _ := loginAs(t, s.URL, coordEmail).post("/review/peers/metropolis/harvest", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a coordinator starting a harvest: %d", resp.StatusCode)
	}
	admin := loginAs(t, s.URL, adminEmail)
	body := admin.postAndFollow("/review/peers/metropolis/harvest", url.Values{})
	if o := outcome(t, body); !strings.Contains(o, "The harvest of metropolis has started") {
		t.Errorf("outcome %q", o)
	}
	<-second
	_, body = admin.get("/review/peers")
	if !strings.Contains(body, `<meta http-equiv="refresh" content="3">`) {
		t.Error("the page does not follow the running harvest")
	}
	if p, _ := find(t, body, "p", "class", "running"); p != "Harvesting now: 1 page, 10 records received, 0 applied." {
		t.Errorf("progress %q", p)
	}
	if !strings.Contains(body, " disabled>Harvest now") {
		t.Error("a second harvest is offered while one runs")
	}
	if _, body := admin.get("/review/peers?watch=off"); strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "Follow it again") {
		t.Error("the page cannot be kept from reloading")
	}
	close(release)
	if err := s.Jobs.Close(t.Context()); err != nil { // waits for the harvest
		t.Fatal(err)
	}
	_, body = admin.get("/review/peers")
	if strings.Contains(body, `http-equiv="refresh"`) {
		t.Error("the page reloads itself with nothing running")
	}
	p, _ := s.App.Peers.Peer("metropolis")
	if row, _ := find(t, body, "tr", "id", "peer-metropolis"); p.LastSuccess.IsZero() || !strings.Contains(squash(row), fmt.Sprintf("%d records received", p.LastReceived)) {
		t.Errorf("the harvest's outcome is not shown: %s", squash(row))
	}
}

// The peers pages render in every language, with no message key showing.
func TestPeersPagesInEveryLanguage(t *testing.T) {
	s := startSite(t)
	addCases(t, s.App, [3]string{"cafes-de-reparacion", "Neighbourhood Repair Cafes!", "Barcelona"})
	peerOf(t, s, federation.PolicyReview, fedtest.Options{}, [3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"})
	harvestNow(t, s, "metropolis")
	repo := fedtest.StartRepository(t)
	if _, err := s.App.Peers.Add(t.Context(), federation.NewPeer{Name: "repositorio", URL: repo.Endpoint, Format: federation.FormatDC}); err != nil {
		t.Fatal(err)
	}
	harvestNow(t, s, "repositorio")
	drafts := []string{}
	queued, _ := s.App.Peers.Queued()
	for _, q := range queued {
		if q.Adopted() {
			drafts = append(drafts, "/review/peers/queue/"+q.ID)
		}
	}
	admin := loginAs(t, s.URL, adminEmail)
	key := regexp.MustCompile(`>\s*[a-z]+\.[a-z_.]+\s*<`)
	for _, l := range web.Languages {
		for _, path := range append([]string{"/review/peers", "/review/peers/queue/repair-cafes", "/review/peers/duplicates/repair-cafes/cafes-de-reparacion", "/review/peers/metropolis/remove"}, drafts...) {
			resp, body := admin.get(path + "?lang=" + l.Code)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="`+l.Code+`">`) {
				t.Errorf("%s in %s: %d", path, l.Code, resp.StatusCode)
			}
			if k := key.FindString(body); k != "" {
				t.Errorf("%s in %s shows a message key: %s", path, l.Code, k)
			}
		}
		if o := outcome(t, admin.postAndFollow("/review/peers/metropolis/pause", url.Values{"paused": {"yes"}})); key.MatchString(">" + o + "<") {
			t.Errorf("the outcome in %s is a message key: %s", l.Code, o)
		}
	}
}

// A repository that is not kb is added from the page; its records wait as drafts,
// marked with what they lack, and a coordinator completes one on its page and publishes
// it, errors coming back beside the fields.
func TestCompletingADraftFromARepositoryThatIsNotKb(t *testing.T) {
	s := startSite(t)
	repo := fedtest.StartRepository(t)
	admin := loginAs(t, s.URL, adminEmail)
	admin.postAndFollow("/review/peers", url.Values{"name": {"repositorio"}, "url": {repo.Endpoint}, "format": {"oai_dc"}, "interval": {"1h"}})
	if p, err := s.App.Peers.Peer("repositorio"); err != nil || p.Format != federation.FormatDC || p.Policy != federation.PolicyReview {
		t.Fatalf("the repository added: %+v %v", p, err)
	}
	harvestNow(t, s, "repositorio")
	var id string
	queued, _ := s.App.Peers.Queued()
	for _, q := range queued {
		if q.Origin.Identifier == fedtest.RecordMobility {
			id = q.ID
		}
	}
	coord := loginAs(t, s.URL, coordEmail)
	_, body := coord.get("/review/peers")
	if row, _ := find(t, body, "tr", "id", "peer-repositorio"); !strings.Contains(row, "an OAI-PMH repository: drafts") {
		t.Errorf("the repository's row: %s", squash(row))
	}
	if table, _ := find(t, body, "table", "class", "harvested"); !strings.Contains(squash(table), "A draft from a repository that is not kb. It lacks: Areas, City") {
		t.Errorf("the draft is not marked with what it lacks: %s", squash(table))
	}
	if o := outcome(t, coord.postAndFollow("/review/peers/queue", url.Values{"id": {id}, "decision": {"publish"}})); !strings.Contains(o, "Published 0 of the 1") || !strings.Contains(o, "lacks what a practice needs") {
		t.Errorf("publishing an incomplete draft: %q", o)
	}
	_, body = coord.get("/review/peers/queue/" + id)
	if !strings.Contains(body, `action="/review/peers/queue/`+id+`/accept"`) || strings.Contains(body, `value="publish"`) {
		t.Fatal("the draft is not offered to be completed, or is offered to be published as it is")
	}
	resp, body := coord.post("/review/peers/queue/"+id+"/accept", url.Values{"title": {"Open data for urban mobility"}, "country": {"UY"}, "language": {"en"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("completing without city and areas: %d", resp.StatusCode)
	}
	if e, _ := find(t, body, "span", "id", "err-city"); e == "" {
		t.Error("no error beside the city")
	}
	if e, _ := find(t, body, "span", "id", "err-areas"); e == "" {
		t.Error("no error beside the areas")
	}
	if !strings.Contains(body, `value="Open data for urban mobility"`) {
		t.Error("the title typed is lost")
	}
	body = coord.postAndFollow("/review/peers/queue/"+id+"/accept", url.Values{"title": {"Open data for urban mobility"}, "city": {"Montevideo"}, "country": {"UY"}, "areas": {"mobility", "data"}, "language": {"en"}})
	if o := outcome(t, body); !strings.Contains(o, "“Open data for urban mobility” was completed and published") {
		t.Errorf("outcome %q", o)
	}
	if p, err := s.App.Get(t.Context(), id); err != nil || p.City != "Montevideo" || !slices.Equal(p.Areas, []string{"mobility", "data"}) {
		t.Fatalf("the published practice: %+v %v", p, err)
	}
}
