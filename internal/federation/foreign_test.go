package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// repository is a repository that is not kb, answering as DSpace does: an oai-identifier
// description and no kb node, oai_dc among other formats, a list in two pages whose last
// resumption token is empty, and deleted records that persist.
type repository struct {
	srv *httptest.Server
	// dc, when false, leaves oai_dc out of the formats served.
	dc      bool
	mu      sync.Mutex
	records []dcRecord
}

type dcRecord struct {
	id, stamp string
	deleted   bool
	metadata  string
}

const oaiHead = `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-03-01T12:00:00Z</responseDate><request>http://repositorio.example.edu/oai/request</request>`

func newRepository(t *testing.T) *repository {
	r := &repository{dc: true, records: []dcRecord{
		{"oai:repositorio.example.edu:123456789/101", "2026-02-01T10:00:00Z", false, `
			<dc:title>Presupuesto participativo digital en Montevideo</dc:title>
			<dc:creator>Pérez, Ana</dc:creator>
			<dc:subject>Participación ciudadana</dc:subject>
			<dc:subject>Gobierno abierto; Presupuesto</dc:subject>
			<dc:description>La Intendencia abrió el presupuesto participativo a propuestas y votos en línea.</dc:description>
			<dc:description>Participaron 40 000 vecinos; el 30 % votó por primera vez.</dc:description>
			<dc:date>2021-05-04T10:00:00Z</dc:date>
			<dc:date>2019</dc:date>
			<dc:type>Article</dc:type>
			<dc:identifier>http://hdl.handle.net/123456789/101</dc:identifier>
			<dc:language>spa</dc:language>
			<dc:coverage>Montevideo, Uruguay</dc:coverage>`},
		{"oai:repositorio.example.edu:123456789/102", "2026-02-02T10:00:00Z", false, `
			<dc:title>Open data portal for urban mobility</dc:title>
			<dc:subject>Mobility</dc:subject>
			<dc:description>Bus positions and timetables are published as open data every minute.</dc:description>
			<dc:date>2020-02-01</dc:date>
			<dc:identifier>https://repositorio.example.edu/handle/123456789/102</dc:identifier>
			<dc:language>en_US</dc:language>
			<dc:coverage>Uruguay</dc:coverage>`},
		{"oai:repositorio.example.edu:123456789/105", "2026-02-03T10:00:00Z", false, `
			<dc:title>Coopératives énergétiques de quartier</dc:title>
			<dc:description>Des habitants financent des panneaux solaires sur les écoles.</dc:description>
			<dc:language>Français</dc:language>
			<dc:coverage>Lyon, France</dc:coverage>`},
		{"oai:repositorio.example.edu:123456789/103", "2026-02-04T10:00:00Z", false, `
			<dc:title>Neighbourhood energy cooperatives</dc:title>
			<dc:description>` + strings.Repeat("Residents fund solar panels on schools. ", 40) + `</dc:description>
			<dc:identifier>ISBN 978-3-16-148410-0</dc:identifier>
			<dc:language>English</dc:language>`},
		{"oai:repositorio.example.edu:123456789/99", "2026-01-15T10:00:00Z", true, ""},
	}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *repository) endpoint() string { return r.srv.URL + "/oai/request" }

// change replaces a record, as an edit or a withdrawal at the repository does.
func (r *repository) change(rec dcRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.records {
		if r.records[i].id == rec.id {
			r.records[i] = rec
		}
	}
}

func (r *repository) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	q := req.URL.Query()
	switch {
	case q.Get("verb") == "Identify":
		fmt.Fprint(w, oaiHead+`<Identify><repositoryName>Repositorio Digital de Ejemplo</repositoryName><baseURL>`+r.endpoint()+`</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>repositorio@example.edu</adminEmail><earliestDatestamp>2010-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity>`+
			`<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier"><scheme>oai</scheme><repositoryIdentifier>repositorio.example.edu</repositoryIdentifier><delimiter>:</delimiter><sampleIdentifier>oai:repositorio.example.edu:123456789/1</sampleIdentifier></oai-identifier></description>`+
			`<description><toolkit xmlns="http://oai.dlib.vt.edu/OAI/metadata/toolkit"><title>DSpace</title></toolkit></description></Identify></OAI-PMH>`)
	case q.Get("verb") == "ListMetadataFormats":
		fmt.Fprint(w, oaiHead+`<ListMetadataFormats>`)
		formats := []string{"mets", "qdc"}
		if r.dc {
			formats = append(formats, "oai_dc")
		}
		for _, f := range formats {
			fmt.Fprintf(w, `<metadataFormat><metadataPrefix>%s</metadataPrefix><schema>http://example.org/%[1]s.xsd</schema><metadataNamespace>http://example.org/%[1]s/</metadataNamespace></metadataFormat>`, f)
		}
		fmt.Fprint(w, `</ListMetadataFormats></OAI-PMH>`)
	case q.Get("verb") == "ListRecords" && q.Get("resumptionToken") == "" && q.Get("metadataPrefix") == "oai_dc":
		r.page(w, r.records[:3], `<resumptionToken completeListSize="5" cursor="0">oai_dc////3</resumptionToken>`)
	case q.Get("verb") == "ListRecords" && q.Get("resumptionToken") == "oai_dc////3" && q.Get("metadataPrefix") == "":
		r.page(w, r.records[3:], `<resumptionToken completeListSize="5" cursor="3"/>`)
	default:
		fmt.Fprint(w, oaiHead+`<error code="badArgument">not a request this repository answers</error></OAI-PMH>`)
	}
}

