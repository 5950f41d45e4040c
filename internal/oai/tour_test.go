package oai_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/oai"
)

// responseSchema imports OAI-PMH.xsd with the schemas of everything a response carries
// (oai_dc, oai-identifier, kb.xsd, provenance.xsd), which OAI-PMH.xsd checks strictly.
const responseSchema = "testdata/responses.xsd"

// tour records every answer of a provider, to validate them all in one xmllint run.
type tour struct {
	t       *testing.T
	handler http.Handler
	docs    []document
}

// answer is what the tour reads of a response, besides what provider_test reads.
type answer struct {
	response
	body    []byte
	request []xml.Attr
	sample  string
}

func (tr *tour) do(req *http.Request, name string) answer {
	tr.t.Helper()
	w := httptest.NewRecorder()
	tr.handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") {
		tr.t.Fatalf("%s: status %d, type %q", name, w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.Bytes()
	tr.docs = append(tr.docs, document{name, body})
	a := answer{response: read(tr.t, &http.Response{Body: io.NopCloser(bytes.NewReader(body))}), body: body}
	var extra struct {
		Request struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"request"`
		Sample string `xml:"Identify>description>oai-identifier>sampleIdentifier"`
	}
	if err := xml.Unmarshal(body, &extra); err != nil {
		tr.t.Fatal(err)
	}
	a.request, a.sample = extra.Request.Attrs, extra.Sample
	return a
}

func (tr *tour) get(query string) answer {
	tr.t.Helper()
	req := httptest.NewRequest("GET", "/oai", nil)
	req.URL.RawQuery = query // as sent, however malformed
	return tr.do(req, "GET ?"+query)
}

// walk follows a list through its resumption tokens and returns the identifiers listed.
func (tr *tour) walk(query string) []string {
	tr.t.Helper()
	var ids []string
	a := tr.get(query)
	for {
		if code := errorCode(a.response); code != "" {
			tr.t.Fatalf("%s: %s %v", query, code, a.Error)
		}
		if a.Token.Cursor != len(ids) && (a.Token.Value != "" || len(ids) > 0) {
			tr.t.Fatalf("%s: cursor %d after %d records", query, a.Token.Cursor, len(ids))
		}
		for _, r := range a.Records {
			ids = append(ids, r.Header.Identifier)
		}
		for _, h := range a.Headers {
			ids = append(ids, h.Identifier)
		}
		if a.Token.Value == "" {
			return ids
		}
		a = tr.get("verb=" + a.Request.Verb + "&resumptionToken=" + url.QueryEscape(a.Token.Value))
	}
}

// validate checks every answer of the tour against the OAI-PMH schemas.
func (tr *tour) validate() { tr.t.Helper(); validate(tr.t, responseSchema, tr.docs) }

// A scripted tour of the provider on the embedded corpus: every verb with valid
// arguments, lists through their resumption tokens, and every malformed request we
// thought of. Each answer validates against OAI-PMH 2.0's schemas (its metadata against
// oai_dc.xsd or kb.xsd), and an error's request element echoes only what it may.
func TestTourValidatesAgainstTheOAIPMHSchemas(t *testing.T) {
	needXmllint(t)
	n := newNode(t)
	tr := &tour{t: t, handler: n.handler}
	total, _ := n.app.Store.Count()

	id := tr.get("verb=Identify")
	if code := errorCode(id.response); code != "" {
		t.Fatalf("Identify: %v", id.Error)
	}
	first := tr.get("verb=ListIdentifiers&metadataPrefix=oai_dc").Headers[0].Identifier
	if id.sample != first {
		t.Fatalf("sampleIdentifier %q, want the first record of the datestamp order, %q", id.sample, first)
	}
	if r := tr.get("verb=GetRecord&metadataPrefix=kb&identifier=" + url.QueryEscape(id.sample)); len(r.Records) != 1 {
		t.Fatalf("the sample identifier %s names no record: %v", id.sample, r.Error)
	}
	tr.get("verb=ListMetadataFormats")
	tr.get("verb=ListMetadataFormats&identifier=oai:kb.example.org:bilbao-geobilbao")
	tr.get("verb=ListSets")
	tr.get("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kb.example.org:bilbao-geobilbao")
	for _, q := range []string{"verb=ListIdentifiers&metadataPrefix=kb", "verb=ListRecords&metadataPrefix=kb",
		"verb=ListRecords&metadataPrefix=oai_dc", "verb=ListRecords&metadataPrefix=kb&from=1900-01-01"} {
		if ids := tr.walk(q); len(ids) != total {
			t.Fatalf("%s lists %d records, want %d", q, len(ids), total)
		}
	}
	tr.walk("verb=ListRecords&metadataPrefix=oai_dc&set=area:mobility&from=2020-01-01&until=2999-12-31")
	tr.walk("verb=ListIdentifiers&metadataPrefix=kb&set=region:europe&from=2020-01-01T00:00:00Z&until=2999-12-31T23:59:59Z")
	post := httptest.NewRequest("POST", "/oai", strings.NewReader("verb=ListRecords&metadataPrefix=oai_dc&set=area:mobility"))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := tr.do(post, "POST ListRecords"); len(r.Records) == 0 {
		t.Fatalf("POST ListRecords: %v", r.Error)
	}
	post = httptest.NewRequest("POST", "/oai", strings.NewReader("verb=Identify&x=%ZZ"))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := tr.do(post, "POST a malformed form"); errorCode(r.response) != "badArgument" || len(r.request) > 0 {
		t.Fatalf("POST a malformed form: %v, request %v", r.Error, r.request)
	}
	if r := tr.do(httptest.NewRequest("PUT", "/oai?verb=Identify", nil), "PUT"); errorCode(r.response) != "badVerb" {
		t.Fatalf("PUT: %v", r.Error)
	}

	// A deleted record, alone and in a list.
	const archived = "bilbao-geobilbao"
	if _, err := n.app.Review.Archive(context.Background(), "test", archived, true); err != nil {
		t.Fatal(err)
	}
	if r := tr.get("verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:" + archived); len(r.Records) != 1 || !r.Records[0].Header.Deleted() {
		t.Fatalf("archived practice: %+v", r.Records)
	}
	tr.walk("verb=ListRecords&metadataPrefix=kb")

	expired := tr.get("verb=ListRecords&metadataPrefix=kb").Token.Value
	*n.clock = n.clock.Add(2 * time.Minute)
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"m":"kb","a":"AAAA","c":5,"n":0,"x":99999999999}`))
	beyond := base64.RawURLEncoding.EncodeToString([]byte(`{"m":"kb","a":"/////w==","c":0,"n":1,"x":99999999999}`))
	q := url.QueryEscape
	for _, c := range []struct {
		query, code string
		unechoed    string // an argument that must not be echoed: its value is not of its type
	}{
		{"", "badVerb", ""},
		{"verb=Dance", "badVerb", ""},
		{"verb=", "badVerb", ""},
		{"verb=identify", "badVerb", ""},
		{"verb=Identify&verb=Identify", "badVerb", ""},
		{"verb=Identify&extra=1", "badArgument", ""},
		{"verb=Identify&verb=Identify&extra=1", "badVerb", ""},
		{"verb=Identify&x=%ZZ", "badArgument", ""},
		{"verb=Identify;x=1", "badArgument", ""},
		{"verb=ListRecords", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&metadataPrefix=kb", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&set=", "badArgument", ""},
		{"verb=ListIdentifiers&metadataPrefix=kb&identifier=oai:kb.example.org:bilbao-geobilbao", "badArgument", ""},
		{"verb=ListSets&set=area:mobility", "badArgument", ""},
		{"verb=ListMetadataFormats&metadataPrefix=kb", "badArgument", ""},
		{"verb=GetRecord&identifier=oai:kb.example.org:bilbao-geobilbao", "badArgument", ""},
		{"verb=GetRecord&metadataPrefix=kb", "badArgument", ""},
		{"verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:bilbao-geobilbao&set=area:mobility", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=yesterday", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2026-01-02T03:04:05.5Z", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&until=2026-01-02T03:04:05.000Z", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=" + q("2026-01-02T03:04:05+01:00"), "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2026-01-02T03:04:05", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2026-01-02T03:04Z", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2026-1-2", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2026-02-30", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&until=0000-01-01", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2021-01-01&until=2021-01-01T00:00:00Z", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2022-01-01&until=2021-01-01", "badArgument", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2022-01-01T00:00:01Z&until=2022-01-01T00:00:00Z", "badArgument", ""},
		{"verb=ListRecords&resumptionToken=x&metadataPrefix=kb", "badArgument", ""},
		{"verb=ListRecords&resumptionToken=", "badArgument", ""},
		{"verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken", ""},
		{"verb=ListRecords&resumptionToken=" + q(forged), "badResumptionToken", ""},
		{"verb=ListRecords&resumptionToken=" + q(expired), "badResumptionToken", ""},
		{"verb=ListIdentifiers&resumptionToken=" + q("<&>\"\U0001F600"), "badResumptionToken", ""},
		{"verb=ListIdentifiers&resumptionToken=" + q("\x01\xff"), "badResumptionToken", "resumptionToken"},
		{"verb=ListSets&resumptionToken=abc", "badResumptionToken", ""},
		{"verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat", ""},
		{"verb=ListRecords&metadataPrefix=" + q("marc 21"), "cannotDisseminateFormat", "metadataPrefix"},
		{"verb=ListIdentifiers&metadataPrefix=" + q("<kb>"), "cannotDisseminateFormat", "metadataPrefix"},
		{"verb=GetRecord&metadataPrefix=" + q("kb:1") + "&identifier=oai:kb.example.org:bilbao-geobilbao", "cannotDisseminateFormat", "metadataPrefix"},
		{"verb=GetRecord&metadataPrefix=marc21&identifier=oai:kb.example.org:bilbao-geobilbao", "cannotDisseminateFormat", ""},
		{"verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:no-such-practice", "idDoesNotExist", ""},
		{"verb=GetRecord&metadataPrefix=kb&identifier=oai:elsewhere.org:bilbao-geobilbao", "idDoesNotExist", ""},
		{"verb=GetRecord&metadataPrefix=kb&identifier=" + q("oai:kb.example.org:Bilbao GeoBilbao"), "idDoesNotExist", ""},
		{"verb=GetRecord&metadataPrefix=kb&identifier=" + q("oai:kb.example.org:%zz"), "idDoesNotExist", "identifier"},
		{"verb=GetRecord&metadataPrefix=kb&identifier=" + q("a#b#c"), "idDoesNotExist", "identifier"},
		{"verb=GetRecord&metadataPrefix=kb&identifier=" + q(":bilbao-geobilbao"), "idDoesNotExist", "identifier"},
		{"verb=GetRecord&metadataPrefix=kb&identifier=" + q("1oai:kb.example.org:x"), "idDoesNotExist", "identifier"},
		{"verb=GetRecord&metadataPrefix=kb&identifier=" + q("http://kb.example.org:port/x"), "idDoesNotExist", "identifier"},
		{"verb=GetRecord&metadataPrefix=kb&identifier=" + q("oai:kb.example.org:[x]"), "idDoesNotExist", "identifier"},
		{"verb=ListMetadataFormats&identifier=nonsense", "idDoesNotExist", ""},
		{"verb=ListMetadataFormats&identifier=" + q("%"), "idDoesNotExist", "identifier"},
		{"verb=ListRecords&resumptionToken=" + q(beyond), "noRecordsMatch", ""},
		{"verb=ListRecords&metadataPrefix=kb&until=1999-01-01", "noRecordsMatch", ""},
		{"verb=ListRecords&metadataPrefix=kb&until=1969-12-31T23:59:59Z", "noRecordsMatch", ""},
		{"verb=ListRecords&metadataPrefix=kb&from=2999-01-01", "noRecordsMatch", ""},
		{"verb=ListRecords&metadataPrefix=kb&set=area:astrology", "noRecordsMatch", ""},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=area:", "noRecordsMatch", "set"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=" + q("area:mobility transport"), "noRecordsMatch", "set"},
		{"verb=ListRecords&metadataPrefix=kb&set=" + q("área:movilidad"), "noRecordsMatch", "set"},
		{"verb=ListRecords&metadataPrefix=kb&set=:mobility", "noRecordsMatch", "set"},
	} {
		a := tr.get(c.query)
		if got := errorCode(a.response); got != c.code {
			t.Errorf("%q: error %q, want %q (%v)", c.query, got, c.code, a.Error)
			continue
		}
		if a.Request.URL != "http://kb.example.org/oai" {
			t.Errorf("%q: request URL %q", c.query, a.Request.URL)
		}
		if c.code == "badVerb" || c.code == "badArgument" {
			if len(a.request) > 0 {
				t.Errorf("%q: the request element of a %s carries %v", c.query, c.code, a.request)
			}
			continue
		}
		sent, _ := url.ParseQuery(c.query)
		for _, attr := range a.request {
			if attr.Name.Local == c.unechoed || sent.Get(attr.Name.Local) != attr.Value {
				t.Errorf("%q: the request element echoes %s=%q", c.query, attr.Name.Local, attr.Value)
			}
		}
		if c.unechoed == "" && len(a.request) != len(sent) {
			t.Errorf("%q: the request element echoes %v, not every argument", c.query, a.request)
		}
	}
	tr.validate()
}

