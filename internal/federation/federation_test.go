package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/signing"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// node is one network's knowledge base, seeded as every node is with the study's cases,
// served on loopback with its OAI-PMH endpoint.
type node struct {
	name string
	app  *app.App
	srv  *httptest.Server
	// fail, when set, answers requests to the endpoint in place of the provider.
	fail atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
	// own lists the ids of the practices it originates.
	own    []string
	engine http.Handler
}

// rewrite has the node's endpoint answer what it would, altered by edit.
func (n *node) rewrite(verb string, edit func(string) string) {
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("verb") != verb && r.URL.Query().Get("resumptionToken") == "" {
			return false
		}
		rec := httptest.NewRecorder()
		r.Header.Del("Accept-Encoding") // the text is edited: ask for it uncompressed
		n.engine.ServeHTTP(rec, r)
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, edit(rec.Body.String()))
		return true
	}
	n.fail.Store(&f)
}

func (n *node) endpoint() string { return n.srv.URL + "/oai" }

func (n *node) namespace() string { return n.name + ".example.org" }

// newNode opens a knowledge base seeded with the embedded corpus (the real default),
// with local practices of its own, written from the study's cases under new names.
func newNode(t *testing.T, name string, local int, client *oai.Client) *node {
	return newNodeWith(t, name, local, app.Config{Harvester: client})
}

