package oai_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// A node that relays what it harvested serves each relayed record with the origin's
// signed statement and the provenance container in its about, and the whole answer, in
// both formats and as deletions, validates against the OAI-PMH schemas with the schemas of
// what kb adds (authority.xsd, node.xsd, provenance.xsd).
func TestRelayedRecordsValidate(t *testing.T) {
	needXmllint(t)
	ctx := context.Background()
	origin := fedtest.Start(t, "origin.example.org")
	p, err := origin.App.Store.Get(ctx, "bilbao-geobilbao")
	if err != nil {
		t.Fatal(err)
	}
	p.ID, p.URI, p.Title, p.Version = "origin-case", "", "A case of the origin's own", 0
	gone := *p
	gone.ID, gone.Title = "origin-gone", "A case archived at the origin"
	if _, err := origin.App.Import(ctx, []*practices.Practice{p, &gone}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	n := newNode(t)
	if _, err := n.app.Peers.Add(ctx, federation.NewPeer{Name: "origin", URL: origin.Endpoint}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.app.Peers.Sync(ctx, "origin"); err != nil {
		t.Fatal(err)
	}
	if _, err := origin.App.Review.Archive(ctx, "test", "origin-gone", true); err != nil {
		t.Fatal(err)
	}
	if _, err := n.app.Peers.Sync(ctx, "origin"); err != nil {
		t.Fatal(err)
	}
	tr := &tour{t: t, handler: n.handler}
	var relayed int
	for _, prefix := range []string{"kb", "oai_dc"} {
		for _, id := range []string{"origin-case", "origin-gone"} {
			a := tr.get("verb=GetRecord&metadataPrefix=" + prefix + "&identifier=oai:kb.example.org:" + id)
			body := string(a.body)
			if !strings.Contains(body, "<provenance") || !strings.Contains(body, "<baseURL>"+origin.Endpoint+"</baseURL>") ||
				!strings.Contains(body, "<signature signer=\"origin.example.org\"") || !strings.Contains(body, "<uri>oai:origin.example.org:"+id+"</uri>") {
				t.Fatalf("%s in %s lacks its provenance or its origin's signature:\n%s", id, prefix, body)
			}
			relayed++
		}
	}
	tr.get("verb=ListRecords&metadataPrefix=kb")
	tr.get("verb=Identify")
	tr.validate()
	if relayed != 4 {
		t.Fatal("not every relayed record was checked")
	}
}