// A list whose remaining records all changed past its until ends in noRecordsMatch, not
// in an empty list, which the schema does not allow.
func TestTourListWhoseRestChangedAway(t *testing.T) {
	needXmllint(t)
	n := newNode(t)
	tr := &tour{t: t, handler: n.handler}
	all := tr.get("verb=ListIdentifiers&metadataPrefix=kb")
	latest := all.Headers[0].Datestamp
	for a := all; ; a = tr.get("verb=ListIdentifiers&resumptionToken=" + url.QueryEscape(a.Token.Value)) {
		for _, h := range a.Headers {
			latest = max(latest, h.Datestamp)
		}
		if a.Token.Value == "" {
			break
		}
	}
	// Walk to the token of the list's last page.
	a := tr.get("verb=ListIdentifiers&metadataPrefix=kb&until=" + latest)
	var next string
	var last answer
	for {
		next = "verb=ListIdentifiers&resumptionToken=" + url.QueryEscape(a.Token.Value)
		if last = tr.get(next); last.Token.Value == "" {
			break
		}
		a = last
	}
	// Its records change after until, and leave the list.
	at, _ := time.Parse(time.RFC3339, latest)
	time.Sleep(time.Until(at.Add(time.Second)))
	for _, h := range last.Headers {
		if _, err := n.app.Review.Archive(context.Background(), "test", strings.TrimPrefix(h.Identifier, "oai:kb.example.org:"), true); err != nil {
			t.Fatal(err)
		}
	}
	if r := tr.get(next); errorCode(r.response) != "noRecordsMatch" {
		t.Fatalf("the rest of the list changed away: %+v %v", r.Headers, r.Error)
	}
	tr.validate()
}

// An empty repository answers Identify with a sample identifier of the form its records
// will have, and its lists with noRecordsMatch, all valid.
func TestTourOfAnEmptyRepository(t *testing.T) {
	needXmllint(t)
	a, err := app.Open(context.Background(), app.Config{DataDir: t.TempDir(), NoSeed: true, BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	p, err := a.Provider(oai.Config{RepositoryName: "Empty network", BaseURL: "http://kb.example.org", Namespace: "kb.example.org", AdminEmail: "kb@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	tr := &tour{t: t, handler: p}
	if id := tr.get("verb=Identify"); !strings.HasPrefix(id.sample, "oai:kb.example.org:") {
		t.Fatalf("sampleIdentifier %q", id.sample)
	}
	for _, q := range []string{"verb=ListIdentifiers&metadataPrefix=oai_dc", "verb=ListRecords&metadataPrefix=kb"} {
		if r := tr.get(q); errorCode(r.response) != "noRecordsMatch" {
			t.Fatalf("%s: %v", q, r.Error)
		}
	}
	tr.get("verb=ListSets")
	tr.validate()
}
