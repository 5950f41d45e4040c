// Package thesaurus holds kb's concepts: thesaurus.yaml read and checked, their hierarchy
// and SKOS export, and a matcher that finds their labels in text read as the index reads it.
package thesaurus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Concept is one idea of the domain with the words for it in each language.
type Concept struct {
	ID string `json:"id"`
	// Labels maps a language to its labels; the first label is the concept's name there.
	Labels map[string][]string `json:"labels"`
	// Broader and Narrower are the concepts one step up and down the hierarchy (SKOS
	// skos:broader and skos:narrower), each list sorted; either side may be declared in
	// the file, the other is derived.
	Broader  []string `json:"broader,omitempty"`
	Narrower []string `json:"narrower,omitempty"`
	// Source is the key, in Thesaurus.Sources, of where the concept and its labels come from.
	Source string `json:"source"`
	// Terms are the terms of the practices' vocabularies the concept stands for, as
	// VOCABULARY:ID (resource:iot-network, group:elderly, crisis:health, area:mobility):
	// through them a city profile written in free words is read in the vocabularies.
	Terms []string `json:"terms,omitempty"`
}

// TermVocabularies are the vocabularies a concept's terms may name, by prefix.
var TermVocabularies = map[string]practices.Vocabulary{
	"area":     practices.Areas,
	"crisis":   practices.Crises,
	"group":    practices.TargetGroups,
	"resource": practices.Resources,
}

// Name returns the concept's first label in lang, or in English.
func (c *Concept) Name(lang string) string {
	if l := c.Labels[lang]; len(l) > 0 {
		return l[0]
	}
	return c.Labels["en"][0]
}

// Thesaurus is the set of concepts the search expands queries with.
type Thesaurus struct {
	Concepts []*Concept
	// Sources maps a source key to where that part of the thesaurus comes from.
	Sources map[string]string
	byID    map[string]*Concept
	// fingerprint changes with any change of the file: an index built with another
	// thesaurus carries other concepts and is rebuilt.
	fingerprint string
}

// languages are those a concept must have labels in: every language kb analyses text in.
var languages = practices.Languages.IDs()

