package oai

import "encoding/xml"

// NamespaceProvenance is the namespace of the OAI provenance container; its schema, which
// kb wrote from the provenance guidelines, is provenance.xsd.
const NamespaceProvenance = "http://www.openarchives.org/OAI/2.0/provenance"

// Provenance is the OAI provenance container, for the about part of a record relayed from
// another repository: it describes the last hop, which holds the one before.
type Provenance struct {
	XMLName xml.Name          `xml:"http://www.openarchives.org/OAI/2.0/provenance provenance"`
	Origin  OriginDescription `xml:"originDescription"`
}

// OriginDescription is one hop of a record: the repository it was harvested from, when,
// and what it was there. Dates are strings as on the wire: a datestamp keeps the
// granularity of the repository that gave it.
type OriginDescription struct {
	// HarvestDate is when the record was harvested (FormatStamp); Altered whether its
	// metadata changed since.
	HarvestDate       string `xml:"harvestDate,attr"`
	Altered           bool   `xml:"altered,attr"`
	BaseURL           string `xml:"baseURL"`
	Identifier        string `xml:"identifier"`
	Datestamp         string `xml:"datestamp"`
	MetadataNamespace string `xml:"metadataNamespace"`
	// Previous is where that repository had the record from, when it was not the origin.
	Previous *OriginDescription `xml:"originDescription,omitempty"`
}
