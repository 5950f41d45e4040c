// Package oai speaks OAI-PMH 2.0: the provider that serves this knowledge base's practices
// (its own and those it relays), and the client that harvests a peer's, within bounds.
package oai

import (
	"encoding/xml"
	"time"
)

// Namespaces and schemas of the protocol and of the formats served.
const (
	NamespaceOAI    = "http://www.openarchives.org/OAI/2.0/"
	schemaOAI       = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
	NamespaceDC     = "http://www.openarchives.org/OAI/2.0/oai_dc/"
	schemaDC        = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
	namespacePureDC = "http://purl.org/dc/elements/1.1/"
	// NamespaceKB is the full-fidelity format of this knowledge base; its schema is
	// served next to the endpoint, at /oai/kb.xsd.
	NamespaceKB = "https://github.com/uclg-digital-cities/kb/oai/practice/1"
	// PrefixKB and PrefixDC are the metadataPrefix values of the two formats.
	PrefixKB = "kb"
	PrefixDC = "oai_dc"
)

// Granularity is the finest datestamp this provider gives, and the layout for it.
const (
	Granularity = "YYYY-MM-DDThh:mm:ssZ"
	stampLayout = "2006-01-02T15:04:05Z"
	dayLayout   = "2006-01-02"
)

// FormatStamp writes a datestamp at the provider's granularity.
func FormatStamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// envelope is the OAI-PMH response; exactly one of the verb elements or Errors is set.
type envelope struct {
	XMLName        xml.Name   `xml:"http://www.openarchives.org/OAI/2.0/ OAI-PMH"`
	XSI            string     `xml:"xmlns:xsi,attr"`
	SchemaLocation string     `xml:"xsi:schemaLocation,attr"`
	ResponseDate   string     `xml:"responseDate"`
	Request        request    `xml:"request"`
	Errors         []oaiError `xml:"error,omitempty"`

	Identify            *identify   `xml:"Identify,omitempty"`
	ListMetadataFormats *formatList `xml:"ListMetadataFormats,omitempty"`
	ListSets            *setList    `xml:"ListSets,omitempty"`
	GetRecord           *recordList `xml:"GetRecord,omitempty"`
	ListIdentifiers     *headerList `xml:"ListIdentifiers,omitempty"`
	ListRecords         *recordList `xml:"ListRecords,omitempty"`
}

type request struct {
	Verb            string `xml:"verb,attr,omitempty"`
	Identifier      string `xml:"identifier,attr,omitempty"`
	MetadataPrefix  string `xml:"metadataPrefix,attr,omitempty"`
	From            string `xml:"from,attr,omitempty"`
	Until           string `xml:"until,attr,omitempty"`
	Set             string `xml:"set,attr,omitempty"`
	ResumptionToken string `xml:"resumptionToken,attr,omitempty"`
	URL             string `xml:",chardata"`
}

type oaiError struct {
	Code    string `xml:"code,attr"`
	Message string `xml:",chardata"`
}

type identify struct {
	RepositoryName    string          `xml:"repositoryName"`
	BaseURL           string          `xml:"baseURL"`
	ProtocolVersion   string          `xml:"protocolVersion"`
	AdminEmail        []string        `xml:"adminEmail"`
	EarliestDatestamp string          `xml:"earliestDatestamp"`
	DeletedRecord     string          `xml:"deletedRecord"`
	Granularity       string          `xml:"granularity"`
	Description       []idDescription `xml:"description"`
}

// idDescription is one description of the repository: it holds one element.
type idDescription struct {
	Identifier *oaiIdentifier   `xml:"oai-identifier,omitempty"`
	Node       *nodeDescription `xml:",omitempty"`
}

type oaiIdentifier struct {
	XMLNS                string `xml:"xmlns,attr"`
	XSI                  string `xml:"xmlns:xsi,attr"`
	SchemaLocation       string `xml:"xsi:schemaLocation,attr"`
	Scheme               string `xml:"scheme"`
	RepositoryIdentifier string `xml:"repositoryIdentifier"`
	Delimiter            string `xml:"delimiter"`
	SampleIdentifier     string `xml:"sampleIdentifier"`
}

type formatList struct {
	Formats []metadataFormat `xml:"metadataFormat"`
}

type metadataFormat struct {
	Prefix    string `xml:"metadataPrefix"`
	Schema    string `xml:"schema"`
	Namespace string `xml:"metadataNamespace"`
}

type setList struct {
	Sets []set `xml:"set"`
}

type set struct {
	Spec string `xml:"setSpec"`
	Name string `xml:"setName"`
}

// Header is a record's header, as served and as harvested.
type Header struct {
	Status     string   `xml:"status,attr,omitempty"`
	Identifier string   `xml:"identifier"`
	Datestamp  string   `xml:"datestamp"`
	SetSpecs   []string `xml:"setSpec"`
}

// Deleted reports whether the header announces a deletion.
func (h Header) Deleted() bool { return h.Status == "deleted" }

type record struct {
	Header   Header    `xml:"header"`
	Metadata *metadata `xml:"metadata,omitempty"`
	About    []about   `xml:"about"`
}

type metadata struct {
	DC *dcRecord `xml:",omitempty"`
	KB *Practice `xml:",omitempty"`
}

type recordList struct {
	Records []record         `xml:"record"`
	Token   *resumptionToken `xml:"resumptionToken,omitempty"`
}

type headerList struct {
	Headers []Header         `xml:"header"`
	Token   *resumptionToken `xml:"resumptionToken,omitempty"`
}

type resumptionToken struct {
	ExpirationDate   string `xml:"expirationDate,attr,omitempty"`
	CompleteListSize int    `xml:"completeListSize,attr"`
	Cursor           int    `xml:"cursor,attr"`
	Value            string `xml:",chardata"`
}
