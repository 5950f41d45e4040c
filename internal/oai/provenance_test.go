package oai_test

import (
	"encoding/xml"
	"reflect"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/oai"
)

// A record relayed twice carries a provenance of two hops that validates against
// provenance.xsd and reads back as it was written.
func TestProvenanceOfTwoHops(t *testing.T) {
	want := oai.Provenance{Origin: oai.OriginDescription{
		HarvestDate: "2026-03-02T10:00:00Z", Altered: false,
		BaseURL: "https://kb.metropolis.example/oai", Identifier: "oai:kb.metropolis.example:bilbao-geobilbao",
		Datestamp: "2026-03-01T08:30:00Z", MetadataNamespace: oai.NamespaceKB,
		Previous: &oai.OriginDescription{
			HarvestDate: "2026-03-01T09:00:00Z", Altered: true,
			BaseURL: "https://kb.bilbao.example/oai", Identifier: "oai:kb.bilbao.example:geobilbao",
			Datestamp: "2026-02-27", MetadataNamespace: oai.NamespaceDC,
		},
	}}
	body, err := xml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "provenance.xsd", []document{{"a provenance of two hops", body}})
	var got oai.Provenance
	if err := xml.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	got.XMLName = xml.Name{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v\nfrom %s\nwant %+v", got, body, want)
	}
}
