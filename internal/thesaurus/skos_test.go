package thesaurus_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

const skosNS = "http://www.w3.org/2004/02/skos/core#"

// TestSKOSExportParsesAndIsConsistent reads the Turtle export back with an independent
// parser (raptor's rapper, Debian's raptor2-utils, installed by .ci/run), then checks the
// triples it found: every concept a skos:Concept in the one scheme, one prefLabel in each
// of the four languages, broader and narrower each other's inverse, and no cycle.
func TestSKOSExportParsesAndIsConsistent(t *testing.T) {
	rapper, err := exec.LookPath("rapper")
	if err != nil {
		t.Fatal("rapper is missing: install Debian's raptor2-utils (the independent RDF parser this test needs)")
	}
	th := corpusThesaurus(t)
	var ttl bytes.Buffer
	if err := th.WriteTurtle(&ttl); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "thesaurus.ttl")
	if err := os.WriteFile(file, ttl.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(rapper, "-q", "-i", "turtle", "-o", "ntriples", file).Output()
	if err != nil {
		t.Fatalf("rapper refused the export: %v\n%s", err, stderrOf(err))
	}
	g := parseNTriples(t, string(out))

	scheme := "<" + thesaurus.SKOSScheme + "scheme>"
	if !g.has(scheme, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<"+skosNS+"ConceptScheme>") {
		t.Errorf("no skos:ConceptScheme %s", scheme)
	}
	var concepts []string
	for _, c := range g.subjects("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<"+skosNS+"Concept>") {
		if strings.HasPrefix(c, "<"+thesaurus.SKOSScheme) {
			concepts = append(concepts, c)
		}
	}
	if len(concepts) != len(th.Concepts) || len(concepts) < 300 {
		t.Errorf("%d skos:Concepts in the export, %d in the thesaurus (want several hundred)", len(concepts), len(th.Concepts))
	}
	broader := map[string][]string{}
	for _, c := range concepts {
		if !g.has(c, "<"+skosNS+"inScheme>", scheme) {
			t.Errorf("%s is not skos:inScheme the scheme", c)
		}
		for _, lang := range []string{"en", "es", "fr", "pt"} {
			if n := len(g.objectsIn(c, "<"+skosNS+"prefLabel>", lang)); n != 1 {
				t.Errorf("%s has %d skos:prefLabel@%s, want 1", c, n, lang)
			}
		}
		for _, p := range g.objects(c, "<"+skosNS+"broader>") {
			broader[c] = append(broader[c], p)
			if !g.has(p, "<"+skosNS+"narrower>", c) {
				t.Errorf("%s broader %s, but not the other way round", c, p)
			}
		}
		for _, n := range g.objects(c, "<"+skosNS+"narrower>") {
			if !g.has(n, "<"+skosNS+"broader>", c) {
				t.Errorf("%s narrower %s, but not the other way round", c, n)
			}
		}
	}
	for _, c := range concepts {
		if path := cycleFrom(c, broader, nil); path != nil {
			t.Fatalf("broader cycle: %s", strings.Join(path, " → "))
		}
	}
	// A concept's terms link it to the vocabulary schemes' terms, each a skos:Concept
	// of its scheme with an English label.
	links := 0
	for _, c := range th.Concepts {
		for _, term := range c.Terms {
			vocab, id, _ := strings.Cut(term, ":")
			iri := "<" + thesaurus.SKOSVocabularies + vocab + "#" + id + ">"
			if !g.has("<"+thesaurus.SKOSScheme+c.ID+">", "<"+skosNS+"closeMatch>", iri) {
				t.Errorf("%s: no skos:closeMatch %s", c.ID, iri)
			}
			if !g.has(iri, "<"+skosNS+"inScheme>", "<"+thesaurus.SKOSVocabularies+vocab+">") || len(g.objectsIn(iri, "<"+skosNS+"prefLabel>", "en")) != 1 {
				t.Errorf("%s is not a labelled concept of the %s vocabulary", iri, vocab)
			}
			links++
		}
	}
	if links < 100 {
		t.Errorf("only %d links from concepts to vocabulary terms", links)
	}
	for _, pair := range [][2]string{{"elderly", "vulnerable-groups"}, {"3d-printing", "digital-fabrication"}} {
		if !g.has("<"+thesaurus.SKOSScheme+pair[0]+">", "<"+skosNS+"broader>", "<"+thesaurus.SKOSScheme+pair[1]+">") {
			t.Errorf("%s is not narrower than %s", pair[0], pair[1])
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func cycleFrom(c string, broader map[string][]string, path []string) []string {
	if slices.Contains(path, c) {
		return append(path, c)
	}
	for _, p := range broader[c] {
		if cyc := cycleFrom(p, broader, append(slices.Clone(path), c)); cyc != nil {
			return cyc
		}
	}
	return nil
}

type triple struct{ s, p, o, lang string }

type graph []triple

var ntriple = regexp.MustCompile(`^(<[^>]*>|_:\S+) (<[^>]*>) (<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@([a-zA-Z-]+)|\^\^<[^>]*>)?) \.$`)

func parseNTriples(t *testing.T, text string) graph {
	var g graph
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		m := ntriple.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not an N-Triples line: %q", line)
		}
		g = append(g, triple{m[1], m[2], m[3], m[4]})
	}
	return g
}

func (g graph) has(s, p, o string) bool {
	return slices.ContainsFunc(g, func(t triple) bool { return t.s == s && t.p == p && t.o == o })
}

func (g graph) subjects(p, o string) []string {
	var out []string
	for _, t := range g {
		if t.p == p && t.o == o {
			out = append(out, t.s)
		}
	}
	return out
}

func (g graph) objects(s, p string) []string {
	var out []string
	for _, t := range g {
		if t.s == s && t.p == p {
			out = append(out, t.o)
		}
	}
	return out
}

func (g graph) objectsIn(s, p, lang string) []string {
	var out []string
	for _, t := range g {
		if t.s == s && t.p == p && t.lang == lang {
			out = append(out, t.o)
		}
	}
	return out
}
