package oai_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/oai"
)

type token struct {
	Value   string `xml:",chardata"`
	Size    int    `xml:"completeListSize,attr"`
	Cursor  int    `xml:"cursor,attr"`
	Expires string `xml:"expirationDate,attr"`
}

type testRecord struct {
	Header   oai.Header `xml:"header"`
	Metadata struct {
		DC struct {
			Title    []string `xml:"http://purl.org/dc/elements/1.1/ title"`
			Coverage []string `xml:"http://purl.org/dc/elements/1.1/ coverage"`
		} `xml:"http://www.openarchives.org/OAI/2.0/oai_dc/ dc"`
		KB *oai.Practice `xml:"https://github.com/uclg-digital-cities/kb/oai/practice/1 practice"`
	} `xml:"metadata"`
}

// response is what the tests read of an answer; Records and Token are those of whichever
// verb answered.
type response struct {
	XMLName      xml.Name `xml:"http://www.openarchives.org/OAI/2.0/ OAI-PMH"`
	ResponseDate string   `xml:"responseDate"`
	Request      struct {
		Verb string `xml:"verb,attr"`
		URL  string `xml:",chardata"`
	} `xml:"request"`
	Error []struct {
		Code string `xml:"code,attr"`
		Text string `xml:",chardata"`
	} `xml:"error"`
	Identify struct {
		RepositoryName    string   `xml:"repositoryName"`
		BaseURL           string   `xml:"baseURL"`
		ProtocolVersion   string   `xml:"protocolVersion"`
		EarliestDatestamp string   `xml:"earliestDatestamp"`
		DeletedRecord     string   `xml:"deletedRecord"`
		Granularity       string   `xml:"granularity"`
		AdminEmail        []string `xml:"adminEmail"`
	} `xml:"Identify"`
	Formats     []string `xml:"ListMetadataFormats>metadataFormat>metadataPrefix"`
	Sets        []string `xml:"ListSets>set>setSpec"`
	ListRecords struct {
		Records []testRecord `xml:"record"`
		Token   token        `xml:"resumptionToken"`
	} `xml:"ListRecords"`
	GetRecord struct {
		Records []testRecord `xml:"record"`
	} `xml:"GetRecord"`
	ListIdentifiers struct {
		Headers []oai.Header `xml:"header"`
		Token   token        `xml:"resumptionToken"`
	} `xml:"ListIdentifiers"`
	Records []testRecord
	Headers []oai.Header
	Token   token
}

type node struct {
	app     *app.App
	handler http.Handler
	srv     *httptest.Server
	clock   *time.Time
}

func newNode(t testing.TB) *node {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	n := &node{app: a}
	now := time.Now()
	n.clock = &now
	p, err := a.Provider(oai.Config{RepositoryName: "Test network", BaseURL: "http://kb.example.org", Namespace: "kb.example.org",
		AdminEmail: "kb@example.org", PageSize: 10, TokenTTL: time.Minute, Now: func() time.Time { return *n.clock }})
	if err != nil {
		t.Fatal(err)
	}
	n.handler = p
	n.srv = httptest.NewServer(p)
	t.Cleanup(n.srv.Close)
	return n
}

