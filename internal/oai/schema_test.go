package oai_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

var practiceElement = regexp.MustCompile(`(?s)<practice .*?</practice>`)

// The kb format's records validate against the schema the node publishes at /oai/kb.xsd,
// a translated and AI-assisted practice included (xmllint, from Debian's libxml2-utils:
// .ci/run installs it; without it this fails in CI and is skipped elsewhere).
func TestKBRecordsValidateAgainstTheSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is missing; .ci/run installs libxml2-utils")
		}
		t.Skip("no xmllint here: apt-get install -y libxml2-utils to run this test")
	}
	n := newNode(t)
	p, err := n.app.Store.Get(context.Background(), "bilbao-geobilbao")
	if err != nil {
		t.Fatal(err)
	}
	p.ID, p.URI, p.Version = "zz-translated", "", 0
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	p.Translations = []practices.Translation{{Language: "es", Title: "GeoBilbao", Summary: "Resumen.", Body: "Texto.", Machine: true, Model: "m", Generated: at, Reviewed: true}}
	p.Assisted = &practices.Assisted{Model: "m", Generated: at, Fields: []string{"areas", "translation"}, Edited: []string{"areas"}}
	if _, err := n.app.Import(context.Background(), []*practices.Practice{p}, practices.NewVersion); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, id := range []string{"zz-translated", "bilbao-geobilbao"} {
		resp, err := http.Get(n.srv.URL + "?verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:" + id)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		rec := practiceElement.Find(body)
		if rec == nil {
			t.Fatalf("%s: no practice in %s", id, body)
		}
		file := filepath.Join(dir, id+".xml")
		os.WriteFile(file, rec, 0o644)
		if out, err := exec.Command(xmllint, "--noout", "--schema", "kb.xsd", file).CombinedOutput(); err != nil {
			t.Fatalf("%s does not validate: %s", id, out)
		}
	}
}