func (r *repository) page(w http.ResponseWriter, recs []dcRecord, token string) {
	fmt.Fprint(w, oaiHead+`<ListRecords>`)
	for _, rec := range recs {
		if rec.deleted {
			fmt.Fprintf(w, `<record><header status="deleted"><identifier>%s</identifier><datestamp>%s</datestamp><setSpec>com_123456789_1</setSpec></header></record>`, rec.id, rec.stamp)
			continue
		}
		fmt.Fprintf(w, `<record><header><identifier>%s</identifier><datestamp>%s</datestamp><setSpec>com_123456789_1</setSpec></header><metadata>`+
			`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">%s</oai_dc:dc></metadata></record>`, rec.id, rec.stamp, rec.metadata)
	}
	fmt.Fprint(w, token+`</ListRecords></OAI-PMH>`)
}

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
	repo := newRepository(t)
	b := newNode(t, "b", 0, nil)
	coord := coordinator(t, b)
	peer, err := b.app.Peers.Add(ctx, federation.NewPeer{Name: "repositorio", URL: repo.endpoint(), Format: federation.FormatDC})
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

	mvd := queued(t, b, "oai:repositorio.example.edu:123456789/101")
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
	mobility := queued(t, b, "oai:repositorio.example.edu:123456789/102")
	if mobility.Country != "UY" || mobility.City != "" || !slices.Equal(mobility.Languages, []string{"en"}) || !slices.Equal(mobility.Origin.Missing, []string{"areas", "city"}) {
		t.Errorf("the English draft %+v", mobility)
	}
	energy := queued(t, b, "oai:repositorio.example.edu:123456789/103")
	if !strings.HasPrefix(energy.Source, repo.endpoint()+"?") || !strings.HasSuffix(energy.Summary, "…") || utf8.RuneCountInString(energy.Summary) > practices.MaxSummary ||
		!slices.Equal(energy.Origin.Missing, []string{"areas", "city", "country"}) {
		t.Errorf("the draft without place or URL %+v", energy)
	}
	lyon := queued(t, b, "oai:repositorio.example.edu:123456789/105")
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
	repo.change(dcRecord{"oai:repositorio.example.edu:123456789/101", "2026-02-10T10:00:00Z", false, `
		<dc:title>Presupuesto participativo digital</dc:title>
		<dc:description>La Intendencia abrió el presupuesto participativo a votos en línea.</dc:description>
		<dc:coverage>Uruguay</dc:coverage>`})
	repo.change(dcRecord{"oai:repositorio.example.edu:123456789/103", "2026-02-10T10:00:00Z", true, ""})
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
	repo.change(dcRecord{"oai:repositorio.example.edu:123456789/101", "2026-02-11T10:00:00Z", true, ""})
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
	b.peer(t, a, federation.PolicyPublish)
}

// A repository without kb's node description, added as a kb node, is refused with what
// to do; one that does not serve oai_dc is refused in oai_dc; the format is checked.
func TestARepositoryThatIsNotKbIsAddedWithFormatOaiDC(t *testing.T) {
	ctx := context.Background()
	repo := newRepository(t)
	b := newNode(t, "b", 0, nil)
	_, err := b.app.Peers.Add(ctx, federation.NewPeer{Name: "repositorio", URL: repo.endpoint()})
	if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.As(err).Fields["url"], "--format oai_dc") {
		t.Fatalf("a repository that is not kb added as a kb node: %v", err)
	}
	repo.mu.Lock()
	repo.dc = false
	repo.mu.Unlock()
	_, err = b.app.Peers.Add(ctx, federation.NewPeer{Name: "repositorio", URL: repo.endpoint(), Format: federation.FormatDC})
	if apperr.Code(err) != apperr.Invalid || !strings.Contains(apperr.As(err).Fields["format"], "not oai_dc") {
		t.Fatalf("a repository without oai_dc: %v", err)
	}
	for n, field := range map[federation.NewPeer]string{
		{Name: "x", URL: repo.endpoint(), Format: "marc"}:                                                "format",
		{Name: "x", URL: repo.endpoint(), Format: federation.FormatDC, Policy: federation.PolicyPublish}: "policy",
		{Name: "x", URL: repo.endpoint(), Format: federation.FormatDC, Set: "a set"}:                     "set",
	} {
		if _, err := b.app.Peers.Add(ctx, n); apperr.As(err).Fields[field] == "" {
			t.Errorf("%+v: %v", n, err)
		}
	}
}
