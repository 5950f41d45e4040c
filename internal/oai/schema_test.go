package oai_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/signing"
	"github.com/uclg-digital-cities/kb/internal/store"
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
	if _, err := n.app.Import(context.Background(), []*practices.Practice{p}, store.NewVersion); err != nil {
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

// The corpus's translations travel in the kb format with who made them and their
// results, and come back as they were: the digest a signature covers is the same.
func TestKBRecordsCarryTranslationsByAndResults(t *testing.T) {
	n := newNode(t)
	p, err := n.app.Store.Get(context.Background(), "barcelona-3d-printed-ppe")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(n.srv.URL + "?verb=GetRecord&metadataPrefix=kb&identifier=oai:kb.example.org:barcelona-3d-printed-ppe")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var x oai.Practice
	if err := xml.Unmarshal(practiceElement.Find(body), &x); err != nil {
		t.Fatal(err)
	}
	back := x.ToPractice()
	if len(back.Translations) != 3 || !reflect.DeepEqual(back.Translations, p.Translations) {
		t.Fatalf("translations came back as %+v\nwant %+v", back.Translations, p.Translations)
	}
	if tr := back.Translations[0]; tr.By != "kb" || len(tr.Results) == 0 || tr.Results[0] == p.Results[0] {
		t.Fatalf("the Spanish translation: by %q, results %q", tr.By, tr.Results)
	}
	if !strings.Contains(string(body), `by="kb"`) {
		t.Fatal("no by attribute in the record")
	}
	if signing.Digest(back) != signing.Digest(p) {
		t.Fatal("the digest of the record read back differs")
	}
}

// oai_dc gives the title and the description once per language with xml:lang, the
// original first, and still validates against simpledc.
func TestDublinCoreGivesEveryLanguage(t *testing.T) {
	needXmllint(t)
	n := newNode(t)
	tr := &tour{t: t, handler: n.handler}
	a := tr.get("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kb.example.org:montevideo-wifi-abc")
	var dc struct {
		Titles []struct {
			Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Value string `xml:",chardata"`
		} `xml:"GetRecord>record>metadata>dc>title"`
		Descriptions []struct {
			Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		} `xml:"GetRecord>record>metadata>dc>description"`
	}
	if err := xml.Unmarshal(a.body, &dc); err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, x := range dc.Titles {
		langs = append(langs, x.Lang)
	}
	if strings.Join(langs, ",") != "en,es,fr,pt" || dc.Titles[0].Value != "Deployment of connectivity in various regions of the city (wifi ABC)" ||
		dc.Titles[1].Value != "Despliegue de conectividad en varias zonas de la ciudad (wifi ABC)" {
		t.Fatalf("titles %+v", dc.Titles)
	}
	if len(dc.Descriptions) != 8 || dc.Descriptions[0].Lang != "en" || dc.Descriptions[2].Lang != "es" {
		t.Fatalf("descriptions %+v", dc.Descriptions)
	}
	tr.validate()
}
