package main

import (
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The rights statement a served node's about page shows is the one its OAI-PMH records
// carry as dc:rights, in the page's language, naming the network.
func TestAboutPageAndOAIRecordsStateTheSameRights(t *testing.T) {
	c := startChild(t, seeded(t), "--network", "Red de prueba")
	defer c.kill()
	read := func(path string) string {
		resp, err := http.Get(c.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(body)
	}
	var rec struct {
		Rights []struct {
			Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Value string `xml:",chardata"`
		} `xml:"GetRecord>record>metadata>dc>rights"`
	}
	if err := xml.Unmarshal([]byte(read("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kb.localhost:montevideo-wifi-abc")), &rec); err != nil {
		t.Fatal(err)
	}
	shown := regexp.MustCompile(`(?s)<p id="rights">(.*?)</p>`)
	for _, lang := range []string{"en", "es", "fr"} {
		m := shown.FindStringSubmatch(read("/about?lang=" + lang))
		if m == nil {
			t.Fatalf("/about?lang=%s has no rights statement", lang)
		}
		page := strings.NewReplacer("&#39;", "'", "&amp;", "&").Replace(m[1])
		found := false
		for _, r := range rec.Rights {
			if r.Lang == lang {
				found = r.Value == page
				if !found {
					t.Errorf("%s: the record's dc:rights %q, the page %q", lang, r.Value, page)
				}
			}
		}
		if !found && !t.Failed() {
			t.Errorf("no dc:rights in %s: %+v", lang, rec.Rights)
		}
		if !strings.Contains(page, "Red de prueba") || !strings.Contains(page, "Smart Cities") {
			t.Errorf("%s: the statement %q names neither the network nor the study", lang, page)
		}
	}
}
