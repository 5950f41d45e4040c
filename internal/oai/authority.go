package oai

import (
	"encoding/xml"

	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/signing"
)

// Namespaces of what kb puts in a record's <about> and in Identify's <description>.
const (
	// NamespaceAuthority is the signed statement of the version a record carries.
	NamespaceAuthority = "https://github.com/uclg-digital-cities/kb/oai/authority/1"
	// NamespaceNode describes a kb node in Identify: its namespace and public key.
	NamespaceNode = "https://github.com/uclg-digital-cities/kb/oai/node/1"
)

// Authority is a record's statement of its identity and version, signed by the
// practice's authority; a relay passes it on unchanged.
type Authority struct {
	XMLName    xml.Name        `xml:"https://github.com/uclg-digital-cities/kb/oai/authority/1 authority"`
	URI        string          `xml:"uri"`
	Version    int             `xml:"version"`
	Updated    string          `xml:"updated,omitempty"`
	Deleted    bool            `xml:"deleted,omitempty"`
	ReplacedBy string          `xml:"replacedBy,omitempty"`
	Digest     string          `xml:"digest,omitempty"`
	Signature  *SignatureValue `xml:"signature,omitempty"`
}

// SignatureValue is an ed25519 signature with the namespace and key of its signer.
type SignatureValue struct {
	Signer string `xml:"signer,attr"`
	Key    string `xml:"key,attr"`
	Value  string `xml:",chardata"`
}

// Statement is what the signature signs.
func (a *Authority) Statement() signing.Statement {
	return signing.Statement{URI: a.URI, Version: a.Version, Updated: a.Updated, Deleted: a.Deleted, ReplacedBy: a.ReplacedBy, Digest: a.Digest}
}

// Sig is the signature as the store keeps it, or nil.
func (a *Authority) Sig() *practices.Signature {
	if a == nil || a.Signature == nil {
		return nil
	}
	return &practices.Signature{Signer: a.Signature.Signer, Key: a.Signature.Key, Value: a.Signature.Value}
}

func authorityOf(st signing.Statement, sig *practices.Signature) *Authority {
	a := &Authority{URI: st.URI, Version: st.Version, Updated: st.Updated, Deleted: st.Deleted, ReplacedBy: st.ReplacedBy, Digest: st.Digest}
	if sig != nil {
		a.Signature = &SignatureValue{Signer: sig.Signer, Key: sig.Key, Value: sig.Value}
	}
	return a
}

// provenanceOf describes the hops of a harvested practice: how this node got it from
// its peer, then what the peer said of its own source.
func (p *Provider) provenanceOf(o *practices.Origin) *Provenance {
	hops := append([]practices.Hop{{BaseURL: o.Repository, Identifier: o.Identifier, Datestamp: o.Datestamp, HarvestDate: o.HarvestedAt}}, o.Hops...)
	var inner *OriginDescription
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		format := NamespaceKB
		if i == 0 && o.Format == PrefixDC { // taken from a repository that is not kb
			format = NamespaceDC
		}
		inner = &OriginDescription{HarvestDate: stampOrEmpty(h.HarvestDate), BaseURL: h.BaseURL, Identifier: h.Identifier,
			Datestamp: stampOrEmpty(h.Datestamp), MetadataNamespace: format, Previous: inner}
		if inner.HarvestDate == "" { // the attribute is required
			inner.HarvestDate = inner.Datestamp
		}
	}
	return &Provenance{Origin: *inner}
}

// hops reads a provenance container back into the hops it describes, nearest first.
func (pv *Provenance) hops() []practices.Hop {
	var out []practices.Hop
	for d := &pv.Origin; d != nil && len(out) < maxHops; d = d.Previous {
		stamp, _ := ParseStamp(d.Datestamp)
		harvested, _ := ParseStamp(d.HarvestDate)
		out = append(out, practices.Hop{BaseURL: d.BaseURL, Identifier: d.Identifier, Datestamp: stamp, HarvestDate: harvested})
	}
	return out
}

// maxHops bounds the provenance a record may carry.
const maxHops = 32

// about is one <about> of a record: it holds one element.
type about struct {
	Authority  *Authority  `xml:",omitempty"`
	Provenance *Provenance `xml:",omitempty"`
}

// nodeDescription is Identify's description of a kb node: what a peer pins.
type nodeDescription struct {
	XMLName   xml.Name `xml:"https://github.com/uclg-digital-cities/kb/oai/node/1 node"`
	Namespace string   `xml:"namespace"`
	PublicKey string   `xml:"publicKey"`
}
