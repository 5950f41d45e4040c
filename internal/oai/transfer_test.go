package oai_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/signing"
)

// A practice's cost and complexity travel in the kb format, validate against its schema,
// and come back as they were, so the digest a signature covers is the same.
func TestKBRecordsCarryCostAndComplexity(t *testing.T) {
	n := newNode(t)
	p, err := n.app.Store.Get(context.Background(), "amb-dual-bus-stops")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(n.srv.URL + "?verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:amb-dual-bus-stops")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rec := practiceElement.Find(body)
	var x oai.Practice
	if err := xml.Unmarshal(rec, &x); err != nil {
		t.Fatal(err)
	}
	if back := x.ToPractice(); back.Cost != "low" || back.Complexity != "low" || signing.Digest(back) != signing.Digest(p) {
		t.Fatalf("cost %q, complexity %q, digest equal %v", back.Cost, back.Complexity, signing.Digest(back) == signing.Digest(p))
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		file := filepath.Join(t.TempDir(), "rec.xml")
		os.WriteFile(file, rec, 0o644)
		if out, err := exec.Command(xmllint, "--noout", "--schema", "kb.xsd", file).CombinedOutput(); err != nil {
			t.Fatalf("the record does not validate: %s", out)
		}
	}
}
