package oai_test

import (
	"encoding/xml"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/oai"
)

// The rights statement the node is given goes into every oai_dc record as dc:rights,
// once per language, and the record still validates against simpledc.
func TestDublinCoreCarriesTheRights(t *testing.T) {
	needXmllint(t)
	n := newNode(t)
	p, err := n.app.Provider(oai.Config{RepositoryName: "Test network", BaseURL: "http://kb.example.org", Namespace: "kb.example.org",
		AdminEmail: "kb@example.org", Rights: map[string]string{"es": "Ninguna licencia.", "en": "No licence."}})
	if err != nil {
		t.Fatal(err)
	}
	tr := &tour{t: t, handler: p}
	a := tr.get("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kb.example.org:montevideo-wifi-abc")
	var dc struct {
		Rights []struct {
			Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Value string `xml:",chardata"`
		} `xml:"GetRecord>record>metadata>dc>rights"`
	}
	if err := xml.Unmarshal(a.body, &dc); err != nil {
		t.Fatal(err)
	}
	if len(dc.Rights) != 2 || dc.Rights[0].Lang != "en" || dc.Rights[0].Value != "No licence." || dc.Rights[1].Lang != "es" {
		t.Fatalf("dc:rights %+v", dc.Rights)
	}
	tr.validate()
}
