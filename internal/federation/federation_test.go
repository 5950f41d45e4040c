package federation_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// node is one network's knowledge base, served on loopback with its OAI-PMH endpoint.
type node struct {
	name string
	app  *app.App
	srv  *httptest.Server
	// fail, when set, answers requests to the endpoint in place of the provider.
	fail atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
}

func (n *node) endpoint() string { return n.srv.URL + "/oai" }

// newNode opens a knowledge base holding the corpus practices keep selects.
func newNode(t *testing.T, name string, keep func(i int) bool, client *oai.Client) *node {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), NoSeed: true, BcryptCost: bcrypt.MinCost, Harvester: client})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ps, err := practices.ReadCorpus(corpus.FS, ".", a.Geo)
	if err != nil {
		t.Fatal(err)
	}
	var mine []*practices.Practice
	for i, p := range ps {
		if keep(i) {
			mine = append(mine, p)
		}
	}
	if _, err := a.Import(ctx, mine, practices.NewVersion); err != nil {
		t.Fatal(err)
	}
	n := &node{name: name, app: a}
	n.srv = httptest.NewUnstartedServer(nil)
	n.srv.Start()
	t.Cleanup(n.srv.Close)
	provider, err := a.Provider(oai.Config{RepositoryName: "Network " + name, BaseURL: n.srv.URL, Namespace: name + ".example.org", AdminEmail: name + "@example.org", PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	engine := server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Peers: a.Peers, OAI: provider})
	n.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := n.fail.Load(); f != nil && (*f)(w, r) {
			return
		}
		engine.ServeHTTP(w, r)
	})
	return n
}

func (n *node) peer(t *testing.T, other *node, policy string) {
	t.Helper()
	if _, err := n.app.Peers.Add(context.Background(), federation.NewPeer{Name: other.name, URL: other.endpoint(), Policy: policy}); err != nil {
		t.Fatal(err)
	}
}

func (n *node) sync(t *testing.T, other string) federation.Report {
	t.Helper()
	rep, err := n.app.Peers.Sync(context.Background(), other)
	if err != nil {
		t.Fatalf("%s harvesting %s: %v", n.name, other, err)
	}
	return rep
}

func (n *node) get(t *testing.T, id string) *practices.Practice {
	t.Helper()
	p, err := n.app.Store.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("%s: %v", n.name, err)
	}
	return p
}