func newNodeWith(t *testing.T, name string, local int, cfg app.Config) *node {
	t.Helper()
	ctx := context.Background()
	cfg.BcryptCost, cfg.Namespace = bcrypt.MinCost, name+".example.org"
	cfg.DataDir = apptest.SeededDir(t, cfg.Namespace, cfg.StudyAuthority)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	n := &node{name: name, app: a}
	if local > 0 {
		ps, err := practices.ReadCorpus(corpus.FS, ".", a.Geo)
		if err != nil {
			t.Fatal(err)
		}
		var mine []*practices.Practice
		for i := 0; i < local; i++ {
			p := ps[(i*7+len(name))%len(ps)]
			p.ID = fmt.Sprintf("%s-case-%d", name, i+1)
			p.URI = ""
			p.Title = fmt.Sprintf("Network %s's case %d: %s", name, i+1, p.Title)
			mine = append(mine, p)
			n.own = append(n.own, p.ID)
		}
		if _, err := a.Import(ctx, mine, store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	n.srv = httptest.NewUnstartedServer(nil)
	n.srv.Start()
	t.Cleanup(n.srv.Close)
	provider, err := a.Provider(oai.Config{RepositoryName: "Network " + name, BaseURL: n.srv.URL, Namespace: n.namespace(), AdminEmail: name + "@example.org", PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Harvests in tests come from one address, many at once: no per-address rate.
	n.engine = server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Peers: a.Peers, OAI: provider, Limits: server.Limits{Expensive: server.NoLimit}})
	n.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := n.fail.Load(); f != nil && (*f)(w, r) {
			return
		}
		n.engine.ServeHTTP(w, r)
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

// byURI returns the practice a node holds under an identity.
func (n *node) byURI(t *testing.T, uri string) *practices.Practice {
	t.Helper()
	id, ok := n.app.Store.IDOfURI(uri)
	if !ok {
		t.Fatalf("%s holds nothing with the identity %s", n.name, uri)
	}
	return n.get(t, id)
}

// identities counts, per identity, the practices a node holds (each must be 1), and
// checks that every practice not its own says where it came from.
func (n *node) identities(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := n.app.Store.Each(context.Background(), func(p *practices.Practice) error {
		out[p.Identity(n.namespace())]++
		if !p.Local() && !p.Study() && (p.Origin == nil || p.Origin.Signature == nil || p.Origin.Peer == "") {
			t.Errorf("%s holds %s without its provenance: %+v", n.name, p.ID, p.Origin)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func changed(r federation.Report) int { return r.Published + r.Updated + r.Archived + r.Queued }

// network is a set of nodes and who harvests whom.
type network struct {
	nodes []*node
	edges map[*node][]*node // node → the peers it harvests
}

func link(t *testing.T, nw *network, from, to *node) {
	from.peer(t, to, federation.PolicyPublish)
	nw.edges[from] = append(nw.edges[from], to)
}

// round has every node harvest each of its peers once; reverse goes through the nodes
// in the opposite order, so that two rounds carry a change both ways along a chain.
func (nw *network) round(t *testing.T, reverse bool) int {
	t.Helper()
	total := 0
	for i := range nw.nodes {
		x := nw.nodes[i]
		if reverse {
			x = nw.nodes[len(nw.nodes)-1-i]
		}
		for _, y := range nw.edges[x] {
			rep := x.sync(t, y.name)
			if rep.Refused > 0 || rep.Rejected > 0 {
				t.Fatalf("%s harvesting %s refused or rejected records: %+v", x.name, y.name, rep)
			}
			total += changed(rep)
		}
	}
	return total
}

// converged checks that every node holds the study's cases and every node's own
// practices, each exactly once.
func (nw *network) converged(t *testing.T) {
	t.Helper()
	want := map[string]bool{}
	for _, n := range nw.nodes {
		for _, id := range n.own {
			want[practices.MakeURI(n.namespace(), id)] = true
		}
	}
	for _, n := range nw.nodes {
		got := n.identities(t)
		study := 0
		for uri, count := range got {
			if count != 1 {
				t.Fatalf("%s holds %s %d times", n.name, uri, count)
			}
			if ns, _, _ := practices.SplitURI(uri); ns == practices.StudyNamespace {
				study++
			} else if !want[uri] {
				t.Fatalf("%s holds %s, which nobody published", n.name, uri)
			}
		}
		if study != 39 || len(got) != 39+len(want) {
			t.Fatalf("%s holds %d practices (%d of the study), want 39 + %d", n.name, len(got), study, len(want))
		}
	}
}

func newNetwork(t *testing.T, names string, local int) (*network, map[string]*node) {
	nw := &network{edges: map[*node][]*node{}}
	byName := map[string]*node{}
	for _, name := range strings.Fields(names) {
		n := newNode(t, name, local, nil)
		nw.nodes = append(nw.nodes, n)
		byName[name] = n
	}
	return nw, byName
}

// Two fresh nodes: b harvests a and holds the study's 39 cases once and a's own; search
// shows each case once; a second harvest changes nothing.
func TestTwoNodesHoldTheStudyOnce(t *testing.T) {
	ctx := context.Background()
	nw, n := newNetwork(t, "a b", 0)
	a, b := n["a"], n["b"]
	a.own = nil
	nw.nodes[0] = newNode(t, "a", 3, nil)
	a = nw.nodes[0]
	link(t, nw, b, a)
	rep := b.sync(t, "a")
	if rep.Published != 3 || rep.Study != 39 || rep.Refused != 0 {
		t.Fatalf("first harvest %+v", rep)
	}
	nw.converged(t)
	if n, _ := b.app.Store.Count(); n != 42 {
		t.Fatalf("b holds %d practices, want 39 + 3", n)
	}
	res, err := b.app.Search(ctx, search.Request{Query: "Sentilo", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 {
		t.Fatalf("search for Sentilo on b finds %d practices, want the one case", res.Total)
	}
	if n := nw.round(t, false); n != 0 {
		t.Fatalf("a second harvest changed %d practices", n)
	}
	got := b.byURI(t, practices.MakeURI(a.namespace(), "a-case-1"))
	if got.ID != "a-case-1" || got.Origin.Peer != "a" || got.Origin.Network != "a" || got.Origin.Version != 1 {
		t.Fatalf("the harvested practice %s %+v", got.ID, got.Origin)
	}
	// The network facet and the refusal of local edits, with what can be done instead.
	res, err = b.app.Search(ctx, search.Request{Filters: map[string][]string{"network": {"a"}}, Limit: 100})
	if err != nil || res.Total != 3 {
		t.Fatalf("network filter: %v, %v", res, err)
	}
	edit := *got
	edit.Title = "Edited here"
	if _, err := b.app.Review.Edit(ctx, "test", got.ID, edit); apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), "local note") {
		t.Fatalf("editing a harvested practice: %v", err)
	}
	study := b.get(t, "barcelona-sentilo-iot-platform")
	edit = *study
	edit.Title = "Edited here"
	if _, err := b.app.Review.Edit(ctx, "test", study.ID, edit); apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), "Smart Cities Study") {
		t.Fatalf("editing a study case on a node that is not its authority: %v", err)
	}
	hide, note := true, "Our network's contact for this case is the mobility desk."
	if _, err := b.app.Review.Annotate(ctx, "test", got.ID, &hide, &note); err != nil {
		t.Fatal(err)
	}
	if res, _ := b.app.Search(ctx, search.Request{Filters: map[string][]string{"network": {"a"}}, Limit: 100}); res.Total != 2 {
		t.Fatalf("a hidden practice is still found: %d", res.Total)
	}
	if p := b.get(t, got.ID); !p.Hidden || p.LocalNote != note || p.Version != got.Version {
		t.Fatalf("annotations %+v", p)
	}
}

// A mesh of three, a chain of four and a star of four (a hub that harvests every spoke,
// spokes that harvest only the hub) converge in two rounds to every published practice
// exactly once, with provenance; a third round changes nothing.
func TestTopologiesConverge(t *testing.T) {
	for _, tc := range []struct {
		name, nodes string
		edges       [][2]string
	}{
		{"mesh", "a b c", [][2]string{{"a", "b"}, {"a", "c"}, {"b", "a"}, {"b", "c"}, {"c", "a"}, {"c", "b"}}},
		{"chain", "a b c d", [][2]string{{"a", "b"}, {"b", "a"}, {"b", "c"}, {"c", "b"}, {"c", "d"}, {"d", "c"}}},
		{"star", "hub s1 s2 s3", [][2]string{{"hub", "s1"}, {"hub", "s2"}, {"hub", "s3"}, {"s1", "hub"}, {"s2", "hub"}, {"s3", "hub"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nw, n := newNetwork(t, tc.nodes, 2)
			for _, e := range tc.edges {
				link(t, nw, n[e[0]], n[e[1]])
			}
			nw.round(t, false)
			nw.round(t, true)
			nw.converged(t)
			if c := nw.round(t, false); c != 0 {
				t.Fatalf("a third round changed %d practices", c)
			}
		})
	}
}

// An edit, an archive and a merge at the authority reach every node of a star,
// including the spokes that have them only through the hub; the merged practice's page
// redirects to the survivor everywhere.
func TestChangesAtTheAuthorityTravelThroughARelay(t *testing.T) {
	ctx := context.Background()
	nw, n := newNetwork(t, "hub s1 s2", 3)
	for _, s := range []string{"s1", "s2"} {
		link(t, nw, n["hub"], n[s])
		link(t, nw, n[s], n["hub"])
	}
	nw.round(t, false)
	nw.round(t, true)
	nw.converged(t)
	s1 := n["s1"]
	edited := s1.get(t, "s1-case-1")
	edited.Title = "An edited title"
	if _, err := s1.app.Review.Edit(ctx, "test", edited.ID, *edited); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.app.Review.Archive(ctx, "test", "s1-case-2", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.app.Review.Merge(ctx, "test", "s1-case-3", "s1-case-1"); err != nil {
		t.Fatal(err)
	}
	nw.round(t, false)
	nw.round(t, true)
	for _, x := range []*node{n["hub"], n["s2"]} {
		if p := x.byURI(t, practices.MakeURI("s1.example.org", "s1-case-1")); p.Title != "An edited title" || p.Archived {
			t.Fatalf("%s: the edit did not arrive: %q", x.name, p.Title)
		}
		if p := x.byURI(t, practices.MakeURI("s1.example.org", "s1-case-2")); !p.Archived {
			t.Fatalf("%s: the archive did not arrive", x.name)
		}
		merged := x.byURI(t, practices.MakeURI("s1.example.org", "s1-case-3"))
		if to, ok := x.app.Redirect(merged.ID); !merged.Archived || !ok || to != x.byURI(t, practices.MakeURI("s1.example.org", "s1-case-1")).ID {
			t.Fatalf("%s: the merge did not arrive: archived %v, redirect %q %v", x.name, merged.Archived, to, ok)
		}
	}
	if p := n["s2"].byURI(t, practices.MakeURI("s1.example.org", "s1-case-1")); p.Origin.Peer != "hub" || len(p.Origin.Hops) != 1 || !strings.HasPrefix(p.Origin.Hops[0].Identifier, "oai:s1.example.org:") {
		t.Fatalf("the relayed practice's provenance %+v", p.Origin)
	}
	if c := nw.round(t, false); c != 0 {
		t.Fatalf("another round changed %d practices", c)
	}
}

// Records that claim another network's namespace without its signature, records a relay
// altered, and a peer whose key changed are refused and leave nothing behind.
func TestForgeriesAreRefused(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, "a", 2, nil)
	relay := newNode(t, "relay", 0, nil)
	b := newNode(t, "b", 0, nil)
	relay.peer(t, a, federation.PolicyPublish)
	relay.sync(t, "a")
	b.peer(t, a, federation.PolicyPublish) // b knows a's key
	b.peer(t, relay, federation.PolicyPublish)

	// The relay alters a's practice before passing it on.
	held := relay.byURI(t, practices.MakeURI("a.example.org", "a-case-1"))
	err := relay.app.Store.Update(func(tx *store.Tx) error {
		p := *held
		p.Title = "Altered by the relay"
		_, err := tx.PutPractice(&p, store.NewVersion)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The relay signs a practice of its own making under a's namespace.
	fake := *relay.byURI(t, practices.MakeURI("a.example.org", "a-case-2"))
	fake.ID, fake.URI, fake.Title = "forged", "oai:a.example.org:forged", "A forged case"
	fake.Origin = &practices.Origin{Peer: "a", Repository: a.endpoint(), Identifier: "oai:a.example.org:forged", Version: 1, Updated: time.Now().UTC().Truncate(time.Second)}
	sig := relay.app.Key.Sign("a.example.org", signing.Of(&fake, fake.URI))
	fake.Origin.Signature = &sig
	if _, err := relay.app.Store.Put(ctx, &fake, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	rep := b.sync(t, "relay")
	if rep.Refused != 2 || rep.Published != 1 { // a-case-2, relayed as a signed it
		t.Fatalf("harvesting the relay: %+v", rep)
	}
	after := b.identities(t)
	if after["oai:a.example.org:forged"] != 0 || after["oai:a.example.org:a-case-1"] != 0 || after["oai:a.example.org:a-case-2"] != 1 {
		t.Fatalf("b holds %v", after)
	}
	st, _ := b.app.Peers.Peer("relay")
	if st.LastRefused != 2 {
		t.Fatalf("the peer's status does not count the refusals: %+v", st)
	}

	// A record that claims a namespace nobody here knows, unsigned or signed by a node
	// that is not it and sent without provenance, is refused too.
	stranger := newNode(t, "stranger", 0, nil)
	for i, signed := range []bool{false, true} {
		other := fake
		other.ID, other.URI = fmt.Sprintf("claimed-%d", i), fmt.Sprintf("oai:unknown.example.org:claimed-%d", i)
		other.Origin = nil
		if signed {
			other.Origin = &practices.Origin{Peer: "x", Repository: "http://unknown.example.org/oai", Identifier: other.URI, Version: 1}
			sig := stranger.app.Key.Sign("unknown.example.org", signing.Of(&other, other.URI))
			other.Origin.Signature = &sig
		}
		if _, err := stranger.app.Store.Put(ctx, &other, store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	b.peer(t, stranger, federation.PolicyPublish)
	provenance := regexp.MustCompile(`<about><provenance .*?</provenance></about>`)
	stranger.rewrite("ListRecords", func(body string) string { return provenance.ReplaceAllString(body, "") })
	if rep := b.sync(t, "stranger"); rep.Refused != 2 || changed(rep) != 0 || !strings.Contains(fmt.Sprint(rep.Problems), "without a provenance") {
		t.Fatalf("harvesting the stranger: %+v", rep)
	}
	// Why is kept as a sentence of the catalogues with its values, for each reader's
	// language, beside the English of the command line.
	st, _ = b.app.Peers.Peer("stranger")
	keys := map[string]bool{}
	for _, p := range st.LastProblems {
		if p.Says == nil || p.Record == "" || !strings.HasPrefix(p.Text, p.Record+": ") {
			t.Fatalf("a problem kept without its sentence: %+v", p)
		}
		keys[p.Says.Key] = true
	}
	if len(st.LastProblems) != 2 || !keys["harvest.problem.provenance"] || !keys["harvest.problem.unsigned"] {
		t.Fatalf("the problems kept: %+v", st.LastProblems)
	}

	// a's key changes: b refuses to harvest it, as SSH refuses a changed host key.
	a.rewrite("Identify", func(body string) string { return strings.Replace(body, a.app.Key.Public(), relay.app.Key.Public(), 1) })
	seq, count := stateOf(t, b)
	if _, err := b.app.Peers.Sync(ctx, "a"); err == nil || !strings.Contains(err.Error(), "identity changed") {
		t.Fatalf("harvesting a peer whose key changed: %v", err)
	}
	if s, c := stateOf(t, b); s != seq || c != count {
		t.Fatal("a peer with a changed key changed the store")
	}
}

// Removing a peer asks first, with the count of what came only from it, then removes
// those practices; what another peer also serves stays.
func TestRemovingAPeerRemovesWhatCameOnlyFromIt(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, "a", 3, nil)
	c := newNode(t, "c", 2, nil)
	b := newNode(t, "b", 0, nil)
	c.peer(t, a, federation.PolicyPublish)
	c.sync(t, "a")
	b.peer(t, a, federation.PolicyPublish)
	b.peer(t, c, federation.PolicyPublish)
	b.sync(t, "a")
	b.sync(t, "c")
	if n, _ := b.app.Store.Count(); n != 39+5 {
		t.Fatalf("b holds %d", n)
	}
	if _, err := b.app.Peers.Remove(ctx, "c", 0); apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), "2 practices") {
		t.Fatalf("removing without confirming: %v", err)
	}
	if n, _ := b.app.Store.Count(); n != 39+5 {
		t.Fatalf("an unconfirmed removal removed practices: %d left", n)
	}
	// c stops relaying a's practices: its deletions, unsigned, are not a's and change
	// nothing at b.
	if _, err := c.app.Peers.Remove(ctx, "a", 3); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t, "c"); rep.Refused != 0 || changed(rep) != 0 {
		t.Fatalf("harvesting a relay that dropped a's practices: %+v", rep)
	}
	if n, _ := b.app.Store.Count(); n != 39+5 {
		t.Fatalf("b holds %d after the relay dropped a's practices", n)
	}
	r, err := b.app.Peers.Remove(ctx, "c", 2)
	if err != nil || len(r.Removed) != 2 || !r.Done {
		t.Fatalf("removal %+v %v", r, err)
	}
	if n, _ := b.app.Store.Count(); n != 39+3 {
		t.Fatalf("after removing c, b holds %d, want the study and a's 3", n)
	}
	// a's practices, served by c too, now follow a; removing a removes them.
	if _, err := b.app.Peers.Remove(ctx, "a", 3); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.app.Store.Count(); n != 39 {
		t.Fatalf("after removing both peers, b holds %d", n)
	}
	if res, _ := b.app.Search(ctx, search.Request{Filters: map[string][]string{"network": {"a"}}, Limit: 10}); res.Total != 0 {
		t.Fatalf("a removed peer's practices are still found: %d", res.Total)
	}
}

func TestReviewPolicyQueuesForACoordinator(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, "a", 4, nil)
	b := newNode(t, "b", 0, nil)
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
	a := newNode(t, "a", 23, nil)
	b := newNode(t, "b", 0, nil)
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
	if h := len(b.identities(t)) - 39; h != 0 {
		t.Fatalf("%d practices after the failure: a failed harvest must leave the practices as they were", h)
	}
	st, _ := b.app.Peers.Peer("a")
	if st.LastError == "" || st.Failures != 1 || !st.NextHarvest.After(st.LastHarvest) {
		t.Fatalf("status after failure %+v", st)
	}
	a.fail.Store(nil)
	rep = b.sync(t, "a")
	if rep.Published != 23 || rep.Pages != 13 {
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
	identify := okHeader + `<Identify><repositoryName>Bad</repositoryName><baseURL>x</baseURL><protocolVersion>2.0</protocolVersion>` +
		`<description><node xmlns="https://github.com/uclg-digital-cities/kb/oai/node/1"><namespace>bad.example.org</namespace><publicKey>` + badKey() + `</publicKey></node></description></Identify></OAI-PMH>`
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
	client := &oai.Client{MaxBytes: 256 << 10, MaxPages: 5, Timeout: 300 * time.Millisecond, MaxWaits: -1}
	b := newNode(t, "b", 0, client)
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

// badKey is a well-formed public key of nobody's.
func badKey() string {
	pub, _, _ := ed25519.GenerateKey(nil)
	return base64.StdEncoding.EncodeToString(pub)
}

// A peer that takes as long as it likes delays only itself: the background harvester
// harvests the others meanwhile. The slow peer is held until the fast one is done, so
// the order proves it, not a clock.
func TestASlowPeerDelaysOnlyItself(t *testing.T) {
	fast, slow := newNode(t, "fast", 2, nil), newNode(t, "slow", 2, nil)
	b := newNode(t, "b", 0, nil)
	b.peer(t, fast, federation.PolicyPublish)
	b.peer(t, slow, federation.PolicyPublish)
	release := make(chan struct{})
	hold := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("verb") == "ListRecords" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		return false
	}
	slow.fail.Store(&hold)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.app.Peers.Run(ctx, 10*time.Millisecond); close(done) }()
	waitFor(t, "the fast peer's harvest", func() bool { p, _ := b.app.Peers.Peer("fast"); return !p.LastSuccess.IsZero() })
	if _, running := b.app.Peers.Progress("slow"); !running {
		t.Fatal("the slow peer's harvest is not running while the fast one finished")
	}
	close(release)
	waitFor(t, "the slow peer's harvest", func() bool { p, _ := b.app.Peers.Peer("slow"); return !p.LastSuccess.IsZero() })
	cancel()
	<-done
	if n, _ := b.app.Store.Count(); n != 39+4 {
		t.Fatalf("b holds %d practices", n)
	}
}

// waitFor polls cond for up to a minute: a bound on a test that would otherwise hang,
// not a measure of speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s did not happen within a minute", what)
}

// A peer cannot fill the disk: a harvest stages at most the bound, fails past it with
// nothing applied and nothing charged to the store, and leaves no staged file behind.
func TestStagingIsBounded(t *testing.T) {
	a := newNode(t, "a", 23, nil)
	b := newNodeWith(t, "b", 0, app.Config{HarvestStaging: 20 << 10})
	b.peer(t, a, federation.PolicyPublish)
	seq, count := stateOf(t, b)
	_, err := b.app.Peers.Sync(context.Background(), "a")
	if err == nil || !strings.Contains(err.Error(), "larger than the staging area allows") {
		t.Fatalf("a harvest past the bound: %v", err)
	}
	if s, c := stateOf(t, b); s != seq || c != count {
		t.Fatal("a harvest past the staging bound changed the store")
	}
	entries, _ := os.ReadDir(filepath.Join(b.app.DataDir(), app.StagingDir))
	if len(entries) != 0 {
		t.Fatalf("staged files left behind: %v", entries)
	}
}

// The same case submitted to two networks is flagged when one harvests the other's; a
// coordinator's confirmation becomes a same_as of the practice this node publishes,
// which travels: both nodes then show the case once in search. A dismissed flag is not
// raised again.
func TestDuplicatesAreFlaggedAndLinked(t *testing.T) {
	ctx := context.Background()
	a, b := newNode(t, "a", 0, nil), newNode(t, "b", 0, nil)
	tmpl := a.get(t, "barcelona-3d-printed-ppe")
	add := func(n *node, id, title, city string, year int) {
		p := *tmpl
		p.ID, p.URI, p.Title, p.City, p.Year, p.Version = id, "", title, city, year, 0
		p.Summary = "Practice: " + title + "."
		if _, err := n.app.Import(ctx, []*practices.Practice{&p}, store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	add(a, "repair-cafes", "Neighbourhood repair cafés", "Barcelona", 2021)
	add(b, "cafes-de-reparacion", "Neighbourhood Repair Cafes!", "Barcelona", 2021)
	add(a, "tool-library", "A tool library in every district", "Barcelona", 2021)
	add(b, "tool-lending", "Lending tools to neighbours", "Bilbao", 2020)
	b.peer(t, a, federation.PolicyPublish)
	if rep := b.sync(t, "a"); rep.Duplicates != 1 {
		t.Fatalf("first harvest flagged %d duplicates: %+v", rep.Duplicates, rep)
	}
	flags, err := b.app.Peers.Duplicates(federation.DuplicateOpen)
	if err != nil || len(flags) != 1 || flags[0].ID != "repair-cafes" || flags[0].HeldID != "cafes-de-reparacion" || !slices.Contains(flags[0].Reasons, "the same title") {
		t.Fatalf("flags %+v %v", flags, err)
	}
	search := func(n *node) int {
		res, err := n.app.Search(ctx, search.Request{Query: "repair cafes", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, h := range res.Hits {
			if h.ID == "repair-cafes" || h.ID == "cafes-de-reparacion" {
				found++
			}
		}
		return found
	}
	if got := search(b); got != 2 {
		t.Fatalf("before the confirmation b shows %d of the two", got)
	}
	if _, err := b.app.Peers.DecideDuplicate(ctx, "coord@b", "repair-cafes", "cafes-de-reparacion", true); err != nil {
		t.Fatal(err)
	}
	own := b.get(t, "cafes-de-reparacion")
	if !slices.Contains(own.SameAs, "oai:a.example.org:repair-cafes") || own.Version != 2 {
		t.Fatalf("the confirmation is not a same_as of b's own practice: %+v", own.SameAs)
	}
	if got := search(b); got != 1 {
		t.Fatalf("after the confirmation b shows %d of the two", got)
	}
	if pv := b.app.ProvenanceOf(b.get(t, "repair-cafes")); len(pv.SameCase) != 1 || pv.SameCase[0].ID != "cafes-de-reparacion" {
		t.Fatalf("the page of the case shown does not name the other source: %+v", pv.SameCase)
	}
	// The link travels with b's next version: a shows the case once too, and does not
	// flag what is already linked.
	a.peer(t, b, federation.PolicyPublish)
	if rep := a.sync(t, "b"); rep.Duplicates != 0 {
		t.Fatalf("a flagged linked practices: %+v", rep)
	}
	if got := search(a); got != 1 {
		t.Fatalf("a shows %d of the two linked practices", got)
	}
	if _, err := b.app.Peers.DecideDuplicate(ctx, "coord@b", "repair-cafes", "cafes-de-reparacion", false); apperr.Code(err) != apperr.Conflict {
		t.Fatalf("deciding twice: %v", err)
	}
	// A dismissed flag stays dismissed.
	add(a, "repair-cafes-2", "Neighbourhood repair cafés", "Girona", 2022)
	if rep := b.sync(t, "a"); rep.Duplicates != 1 {
		t.Fatalf("the new look-alike: %+v", rep)
	}
	if _, err := b.app.Peers.DecideDuplicate(ctx, "coord@b", "repair-cafes-2", "cafes-de-reparacion", false); err != nil {
		t.Fatal(err)
	}
	if open, _ := b.app.Peers.Duplicates(federation.DuplicateOpen); len(open) != 0 {
		t.Fatalf("open flags after the decisions: %+v", open)
	}
}

// A harvester of one set gets a practice that leaves the set as a deletion for it, and
// archives it; a JSON Lines import restored as recorded is still harvested, since
// datestamps are when a record changed in the repository.
func TestSetsAndRestoredPracticesReachHarvesters(t *testing.T) {
	ctx := context.Background()
	a, b := newNode(t, "a", 0, nil), newNode(t, "b", 0, nil)
	p := *a.get(t, "barcelona-3d-printed-ppe")
	p.ID, p.URI, p.Title, p.Areas, p.Version = "a-economy-case", "", "A case about the economy", []string{"economy"}, 0
	if _, err := a.app.Import(ctx, []*practices.Practice{&p}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := b.app.Peers.Add(ctx, federation.NewPeer{Name: "a", URL: a.endpoint(), Set: "area:economy"}); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t, "a"); rep.Published != 1 {
		t.Fatalf("first harvest of the set: %+v", rep)
	}
	moved := *a.get(t, "a-economy-case")
	moved.Areas = []string{"mobility"}
	if _, err := a.app.Review.Edit(ctx, "test", moved.ID, moved); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t, "a"); rep.Archived != 1 {
		t.Fatalf("the practice that left the set: %+v", rep)
	}
	if !b.get(t, "a-economy-case").Archived {
		t.Fatal("the practice that left the set is still published at its harvester")
	}
	// b relays it as what it is, a practice b no longer carries, not as a's deletion: a
	// node harvesting b refuses nothing and a's signed version stays valid.
	c := newNode(t, "c", 0, nil)
	c.peer(t, b, federation.PolicyPublish)
	if rep := c.sync(t, "b"); rep.Refused != 0 || rep.Rejected != 0 {
		t.Fatalf("harvesting a relay of a practice that left its set: %+v", rep)
	}
	old := *a.get(t, "barcelona-3d-printed-ppe")
	old.ID, old.URI, old.Title, old.Areas, old.Version = "a-restored-case", "", "A restored case", []string{"economy"}, 4
	old.UpdatedAt = time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := a.app.Import(ctx, []*practices.Practice{&old}, store.KeepVersion); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t, "a"); rep.Published != 1 {
		t.Fatalf("a practice restored as recorded, with an old time stamp, was not harvested: %+v", rep)
	}
	if got := b.byURI(t, "oai:a.example.org:a-restored-case"); got.Origin.Version != 4 {
		t.Fatalf("the restored practice's version at its authority: %d", got.Origin.Version)
	}
	// The API and exports give every practice its identity, this node's own included.
	own, err := a.app.Practice(ctx, "a-restored-case")
	if err != nil || own.URI != "oai:a.example.org:a-restored-case" {
		t.Fatalf("the API's practice: %q %v", own.URI, err)
	}
}

// A busy peer answers 503 with Retry-After, OAI-PMH's flow control: the harvester waits
// as it asks and goes on, and the harvest completes.
func TestABusyPeerIsWaitedFor(t *testing.T) {
	a := newNode(t, "a", 3, nil)
	b := newNode(t, "b", 0, nil)
	b.peer(t, a, federation.PolicyPublish)
	var busy atomic.Int32
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("verb") == "Identify" || busy.Add(1) > 2 {
			return false
		}
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return true
	}
	a.fail.Store(&f)
	if rep := b.sync(t, "a"); rep.Published != 3 {
		t.Fatalf("harvest of a busy peer: %+v", rep)
	}
}

// A peer whose clock runs far ahead answers with a responseDate in the future: the next
// harvest still starts no later than this node's clock, so what the peer changes after
// its clock is put right is harvested.
func TestAPeerClockFromTheFutureFreezesNothing(t *testing.T) {
	ctx := context.Background()
	a, b := newNode(t, "a", 2, nil), newNode(t, "b", 0, nil)
	b.peer(t, a, federation.PolicyPublish)
	future := regexp.MustCompile(`<responseDate>[^<]*</responseDate>`)
	a.rewrite("ListRecords", func(body string) string {
		return future.ReplaceAllString(body, "<responseDate>2099-01-01T00:00:00Z</responseDate>")
	})
	if rep := b.sync(t, "a"); rep.Published != 2 {
		t.Fatalf("first harvest %+v", rep)
	}
	if st, _ := b.app.Peers.Peer("a"); st.From.After(time.Now()) {
		t.Fatalf("the next harvest starts in the future: %v", st.From)
	}
	a.fail.Store(nil)
	p := a.get(t, "a-case-1")
	p.Title = "Edited once the clock was right"
	if _, err := a.app.Review.Edit(ctx, "test", p.ID, *p); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t, "a"); rep.Updated != 1 {
		t.Fatalf("the edit after the clock was put right: %+v", rep)
	}
}

// A harvest that changes more than IndexAsItGoes practices indexes them while it writes
// them, in a fresh index swapped in at the end: the index then holds exactly the store,
// and the next harvest, which changes nothing, leaves it be.
func TestALargeHarvestIsIndexedAsItGoes(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, "a", 12, nil)
	b := newNodeWith(t, "b", 0, app.Config{HarvestIndexAsItGoes: 5})
	nw := &network{nodes: []*node{a, b}, edges: map[*node][]*node{}}
	link(t, nw, b, a)
	rep := b.sync(t, "a")
	if !rep.IndexedAsItWent || rep.Published != 12 {
		t.Fatalf("harvest %+v, want 12 published and indexed as it went", rep)
	}
	nw.converged(t)
	res, err := b.app.Search(ctx, search.Request{Query: `"Network a's case"`, Limit: 50})
	if err != nil || res.Total != 12 {
		t.Fatalf("b finds %v of a's 12 cases (%v)", res, err)
	}
	last, _ := b.app.Store.LastSeq()
	if seq, _ := b.app.Index.Seq(); seq != last {
		t.Errorf("b's index at change %d, its store at %d", seq, last)
	}
	if rep := b.sync(t, "a"); rep.IndexedAsItWent || rep.Published+rep.Updated+rep.Archived+rep.Queued != 0 {
		t.Errorf("second harvest %+v, want nothing changed and no rebuild", rep)
	}
}
