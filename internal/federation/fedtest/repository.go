package fedtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Repository is a repository that is not kb, answering on loopback as DSpace does: an
// oai-identifier description and no kb node, oai_dc among other formats, five records
// listed in two pages whose last resumption token is empty, and a deleted record that
// persists. Its records are in Spanish, English and French; two name a place in
// dc:coverage ("Montevideo, Uruguay" is a city of the geography).
type Repository struct {
	Endpoint string
	srv      *httptest.Server
	mu       sync.Mutex
	noDC     bool
	records  []DCRecord
}

// DCRecord is one record of a Repository; Metadata is the dc: elements of a live one.
type DCRecord struct {
	ID, Stamp string
	Deleted   bool
	Metadata  string
}

// Identifiers of the Repository's records.
const (
	RecordMontevideo = "oai:repositorio.example.edu:123456789/101"
	RecordMobility   = "oai:repositorio.example.edu:123456789/102"
	RecordLyon       = "oai:repositorio.example.edu:123456789/105"
	RecordEnergy     = "oai:repositorio.example.edu:123456789/103"
	RecordDeleted    = "oai:repositorio.example.edu:123456789/99"
)

// StartRepository runs a Repository until the test ends.
func StartRepository(t testing.TB) *Repository {
	r := &Repository{records: []DCRecord{
		{RecordMontevideo, "2026-02-01T10:00:00Z", false, `
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
		{RecordMobility, "2026-02-02T10:00:00Z", false, `
			<dc:title>Open data portal for urban mobility</dc:title>
			<dc:subject>Mobility</dc:subject>
			<dc:description>Bus positions and timetables are published as open data every minute.</dc:description>
			<dc:date>2020-02-01</dc:date>
			<dc:identifier>https://repositorio.example.edu/handle/123456789/102</dc:identifier>
			<dc:language>en_US</dc:language>
			<dc:coverage>Uruguay</dc:coverage>`},
		{RecordLyon, "2026-02-03T10:00:00Z", false, `
			<dc:title>Coopératives énergétiques de quartier</dc:title>
			<dc:description>Des habitants financent des panneaux solaires sur les écoles.</dc:description>
			<dc:language>Français</dc:language>
			<dc:coverage>Lyon, France</dc:coverage>`},
		{RecordEnergy, "2026-02-04T10:00:00Z", false, `
			<dc:title>Neighbourhood energy cooperatives</dc:title>
			<dc:description>` + strings.Repeat("Residents fund solar panels on schools. ", 40) + `</dc:description>
			<dc:identifier>ISBN 978-3-16-148410-0</dc:identifier>
			<dc:language>English</dc:language>`},
		{RecordDeleted, "2026-01-15T10:00:00Z", true, ""},
	}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	r.Endpoint = r.srv.URL + "/oai/request"
	return r
}

// Change replaces a record, as an edit or a withdrawal at the repository does.
func (r *Repository) Change(rec DCRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.records {
		if r.records[i].ID == rec.ID {
			r.records[i] = rec
		}
	}
}

// WithoutDC leaves oai_dc out of the formats the repository lists.
func (r *Repository) WithoutDC() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.noDC = true
}

const oaiHead = `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-03-01T12:00:00Z</responseDate><request>http://repositorio.example.edu/oai/request</request>`

func (r *Repository) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	q := req.URL.Query()
	switch {
	case q.Get("verb") == "Identify":
		fmt.Fprint(w, oaiHead+`<Identify><repositoryName>Repositorio Digital de Ejemplo</repositoryName><baseURL>`+r.Endpoint+`</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>repositorio@example.edu</adminEmail><earliestDatestamp>2010-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity>`+
			`<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier"><scheme>oai</scheme><repositoryIdentifier>repositorio.example.edu</repositoryIdentifier><delimiter>:</delimiter><sampleIdentifier>oai:repositorio.example.edu:123456789/1</sampleIdentifier></oai-identifier></description>`+
			`<description><toolkit xmlns="http://oai.dlib.vt.edu/OAI/metadata/toolkit"><title>DSpace</title></toolkit></description></Identify></OAI-PMH>`)
	case q.Get("verb") == "ListMetadataFormats":
		fmt.Fprint(w, oaiHead+`<ListMetadataFormats>`)
		formats := []string{"mets", "qdc"}
		if !r.noDC {
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

func (r *Repository) page(w http.ResponseWriter, recs []DCRecord, token string) {
	fmt.Fprint(w, oaiHead+`<ListRecords>`)
	for _, rec := range recs {
		if rec.Deleted {
			fmt.Fprintf(w, `<record><header status="deleted"><identifier>%s</identifier><datestamp>%s</datestamp><setSpec>com_123456789_1</setSpec></header></record>`, rec.ID, rec.Stamp)
			continue
		}
		fmt.Fprintf(w, `<record><header><identifier>%s</identifier><datestamp>%s</datestamp><setSpec>com_123456789_1</setSpec></header><metadata>`+
			`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">%s</oai_dc:dc></metadata></record>`, rec.ID, rec.Stamp, rec.Metadata)
	}
	fmt.Fprint(w, token+`</ListRecords></OAI-PMH>`)
}