func (n *node) count(t *testing.T) (local, harvested int) {
	t.Helper()
	err := n.app.Store.Each(context.Background(), func(p *practices.Practice) error {
		if p.Local() {
			local++
		} else {
			harvested++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return local, harvested
}

func changed(r federation.Report) int { return r.Published + r.Updated + r.Archived + r.Queued }

// threeNodes splits the corpus between a, b and c, each harvesting the other two.
func threeNodes(t *testing.T) (a, b, c *node) {
	a = newNode(t, "a", func(i int) bool { return i%3 == 0 }, nil)
	b = newNode(t, "b", func(i int) bool { return i%3 == 1 }, nil)
	c = newNode(t, "c", func(i int) bool { return i%3 == 2 }, nil)
	for _, x := range []*node{a, b, c} {
		for _, y := range []*node{a, b, c} {
			if x != y {
				x.peer(t, y, federation.PolicyPublish)
			}
		}
	}
	return a, b, c
}

func syncAll(t *testing.T, nodes ...*node) int {
	t.Helper()
	total := 0
	for _, x := range nodes {
		for _, y := range nodes {
			if x != y {
				total += changed(x.sync(t, y.name))
			}
		}
	}
	return total
}

func firstLocal(t *testing.T, n *node) *practices.Practice {
	t.Helper()
	var out *practices.Practice
	n.app.Store.Each(context.Background(), func(p *practices.Practice) error {
		if out == nil && p.Local() {
			out = p
		}
		return nil
	})
	return out
}

func TestThreeNodesFollowEachOther(t *testing.T) {
	ctx := context.Background()
	a, b, c := threeNodes(t)
	aLocal, _ := a.count(t)
	bLocal, _ := b.count(t)
	cLocal, _ := c.count(t)
	syncAll(t, a, b, c)
	// Each holds its own and the others' practices once: nothing came back around.
	for _, n := range []struct {
		node             *node
		local, harvested int
	}{{a, aLocal, bLocal + cLocal}, {b, bLocal, aLocal + cLocal}, {c, cLocal, aLocal + bLocal}} {
		if l, h := n.node.count(t); l != n.local || h != n.harvested {
			t.Fatalf("%s holds %d local and %d harvested, want %d and %d", n.node.name, l, h, n.local, n.harvested)
		}
	}
	if n := syncAll(t, a, b, c); n != 0 {
		t.Fatalf("a second harvest changed %d practices", n)
	}

	// Provenance, the network facet and the refusal of local edits.
	orig := firstLocal(t, a)
	id := federation.LocalID("a", orig.ID)
	got := b.get(t, id)
	if got.Origin == nil || got.Origin.Peer != "a" || got.Origin.Identifier != "oai:a.example.org:"+orig.ID || got.Origin.RepositoryName != "Network a" || got.Title != orig.Title {
		t.Fatalf("harvested practice %+v", got.Origin)
	}
	res, err := b.app.Search(ctx, index.Request{Filters: map[string][]string{"network": {"a"}}, Limit: 100})
	if err != nil || int(res.Total) != aLocal {
		t.Fatalf("network filter: %v, %v", res, err)
	}
	edit := *got
	edit.Title = "Edited here"
	if _, err := b.app.Review.Edit(ctx, "test", id, edit); apperr.Code(err) != apperr.Conflict {
		t.Fatalf("editing a harvested practice: %v", err)
	}

	// An update at the origin reaches both others.
	upd := *orig
	upd.Title = orig.Title + " (updated)"
	upd.Translations = []practices.Translation{{Language: "es", Title: "Traducción", Summary: "Resumen.", Body: "Texto.", Machine: true, Model: "m", Reviewed: true}}
	if _, err := a.app.Review.Edit(ctx, "test", orig.ID, upd); err != nil {
		t.Fatal(err)
	}
	if n := changed(b.sync(t, "a")) + changed(c.sync(t, "a")); n != 2 {
		t.Fatalf("the update changed %d practices, want 2", n)
	}
	for _, n := range []*node{b, c} {
		if p := n.get(t, id); p.Title != upd.Title || p.Origin.Datestamp.Before(got.Origin.Datestamp) {
			t.Fatalf("%s: title %q", n.name, p.Title)
		} else if len(p.Translations) != 1 || p.Translations[0].Title != "Traducción" || !p.Translations[0].Machine || !p.Translations[0].Reviewed {
			t.Fatalf("%s: translations %+v", n.name, p.Translations) // they travel apart from the text
		}
	}

	// Archive and merge at the origin: the others archive.
	var two []*practices.Practice
	a.app.Store.Each(ctx, func(p *practices.Practice) error {
		if p.Local() && !p.Archived && p.ID != orig.ID && len(two) < 2 {
			two = append(two, p)
		}
		return nil
	})
	if _, err := a.app.Review.Archive(ctx, "test", orig.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.app.Review.Merge(ctx, "test", two[0].ID, two[1].ID); err != nil {
		t.Fatal(err)
	}
	syncAll(t, a, b, c)
	for _, n := range []*node{b, c} {
		if !n.get(t, id).Archived || !n.get(t, federation.LocalID("a", two[0].ID)).Archived || n.get(t, federation.LocalID("a", two[1].ID)).Archived {
			t.Fatalf("%s did not follow the archive and the merge", n.name)
		}
	}
	// A new practice published at the origin arrives.
	fresh := *two[1]
	fresh.ID, fresh.Title, fresh.Version = "a-brand-new-case", "A brand new case", 0
	if _, err := a.app.Import(ctx, []*practices.Practice{&fresh}, practices.NewVersion); err != nil {
		t.Fatal(err)
	}
	if rep := c.sync(t, "a"); rep.Published != 1 {
		t.Fatalf("new practice: %+v", rep)
	}
	if n := syncAll(t, a, b, c); n != 1 { // b had not harvested it yet
		t.Fatalf("last round changed %d", n)
	}
	if n := syncAll(t, a, b, c); n != 0 {
		t.Fatalf("a second harvest changed %d", n)
	}
	st, _ := b.app.Peers.Peer("a")
	if st.LastHarvest.IsZero() || st.Received == 0 || st.LastError != "" || st.RepositoryName != "Network a" {
		t.Fatalf("peer status %+v", st)
	}
}

func TestReviewPolicyQueuesForACoordinator(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, "a", func(i int) bool { return i < 4 }, nil)
	b := newNode(t, "b", func(i int) bool { return false }, nil)
	b.peer(t, a, federation.PolicyReview)
	if rep := b.sync(t, "a"); rep.Queued != 4 || rep.Published != 0 {
		t.Fatalf("%+v", rep)
	}
	q, _ := b.app.Peers.Queued()
	if len(q) != 4 {
		t.Fatalf("queue %d", len(q))
	}
	if _, err := b.app.Store.Get(ctx, q[0].ID); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("a queued practice is published: %v", err)
	}
	if _, err := b.app.Peers.Decide(ctx, "coord@example.org", q[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.app.Peers.Decide(ctx, "coord@example.org", q[1].ID, false); err != nil {
		t.Fatal(err)
	}
	if p := b.get(t, q[0].ID); p.Origin == nil || p.Archived {
		t.Fatalf("accepted practice %+v", p)
	}
	if rep := b.sync(t, "a"); changed(rep) != 0 {
		t.Fatalf("second harvest %+v", rep)
	}
	if q, _ := b.app.Peers.Queued(); len(q) != 2 {
		t.Fatalf("queue after decisions %d", len(q))
	}
}

// stateOf is what a failed harvest must leave as it was.
func stateOf(t *testing.T, n *node) (uint64, int) {
	seq, err := n.app.Store.LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	count, _ := n.app.Store.Count()
	return seq, count
}

func TestPeerKilledMidHarvestResumes(t *testing.T) {
	a := newNode(t, "a", func(i int) bool { return i < 23 }, nil)
	b := newNode(t, "b", func(i int) bool { return false }, nil)
	b.peer(t, a, federation.PolicyPublish)
	var lists atomic.Int32
	die := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("verb") != "ListRecords" || lists.Add(1) < 3 {
			return false
		}
		// The peer dies in the middle of the third page.
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(`<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate><ListRecords><record><header>`))
		panic(http.ErrAbortHandler)
	}
	a.fail.Store(&die)
	rep, err := b.app.Peers.Sync(context.Background(), "a")
	if err == nil {
		t.Fatal("a harvest from a dying peer succeeded")
	}
	if rep.Pages != 2 || changed(rep) != 0 {
		t.Fatalf("two whole pages should be staged, none applied: %+v", rep)
	}
	if _, h := b.count(t); h != 0 {
		t.Fatalf("%d practices after the failure: a failed harvest must leave the practices as they were", h)
	}
	st, _ := b.app.Peers.Peer("a")
	if st.LastError == "" || st.Failures != 1 || !st.NextHarvest.After(st.LastHarvest) {
		t.Fatalf("status after failure %+v", st)
	}
	a.fail.Store(nil)
	rep = b.sync(t, "a")
	if rep.Published != 23 || rep.Pages != 5 {
		t.Fatalf("resumed harvest %+v", rep)
	}
	if st, _ := b.app.Peers.Peer("a"); st.LastError != "" || st.Failures != 0 {
		t.Fatalf("status after recovery %+v", st)
	}
	if rep := b.sync(t, "a"); changed(rep) != 0 {
		t.Fatalf("a harvest after the recovery changed %+v", rep)
	}
}

func TestBadPeersLeaveNothingBehind(t *testing.T) {
	okHeader := `<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>`
	identify := okHeader + `<Identify><repositoryName>Bad</repositoryName><baseURL>x</baseURL><protocolVersion>2.0</protocolVersion></Identify></OAI-PMH>`
	record := `<record><header><identifier>oai:bad.example.org:%s</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header><metadata><practice xmlns="https://github.com/uclg-digital-cities/kb/oai/practice/1"><id>%[1]s</id><title>A practice</title><summary>S</summary><city><name>Barcelona</name><country>ES</country></city><areas><area>mobility</area></areas><source>s</source><languages><language>en</language></languages><body>b</body><version>1</version><updated>2026-01-01T00:00:00Z</updated></practice></metadata></record>`
	var calls atomic.Int64
	cases := []struct {
		name string
		list func(w http.ResponseWriter, r *http.Request)
		want string
	}{
		{"malformed XML", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, okHeader+`<ListRecords>`+fmt.Sprintf(record, "one")+`<record><header>`)
		}, "not OAI-PMH 2.0 XML"},
		{"wrong namespace", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, strings.Replace(okHeader, "OAI/2.0/", "OAI/1.1/", 1)+`<ListRecords>`+fmt.Sprintf(record, "one")+`</ListRecords></OAI-PMH>`)
		}, "not OAI-PMH 2.0 XML"},
		{"practice in a wrong namespace", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, okHeader+`<ListRecords>`+strings.Replace(fmt.Sprintf(record, "one"), "practice/1", "practice/9", 1)+`</ListRecords></OAI-PMH>`)
		}, "no practice in the kb format"},
		{"endless resumption tokens", func(w http.ResponseWriter, r *http.Request) {
			n := calls.Add(1)
			fmt.Fprintf(w, okHeader+`<ListRecords>`+fmt.Sprintf(record, fmt.Sprintf("p%d", n))+`<resumptionToken>t%d</resumptionToken></ListRecords></OAI-PMH>`, n)
		}, "past 5 pages"},
		{"the same token again", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, okHeader+`<ListRecords>`+fmt.Sprintf(record, "one")+`<resumptionToken>again</resumptionToken></ListRecords></OAI-PMH>`)
		}, "twice"},
		{"huge response", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, okHeader+`<ListRecords>`)
			for i := 0; i < 2000; i++ {
				fmt.Fprintf(w, record, fmt.Sprintf("p%d", i))
			}
			fmt.Fprint(w, `</ListRecords></OAI-PMH>`)
		}, "larger than"},
		{"slow peer", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}, "deadline exceeded"},
		{"HTTP error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		}, "503"},
	}
	client := &oai.Client{MaxBytes: 256 << 10, MaxPages: 5, Timeout: 300 * time.Millisecond}
	b := newNode(t, "b", func(i int) bool { return i < 3 }, client)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The endless chain is bounded by pages: make its pages fail only after 5.
			bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				if r.URL.Query().Get("verb") == "Identify" {
					fmt.Fprint(w, identify)
					return
				}
				c.list(w, r)
			}))
			defer bad.Close()
			name := strings.ToLower(strings.ReplaceAll(c.name, " ", "-"))
			if _, err := b.app.Peers.Add(context.Background(), federation.NewPeer{Name: name, URL: bad.URL}); err != nil {
				t.Fatal(err)
			}
			seq, count := stateOf(t, b)
			_, err := b.app.Peers.Sync(context.Background(), name)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			if s, n := stateOf(t, b); n != count || s != seq {
				t.Fatalf("the store changed: %d practices (was %d), change %d (was %d)", n, count, s, seq)
			}
			st, _ := b.app.Peers.Peer(name)
			if !strings.Contains(st.LastError, c.want) {
				t.Fatalf("peer status %+v", st)
			}
		})
	}
}
