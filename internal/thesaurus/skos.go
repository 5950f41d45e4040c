package thesaurus

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// SKOSScheme is the IRI of the thesaurus as a SKOS concept scheme; each concept's IRI is
// the scheme's followed by its id.
const SKOSScheme = "https://github.com/uclg-digital-cities/kb/thesaurus#"

// SKOSVocabularies is the IRI of the practices' vocabularies (areas, crises, target
// groups, resources), each a SKOS concept scheme (SKOSVocabularies + "area#") whose
// terms a concept's terms link to.
const SKOSVocabularies = "https://github.com/uclg-digital-cities/kb/vocabularies/"

// vocabularyPrefix is the Turtle prefix of a vocabulary's terms ("kbresource:").
func vocabularyPrefix(vocab string) string { return "kb" + vocab }

// WriteTurtle writes the thesaurus as SKOS in Turtle: one skos:ConceptScheme, and every
// concept a skos:Concept in it, with its first label in each language as skos:prefLabel,
// the others as skos:altLabel, its broader and narrower concepts, the vocabulary terms
// it stands for as skos:closeMatch (a mapping to another scheme, not an identity: several
// concepts may stand for one term), and its source as dcterms:source. Each vocabulary is
// a scheme of its own, its terms with their English labels.
func (t *Thesaurus) WriteTurtle(w io.Writer) error {
	var b strings.Builder
	b.WriteString("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n")
	b.WriteString("@prefix dcterms: <http://purl.org/dc/terms/> .\n")
	fmt.Fprintf(&b, "@prefix kb: <%s> .\n", SKOSScheme)
	vocabs := slices.Sorted(maps.Keys(TermVocabularies))
	for _, v := range vocabs {
		fmt.Fprintf(&b, "@prefix %s: <%s%s#> .\n", vocabularyPrefix(v), SKOSVocabularies, v)
	}
	b.WriteString("\n")
	b.WriteString("kb:scheme a skos:ConceptScheme ;\n")
	fmt.Fprintf(&b, "    skos:prefLabel %s ;\n", turtleString("kb thesaurus of smart-city practice and crisis response", "en"))
	fmt.Fprintf(&b, "    dcterms:source %s", turtleString("UCLG Community of Practice on Digital Cities, Smart Cities Study 2021", ""))
	var tops []string
	for _, c := range t.Concepts {
		if len(c.Broader) == 0 {
			tops = append(tops, "kb:"+c.ID)
		}
	}
	if len(tops) > 0 {
		fmt.Fprintf(&b, " ;\n    skos:hasTopConcept %s", strings.Join(tops, ", "))
	}
	b.WriteString(" .\n")
	for _, c := range t.Concepts {
		fmt.Fprintf(&b, "\nkb:%s a skos:Concept ;\n    skos:inScheme kb:scheme", c.ID)
		for _, lang := range languages {
			labels := c.Labels[lang]
			fmt.Fprintf(&b, " ;\n    skos:prefLabel %s", turtleString(labels[0], lang))
			for _, l := range uniqueFolded(labels[1:], labels[0]) {
				fmt.Fprintf(&b, " ;\n    skos:altLabel %s", turtleString(l, lang))
			}
		}
		for _, p := range c.Broader {
			fmt.Fprintf(&b, " ;\n    skos:broader kb:%s", p)
		}
		for _, n := range c.Narrower {
			fmt.Fprintf(&b, " ;\n    skos:narrower kb:%s", n)
		}
		for _, term := range c.Terms {
			vocab, id, _ := strings.Cut(term, ":")
			fmt.Fprintf(&b, " ;\n    skos:closeMatch %s:%s", vocabularyPrefix(vocab), id)
		}
		if len(c.Broader) == 0 {
			b.WriteString(" ;\n    skos:topConceptOf kb:scheme")
		}
		fmt.Fprintf(&b, " ;\n    dcterms:source %s .\n", turtleString(t.Sources[c.Source], ""))
	}
	for _, v := range vocabs {
		scheme := "<" + SKOSVocabularies + v + ">"
		fmt.Fprintf(&b, "\n%s a skos:ConceptScheme ;\n    skos:prefLabel %s .\n", scheme, turtleString("kb vocabulary: "+v, "en"))
		for _, term := range TermVocabularies[v] {
			fmt.Fprintf(&b, "%s:%s a skos:Concept ;\n    skos:inScheme %s ;\n    skos:topConceptOf %s ;\n    skos:prefLabel %s .\n",
				vocabularyPrefix(v), term.ID, scheme, scheme, turtleString(term.Label, "en"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// uniqueFolded drops the labels equal to pref or to an earlier one once lowercased: SKOS
// allows one prefLabel per language and no altLabel equal to it.
func uniqueFolded(labels []string, pref string) []string {
	seen := []string{strings.ToLower(pref)}
	var out []string
	for _, l := range labels {
		if k := strings.ToLower(l); !slices.Contains(seen, k) {
			seen = append(seen, k)
			out = append(out, l)
		}
	}
	return out
}

// turtleString quotes s as a Turtle string literal, with a language tag unless lang is "".
func turtleString(s, lang string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	q := `"` + r.Replace(s) + `"`
	if lang != "" {
		q += "@" + lang
	}
	return q
}
