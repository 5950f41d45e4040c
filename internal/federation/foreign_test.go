package federation_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// queued returns the draft queued from the record with that OAI identifier.
func queued(t *testing.T, n *node, identifier string) practices.Practice {
	t.Helper()
	q, err := n.app.Peers.Queued()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range q {
		if p.Origin.Identifier == identifier {
			return p
		}
	}
	t.Fatalf("nothing queued from %s", identifier)
	return practices.Practice{}
}

// coordinator returns the headers of a coordinator's API requests to a node.
func coordinator(t *testing.T, n *node) map[string]string {
	t.Helper()
	if _, err := n.app.Auth.AddUser("coord@example.org", auth.RoleCoordinator, "a long enough password", "test"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := n.app.Auth.CreateToken("coord@example.org", "tests", "test")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
}

func (n *node) call(t *testing.T, method, target, body string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	n.engine.ServeHTTP(w, req)
	return w
}

// A repository that is not kb gives drafts: each waits, marked with what it lacks, until
// a coordinator completes and accepts it; nothing is published before.
func TestARepositoryThatIsNotKbGivesDraftsForACoordinator(t *testing.T) {
	ctx := context.Background()
	repo := fedtest.StartRepository(t)
	b := newNode(t, "b", 0, nil)
	coord := coordinator(t, b)
	peer, err := b.app.Peers.Add(ctx, federation.NewPeer{Name: "repositorio", URL: repo.Endpoint, Format: federation.FormatDC})
	if err != nil {
		t.Fatal(err)
	}
	if peer.Format != federation.FormatDC || peer.Namespace != "repositorio.example.edu" || peer.PublicKey != "" || peer.Policy != federation.PolicyReview {
		t.Fatalf("peer %+v", peer)
	}
	before, _ := b.app.Store.Count()
	rep := b.sync(t, "repositorio")
	if rep.Pages != 2 || rep.Received != 5 || rep.Queued != 4 || rep.Unchanged != 1 || rep.Published+rep.Updated+rep.Rejected+rep.Refused != 0 {
		t.Fatalf("first harvest %+v", rep)
	}
	if n, _ := b.app.Store.Count(); n != before {
		t.Fatalf("%d practices published before a coordinator accepted any", n-before)
	}

	mvd := queued(t, b, fedtest.RecordMontevideo)
	if !strings.HasPrefix(mvd.URI, "oai:repositorio.example.edu:123456789-101-") || !practices.ValidID(mvd.ID) {
		t.Errorf("identity %s, id %s", mvd.URI, mvd.ID)
	}
	if mvd.Title != "Presupuesto participativo digital en Montevideo" || mvd.City != "Montevideo" || mvd.Country != "UY" || mvd.Year != 2019 ||
		!slices.Equal(mvd.Languages, []string{"es"}) || !slices.Equal(mvd.Tags, []string{"participacion-ciudadana", "gobierno-abierto", "presupuesto"}) ||
		mvd.Source != "http://hdl.handle.net/123456789/101" || mvd.Summary != "La Intendencia abrió el presupuesto participativo a propuestas y votos en línea." ||
		!strings.Contains(mvd.Body, "40 000 vecinos") || !slices.Equal(mvd.Origin.Coverage, []string{"Montevideo, Uruguay"}) {
		t.Errorf("the Spanish draft %+v", mvd)
	}
	if !slices.Equal(mvd.Origin.Missing, []string{"areas"}) || mvd.Origin.Format != federation.FormatDC {
		t.Errorf("the Spanish draft is marked %+v", mvd.Origin)
	}
	mobility := queued(t, b, fedtest.RecordMobility)
	if mobility.Country != "UY" || mobility.City != "" || !slices.Equal(mobility.Languages, []string{"en"}) || !slices.Equal(mobility.Origin.Missing, []string{"areas", "city"}) {
		t.Errorf("the English draft %+v", mobility)
	}
	energy := queued(t, b, fedtest.RecordEnergy)
	if !strings.HasPrefix(energy.Source, repo.Endpoint+"?") || !strings.HasSuffix(energy.Summary, "…") || utf8.RuneCountInString(energy.Summary) > practices.MaxSummary ||
		!slices.Equal(energy.Origin.Missing, []string{"areas", "city", "country"}) {
		t.Errorf("the draft without place or URL %+v", energy)
	}
	lyon := queued(t, b, fedtest.RecordLyon)
	if lyon.Country != "FR" || !slices.Equal(lyon.Languages, []string{"fr"}) {
		t.Errorf("the French draft %+v", lyon)
	}

	// Accepting a draft without what it lacks is a 400 naming every field.
	w := b.call(t, "POST", "/api/v1/peer-queue/"+energy.ID+"/accept", "", coord)
	fields := map[string]string{}
	if w.Code == 400 {
		var body server.ErrorBody
		json.Unmarshal(w.Body.Bytes(), &body)
		fields = body.Error.Fields
	}
	if fields["city"] == "" || fields["country"] == "" || fields["areas"] == "" || !strings.Contains(w.Body.String(), "--city") {
		t.Fatalf("accepting an incomplete draft: %d %s", w.Code, w.Body.String())
	}
	if w := b.call(t, "POST", "/api/v1/peer-queue/"+mvd.ID+"/accept", `{"area":["mobility"]}`, coord); w.Code != 400 || !strings.Contains(w.Body.String(), `"area"`) {
		t.Fatalf("accepting with a field that is not one: %d %s", w.Code, w.Body.String())
	}
	if _, err := b.app.Peers.Decide(ctx, "coord@example.org", mvd.ID, true); apperr.Code(err) != apperr.Invalid || apperr.As(err).Fields["areas"] == "" {
		t.Fatalf("Decide on an incomplete draft: %v", err)
	}
	if _, ok := b.app.Store.IDOfURI(mvd.URI); ok {
		t.Fatal("a refused acceptance published the draft")
	}

	// Completed, it is published, as this node's.
	w = b.call(t, "POST", "/api/v1/peer-queue/"+mvd.ID+"/accept", `{"areas":["citizen-participation"]}`, coord)
	if w.Code != 200 {
		t.Fatalf("accepting a completed draft: %d %s", w.Code, w.Body.String())
	}
	p := b.byURI(t, mvd.URI)
	if p.City != "Montevideo" || p.Region != "latin-america" || !slices.Equal(p.Areas, []string{"citizen-participation"}) || p.Version != 1 || p.Archived ||
		!p.Adopted() || len(p.Origin.Missing) != 0 || p.AuthorityNamespace(b.namespace(), "") != b.namespace() {
		t.Fatalf("the accepted practice %+v %+v", p, p.Origin)
	}
	// b, its adopter, signs it: a kb node harvesting b takes it under the repository's
	// identity, its namespace pinned to b's key.
	c := newNode(t, "c", 0, nil)
	c.peer(t, b, federation.PolicyPublish)
	if rep := c.sync(t, "b"); rep.Refused != 0 || rep.Published != 1 {
		t.Fatalf("a kb node harvesting an adopted practice %+v", rep)
	}
	if got := c.byURI(t, mvd.URI); got.Origin.Signature == nil || got.Origin.Signature.Signer != b.namespace() {
		t.Fatalf("the adopted practice at a kb node %+v", got.Origin)
	}
	if _, err := b.app.Peers.Accept(ctx, "coord@example.org", mobility.ID, federation.Completion{City: "Salto", Areas: []string{"mobility"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.app.Peers.Decide(ctx, "coord@example.org", lyon.ID, false); err != nil {
		t.Fatal(err)
	}

	// A second harvest changes nothing: accepted, rejected and waiting records alike.
	if rep := b.sync(t, "repositorio"); changed(rep) != 0 || rep.Unchanged != 5 {
		t.Fatalf("second harvest %+v", rep)
	}
	if q, _ := b.app.Peers.Queued(); len(q) != 1 {
		t.Fatalf("queue after the second harvest: %d", len(q))
	}

	// The repository edits one record and withdraws another: the published practice
	// follows in what the repository gives and keeps what the coordinator completed;
	// the queued draft goes.
	repo.Change(fedtest.DCRecord{ID: fedtest.RecordMontevideo, Stamp: "2026-02-10T10:00:00Z", Metadata: `
		<dc:title>Presupuesto participativo digital</dc:title>
		<dc:description>La Intendencia abrió el presupuesto participativo a votos en línea.</dc:description>
		<dc:coverage>Uruguay</dc:coverage>`})
	repo.Change(fedtest.DCRecord{ID: fedtest.RecordEnergy, Stamp: "2026-02-10T10:00:00Z", Deleted: true})
	if rep := b.sync(t, "repositorio"); rep.Updated != 1 || rep.Queued+rep.Published+rep.Archived+rep.Rejected != 0 {
		t.Fatalf("harvest after the changes %+v", rep)
	}
	p = b.byURI(t, mvd.URI)
	if p.Title != "Presupuesto participativo digital" || p.City != "Montevideo" || !slices.Equal(p.Areas, []string{"citizen-participation"}) ||
		!slices.Equal(p.Languages, []string{"es"}) || p.Year != 2019 || p.Version != 2 || !slices.Equal(p.Origin.Coverage, []string{"Uruguay"}) {
		t.Fatalf("the updated practice %+v", p)
	}
	if q, _ := b.app.Peers.Queued(); len(q) != 0 {
		t.Fatalf("the withdrawn draft is still queued: %+v", q)
	}

	// Withdrawn once published, it is archived.
	repo.Change(fedtest.DCRecord{ID: fedtest.RecordMontevideo, Stamp: "2026-02-11T10:00:00Z", Deleted: true})
	if rep := b.sync(t, "repositorio"); rep.Archived != 1 {
		t.Fatalf("harvest after a withdrawal %+v", rep)
	}
	if p := b.byURI(t, mvd.URI); !p.Archived {
		t.Fatal("the withdrawn practice is not archived")
	}
}

// A kb node serves oai_dc too: added as any repository, its own practices become drafts,
// the study's cases it seeds are recognised, and no key is pinned for it.
func TestAKbNodeAddedInOaiDC(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, "a", 3, nil)
	b := newNode(t, "b", 0, nil)
	if _, err := b.app.Peers.Add(ctx, federation.NewPeer{Name: "a-dc", URL: a.endpoint(), Format: federation.FormatDC}); err != nil {
		t.Fatal(err)
	}
	rep := b.sync(t, "a-dc")
	if rep.Queued != 3 || rep.Study != 39 || rep.Published+rep.Rejected+rep.Refused != 0 {
		t.Fatalf("harvest of a kb node in oai_dc %+v", rep)
	}
	own := a.get(t, a.own[0])
	d := queued(t, b, "oai:a.example.org:"+own.ID)
	if d.URI != "oai:a.example.org:"+own.ID || d.Title != own.Title || d.City == "" || d.Country != own.Country || !slices.Equal(d.Origin.Missing, []string{"areas"}) {
		t.Fatalf("draft %+v of %+v", d, own)
	}
	if _, err := b.app.Peers.Accept(ctx, "coord@example.org", d.ID, federation.Completion{Areas: own.Areas}); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t, "a-dc"); changed(rep) != 0 {
		t.Fatalf("second harvest %+v", rep)
	}
	// Nothing was pinned for its namespace: it can still be added as the kb node it is.
	// Its signed versions then take over the adopted practice and the drafts, and its
	// oai_dc records are refused from then on.
	b.peer(t, a, federation.PolicyPublish)
	if rep := b.sync(t, "a"); rep.Updated != 1 || rep.Queued != 2 || rep.Refused != 0 {
		t.Fatalf("harvest of the same node in the kb format %+v", rep)
	}
	if p := b.byURI(t, d.URI); p.Adopted() || p.Origin.Signature == nil || p.Origin.Signature.Signer != a.namespace() {
		t.Fatalf("the practice after its authority's version %+v", p.Origin)
	}
	if rep := b.sync(t, "a-dc"); rep.Refused != 3 || changed(rep) != 0 {
		t.Fatalf("harvest in oai_dc of a node pinned in the kb format %+v", rep)
	}
}

// A repository without kb's node description, added as a kb node, is refused with what
// to do; one that does not serve oai_dc is refused in oai_dc; the format is checked.
func TestARepositoryThatIsNotKbIsAddedWithFormatOaiDC(t *testing.T) {
	ctx := context.Background()
	repo := fedtest.StartRepository(t)
	b := newNode(t, "b", 0, nil)
	_, err := b.app.Peers.Add(ctx, federation.NewPeer{Name: "repositorio", URL: repo.Endpoint})
	if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.As(err).Fields["url"], "--format oai_dc") {
		t.Fatalf("a repository that is not kb added as a kb node: %v", err)
	}
	repo.WithoutDC()
	_, err = b.app.Peers.Add(ctx, federation.NewPeer{Name: "repositorio", URL: repo.Endpoint, Format: federation.FormatDC})
	if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.As(err).Fields["format"], "not oai_dc") {
		t.Fatalf("a repository without oai_dc: %v", err)
	}
	for n, field := range map[federation.NewPeer]string{
		{Name: "x", URL: repo.Endpoint, Format: "marc"}:                                                "format",
		{Name: "x", URL: repo.Endpoint, Format: federation.FormatDC, Policy: federation.PolicyPublish}: "policy",
		{Name: "x", URL: repo.Endpoint, Format: federation.FormatDC, Set: "a set"}:                     "set",
	} {
		if _, err := b.app.Peers.Add(ctx, n); apperr.As(err).Fields[field] == "" {
			t.Errorf("%+v: %v", n, err)
		}
	}
}