func (n *node) get(t *testing.T, query string) response {
	t.Helper()
	resp, err := http.Get(n.srv.URL + "?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("%s: status %d, type %q", query, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) response {
	t.Helper()
	var r response
	if err := xml.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	r.Records = append(append(r.Records, r.ListRecords.Records...), r.GetRecord.Records...)
	r.Headers = r.ListIdentifiers.Headers
	r.Token = r.ListRecords.Token
	if r.Token.Value == "" && r.Token.Size == 0 {
		r.Token = r.ListIdentifiers.Token
	}
	return r
}

func errorCode(r response) string {
	if len(r.Error) == 0 {
		return ""
	}
	return r.Error[0].Code
}

func TestIdentifyFormatsSets(t *testing.T) {
	n := newNode(t)
	r := n.get(t, "verb=Identify")
	id := r.Identify
	if id.RepositoryName != "Test network" || id.BaseURL != "http://kb.example.org/oai" || id.ProtocolVersion != "2.0" ||
		id.DeletedRecord != "persistent" || id.Granularity != "YYYY-MM-DDThh:mm:ssZ" || len(id.AdminEmail) != 1 {
		t.Fatalf("Identify = %+v", id)
	}
	if _, err := time.Parse("2006-01-02T15:04:05Z", id.EarliestDatestamp); err != nil {
		t.Fatalf("earliest datestamp %q: %v", id.EarliestDatestamp, err)
	}
	if r := n.get(t, "verb=ListMetadataFormats"); strings.Join(r.Formats, ",") != "oai_dc,kb" {
		t.Fatalf("formats %v", r.Formats)
	}
	if r := n.get(t, "verb=ListMetadataFormats&identifier=oai:kb.example.org:barcelona-3d-printed-ppe"); len(r.Formats) != 2 {
		t.Fatalf("formats of one record %v %v", r.Formats, r.Error)
	}
	r = n.get(t, "verb=ListSets")
	if !slices.Contains(r.Sets, "area:mobility") || !slices.Contains(r.Sets, "region:europe") {
		t.Fatalf("sets %v", r.Sets)
	}
}

func TestErrorsAnsweredAsTheProtocolSays(t *testing.T) {
	n := newNode(t)
	expired := n.get(t, "verb=ListIdentifiers&metadataPrefix=oai_dc").Token.Value
	*n.clock = n.clock.Add(2 * time.Minute)
	for _, c := range []struct{ query, code string }{
		{"", "badVerb"},
		{"verb=Dance", "badVerb"},
		{"verb=Identify&verb=Identify", "badVerb"},
		{"verb=Identify&extra=1", "badArgument"},
		{"verb=ListRecords", "badArgument"},
		{"verb=ListRecords&metadataPrefix=kb&metadataPrefix=kb", "badArgument"},
		{"verb=ListRecords&metadataPrefix=kb&from=yesterday", "badArgument"},
		{"verb=ListRecords&metadataPrefix=kb&from=2021-01-01&until=2021-01-01T00:00:00Z", "badArgument"},
		{"verb=ListRecords&metadataPrefix=kb&from=2022-01-01&until=2021-01-01", "badArgument"},
		{"verb=ListRecords&resumptionToken=x&metadataPrefix=kb", "badArgument"},
		{"verb=GetRecord&identifier=oai:kb.example.org:barcelona-3d-printed-ppe", "badArgument"},
		{"verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"},
		{"verb=ListIdentifiers&resumptionToken=" + url.QueryEscape(expired), "badResumptionToken"},
		{"verb=ListSets&resumptionToken=abc", "badResumptionToken"},
		{"verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"},
		{"verb=GetRecord&metadataPrefix=marc21&identifier=oai:kb.example.org:barcelona-3d-printed-ppe", "cannotDisseminateFormat"},
		{"verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:no-such-practice", "idDoesNotExist"},
		{"verb=GetRecord&metadataPrefix=kb&identifier=oai:elsewhere.org:barcelona-3d-printed-ppe", "idDoesNotExist"},
		{"verb=ListMetadataFormats&identifier=nonsense", "idDoesNotExist"},
		{"verb=ListRecords&metadataPrefix=kb&until=1999-01-01", "noRecordsMatch"},
		{"verb=ListRecords&metadataPrefix=kb&set=area:astrology", "noRecordsMatch"},
	} {
		t.Run(c.query, func(t *testing.T) {
			r := n.get(t, c.query)
			if got := errorCode(r); got != c.code {
				t.Fatalf("error %q, want %q (%v)", got, c.code, r.Error)
			}
			if c.code == "badVerb" || c.code == "badArgument" {
				if r.Request.Verb != "" {
					t.Fatalf("the request element of a %s carries attributes", c.code)
				}
			}
			if r.Request.URL != "http://kb.example.org/oai" {
				t.Fatalf("request URL %q", r.Request.URL)
			}
		})
	}
}

func TestListRecordsPagesThroughEveryRecordOnce(t *testing.T) {
	n := newNode(t)
	total, _ := n.app.Store.Count()
	seen := map[string]bool{}
	r := n.get(t, "verb=ListRecords&metadataPrefix=kb")
	pages := 1
	for {
		for _, rec := range r.Records {
			if seen[rec.Header.Identifier] {
				t.Fatalf("%s listed twice", rec.Header.Identifier)
			}
			seen[rec.Header.Identifier] = true
			kb := rec.Metadata.KB
			if kb == nil || kb.Title == "" || len(kb.Areas) == 0 || kb.Body == "" || kb.City.Name == "" || "oai:kb.example.org:"+kb.ID != rec.Header.Identifier {
				t.Fatalf("record %s lacks fields: %+v", rec.Header.Identifier, kb)
			}
			if !slices.Contains(rec.Header.SetSpecs, "area:"+kb.Areas[0]) {
				t.Fatalf("record %s sets %v", kb.ID, rec.Header.SetSpecs)
			}
		}
		if r.Token.Size != total {
			t.Fatalf("completeListSize %d, want %d", r.Token.Size, total)
		}
		if r.Token.Value == "" {
			break
		}
		if r.Token.Expires == "" {
			t.Fatal("a resumption token without expiry")
		}
		r = n.get(t, "verb=ListRecords&resumptionToken="+url.QueryEscape(r.Token.Value))
		pages++
	}
	if len(seen) != total || pages != (total+9)/10 {
		t.Fatalf("%d records in %d pages, want %d", len(seen), pages, total)
	}
	// Concepts and city facts travel in the kb format.
	rec := n.get(t, "verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:barcelona-3d-printed-ppe").Records[0].Metadata.KB
	if len(rec.Concepts) == 0 || rec.City.CountryName != "Spain" || rec.City.PopulationBand == "" {
		t.Fatalf("kb record lacks concepts or city facts: %+v", rec)
	}
	dc := n.get(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kb.example.org:barcelona-3d-printed-ppe").Records[0].Metadata.DC
	if len(dc.Title) != 4 || dc.Title[0] != "Manufacture of personal protective equipment (PPE) by 3D printing" || !slices.Contains(dc.Coverage, "Barcelona") { // one per language, the original first
		t.Fatalf("oai_dc record %+v", dc)
	}
}

func TestSetsDatestampsAndDeletions(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	const id = "barcelona-3d-printed-ppe"
	before := n.get(t, "verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:"+id).Records[0].Header
	if _, err := n.app.Review.Archive(ctx, "test", id, true); err != nil {
		t.Fatal(err)
	}
	after := n.get(t, "verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:"+id).Records[0]
	if !after.Header.Deleted() || after.Metadata.KB != nil {
		t.Fatalf("an archived practice is not a deleted record: %+v", after)
	}
	if after.Header.Datestamp <= before.Datestamp {
		t.Fatalf("datestamp %s did not move on from %s", after.Header.Datestamp, before.Datestamp)
	}
	// Selective harvesting from the change finds it, and only what changed since.
	r := n.get(t, "verb=ListIdentifiers&metadataPrefix=oai_dc&from="+after.Header.Datestamp)
	if !containsHeader(r.Headers, id) {
		t.Fatalf("from %s misses the change: %+v", after.Header.Datestamp, r.Headers)
	}
	for _, h := range r.Headers {
		if h.Datestamp < after.Header.Datestamp || (strings.HasSuffix(h.Identifier, ":"+id) && !h.Deleted()) {
			t.Fatalf("from %s lists %+v", after.Header.Datestamp, h)
		}
	}
	if r := n.get(t, "verb=ListIdentifiers&metadataPrefix=kb&until="+before.Datestamp); len(r.Headers) == 0 || containsHeader(r.Headers, id) {
		t.Fatalf("until %s lists %d headers, with the changed one: %v", before.Datestamp, len(r.Headers), containsHeader(r.Headers, id))
	}
	// The deletion persists when the practice is removed outright, and is in its sets.
	if err := n.app.Store.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	r = n.get(t, "verb=ListIdentifiers&metadataPrefix=kb&set=region:europe&from="+after.Header.Datestamp)
	if !containsHeader(r.Headers, id) {
		t.Fatal("a removed practice left its set")
	}
	for _, h := range r.Headers {
		if !slices.Contains(h.SetSpecs, "region:europe") {
			t.Fatalf("%s is not in region:europe: %v", h.Identifier, h.SetSpecs)
		}
	}
	if g := n.get(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kb.example.org:"+id); len(g.Records) != 1 || !g.Records[0].Header.Deleted() {
		t.Fatalf("removed practice: %+v %v", g.Records, g.Error)
	}
}

func containsHeader(hs []oai.Header, id string) bool {
	for _, h := range hs {
		if strings.HasSuffix(h.Identifier, ":"+id) {
			return true
		}
	}
	return false
}

func TestPostAnswersLikeGet(t *testing.T) {
	n := newNode(t)
	resp, err := http.PostForm(n.srv.URL, url.Values{"verb": {"ListIdentifiers"}, "metadataPrefix": {"oai_dc"}, "set": {"area:mobility"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := read(t, resp)
	if len(r.Headers) == 0 || r.Request.Verb != "ListIdentifiers" {
		t.Fatalf("POST: %+v", r)
	}
}