// Parse reads thesaurus.yaml and checks that every concept has a unique slug id, labels
// in every language kb analyses text in, a known source, and broader and narrower
// relations to concepts that exist, without a cycle.
func Parse(data []byte) (*Thesaurus, error) {
	var doc struct {
		Sources       map[string]string `yaml:"sources"`
		DefaultSource string            `yaml:"default_source"`
		Concepts      []map[string]any  `yaml:"concepts"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("thesaurus: %s", yaml.FormatError(err, false, false))
	}
	sum := sha256.Sum256(data)
	t := &Thesaurus{byID: map[string]*Concept{}, Sources: doc.Sources, fingerprint: hex.EncodeToString(sum[:8])}
	narrower := map[string][]string{} // declared narrower lists, by concept
	for i, raw := range doc.Concepts {
		c := &Concept{Labels: map[string][]string{}, Source: doc.DefaultSource}
		for key, v := range raw {
			switch key {
			case "id":
				c.ID, _ = v.(string)
				continue
			case "source":
				c.Source, _ = v.(string)
				continue
			case "terms":
				c.ID, _ = raw["id"].(string) // so that the error names the concept
				if err := c.readTerms(v); err != nil {
					return nil, err
				}
				continue
			case "broader", "narrower":
				ids, err := idList(v)
				if err != nil {
					return nil, fmt.Errorf("thesaurus: concept %d: %s %w", i+1, key, err)
				}
				if key == "broader" {
					c.Broader = ids
				} else {
					narrower[fmt.Sprint(raw["id"])] = ids
				}
				continue
			}
			if !practices.Languages.Has(key) {
				return nil, fmt.Errorf("thesaurus: concept %d: %q is neither id, source, broader, narrower, terms nor a language (%s)", i+1, key, strings.Join(languages, ", "))
			}
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("thesaurus: concept %q: %s must be a list of labels", c.ID, key)
			}
			for _, l := range list {
				s := strings.TrimSpace(fmt.Sprint(l))
				if s == "" {
					return nil, fmt.Errorf("thesaurus: concept %q: empty %s label", c.ID, key)
				}
				c.Labels[key] = append(c.Labels[key], s)
			}
		}
		if !practices.ValidID(c.ID) {
			return nil, fmt.Errorf("thesaurus: concept %d: id %q must be a slug", i+1, c.ID)
		}
		if _, dup := t.byID[c.ID]; dup {
			return nil, fmt.Errorf("thesaurus: concept %q appears twice", c.ID)
		}
		for _, lang := range languages {
			if len(c.Labels[lang]) == 0 {
				return nil, fmt.Errorf("thesaurus: concept %q has no %s labels", c.ID, lang)
			}
		}
		if _, ok := t.Sources[c.Source]; !ok {
			return nil, fmt.Errorf("thesaurus: concept %q: source %q is not one of the file's sources", c.ID, c.Source)
		}
		t.Concepts = append(t.Concepts, c)
		t.byID[c.ID] = c
	}
	if err := t.relate(narrower); err != nil {
		return nil, err
	}
	return t, nil
}

// readTerms reads a concept's list of VOCABULARY:ID terms, each checked against its
// vocabulary.
func (c *Concept) readTerms(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("thesaurus: concept %q: terms must be a list of VOCABULARY:ID", c.ID)
	}
	for _, t := range list {
		s := fmt.Sprint(t)
		if m, ok := t.(map[string]any); ok && len(m) == 1 {
			for k, v := range m { // YAML reads group:elderly inside {…} as a mapping
				s = fmt.Sprint(k, ":", v)
			}
		}
		name, id, _ := strings.Cut(s, ":")
		vocab, ok := TermVocabularies[name]
		if !ok || !vocab.Has(id) {
			return fmt.Errorf("thesaurus: concept %q: term %q is not VOCABULARY:ID of a known term (vocabularies: area, crisis, group, resource)", c.ID, s)
		}
		c.Terms = append(c.Terms, s)
	}
	return nil
}

func idList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be a list of concept ids")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out, nil
}

// relate checks the declared relations, makes each one known from both ends, and
// refuses a cycle (a concept broader than itself through others).
func (t *Thesaurus) relate(narrower map[string][]string) error {
	link := func(child, parent string) error {
		for _, id := range []string{child, parent} {
			if _, ok := t.byID[id]; !ok {
				return fmt.Errorf("thesaurus: %q is narrower than %q, but there is no concept %q", child, parent, id)
			}
		}
		if child == parent {
			return fmt.Errorf("thesaurus: concept %q is broader than itself", child)
		}
		c, p := t.byID[child], t.byID[parent]
		if !slices.Contains(c.Broader, parent) {
			c.Broader = append(c.Broader, parent)
		}
		if !slices.Contains(p.Narrower, child) {
			p.Narrower = append(p.Narrower, child)
		}
		return nil
	}
	for _, c := range t.Concepts {
		for _, parent := range slices.Clone(c.Broader) {
			if err := link(c.ID, parent); err != nil {
				return err
			}
		}
	}
	for _, parent := range slices.Sorted(maps.Keys(narrower)) {
		for _, child := range narrower[parent] {
			if err := link(child, parent); err != nil {
				return err
			}
		}
	}
	for _, c := range t.Concepts {
		slices.Sort(c.Broader)
		slices.Sort(c.Narrower)
	}
	// Depth-first along broader: a concept met again while its own path is open is a cycle.
	const (
		open = 1
		done = 2
	)
	state := map[string]int{}
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch state[id] {
		case open:
			return fmt.Errorf("thesaurus: broader relations make a cycle: %s", strings.Join(append(path, id), " → "))
		case done:
			return nil
		}
		state[id] = open
		for _, p := range t.byID[id].Broader {
			if err := visit(p, append(path, id)); err != nil {
				return err
			}
		}
		state[id] = done
		return nil
	}
	for _, c := range t.Concepts {
		if err := visit(c.ID, nil); err != nil {
			return err
		}
	}
	return nil
}

// maxConceptDistance is how far up the hierarchy a practice's concepts are indexed: a
// query concept matches its narrower concepts one and two steps down, each step at half
// the weight of the one above, and no further (three steps down, "people" would match
// nearly every practice).
const maxConceptDistance = 2

// ancestors lists the concepts above id, each with its distance (1: broader), the
// nearest distance where two paths lead to the same concept, up to maxConceptDistance.
func (t *Thesaurus) ancestors(id string) map[string]int {
	out := map[string]int{}
	level := []string{id}
	for d := 1; d <= maxConceptDistance; d++ {
		var next []string
		for _, c := range level {
			for _, p := range t.byID[c].Broader {
				if _, seen := out[p]; !seen {
					out[p] = d
					next = append(next, p)
				}
			}
		}
		level = next
	}
	return out
}

// Fingerprint identifies the thesaurus's text.
func (t *Thesaurus) Fingerprint() string {
	if t == nil {
		return ""
	}
	return t.fingerprint
}

// Concept returns the concept with that id.
func (t *Thesaurus) Concept(id string) (*Concept, bool) {
	if t == nil {
		return nil, false
	}
	c, ok := t.byID[id]
	return c, ok
}
