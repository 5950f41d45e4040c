// Package findings holds the Smart Cities Study 2021's findings as data: its figures,
// distributions and tools, parsed from corpus/findings.yaml, validated and queried by area.
package findings

// The data: every figure the study gives about its participating cities (what it measures,
// its value, its base and its section), the shares it gives on one scale grouped as
// distributions, and the tools and resources it lists area by area. The package knows
// nothing of the store.

import (
	"slices"
)

// General is the area of a figure about the study as a whole rather than one area.
const General = "general"

// Topics are what a figure is about, in the order the findings page shows them.
var Topics = []string{
	"level",        // level of digitalisation before COVID-19
	"impact",       // impact of COVID-19
	"measures",     // measures the cities took
	"tools",        // tools and resources the cities had
	"data-use",     // use of data and data analysis in decisions
	"vulnerable",   // vulnerable groups
	"preparedness", // preparedness for other crises
}

// Text is one sentence in each of the file's languages, keyed by language code.
type Text map[string]string

// In returns the text in lang, or in English when it has none in lang.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t["en"]
}

// Study identifies the study the findings come from.
type Study struct {
	Title     string `yaml:"title" json:"title"`
	Publisher string `yaml:"publisher" json:"publisher"`
	Year      int    `yaml:"year" json:"year"`
	Cities    int    `yaml:"cities" json:"cities"`
	Countries int    `yaml:"countries" json:"countries"`
}

// Section is a section of the study, with the chapter it belongs to and the page it
// starts on.
type Section struct {
	ID      string `yaml:"id" json:"id"`
	Chapter int    `yaml:"chapter" json:"chapter"`
	Page    int    `yaml:"page" json:"page"`
	Title   Text   `yaml:"title" json:"title"`
}

// Base is what a share is a share of ("of the participating cities").
type Base struct {
	ID   string `yaml:"id" json:"id"`
	Text Text   `yaml:"text" json:"text"`
}

// Scale is the ordered answers of one of the study's questions (very low … very high).
type Scale struct {
	ID      string   `yaml:"id" json:"id"`
	Answers []Answer `yaml:"answers" json:"answers"`
}

// Answer is one answer of a scale.
type Answer struct {
	ID    string `yaml:"id" json:"id"`
	Label Text   `yaml:"label" json:"label"`
}

// Index is the position of answer id on s, or -1.
func (s Scale) Index(id string) int {
	return slices.IndexFunc(s.Answers, func(a Answer) bool { return a.ID == id })
}

// Figure is one figure of the study: Value percent of Base (in the study's own rounding)
// gave the answer Measures describes.
type Figure struct {
	ID string `yaml:"id" json:"id"`
	// Area is one of the practices' areas, or General.
	Area string `yaml:"area" json:"area"`
	// Subject narrows the area when the study splits it (internal operations and
	// coordination in institutional operations; e-health in public services).
	Subject string `yaml:"subject,omitempty" json:"subject,omitempty"`
	Topic   string `yaml:"topic" json:"topic"`
	// Crisis is the crisis type a preparedness figure is about.
	Crisis string `yaml:"crisis,omitempty" json:"crisis,omitempty"`
	// Scale and Answers: for the answer to a question on a scale, the answers this share
	// of the cities gave ("low or very low" is two answers).
	Scale   string   `yaml:"scale,omitempty" json:"scale,omitempty"`
	Answers []string `yaml:"answers,omitempty" json:"answers,omitempty"`
	Value   float64  `yaml:"value" json:"value"`
	Base    string   `yaml:"base" json:"base"`
	Section string   `yaml:"section" json:"section"`
	// AlsoIn names the other sections the study prints the same figure in.
	AlsoIn   []string `yaml:"also_in,omitempty" json:"also_in,omitempty"`
	Measures Text     `yaml:"measures" json:"measures"`
	// Search is the words that find the practices of the area that took such a measure.
	Search string `yaml:"search,omitempty" json:"search,omitempty"`
}

// Sections is the figure's section then the others it is printed in.
func (f Figure) Sections() []string { return append([]string{f.Section}, f.AlsoIn...) }

// Distribution is the shares the study gives for the answers to one question, in the
// scale's order. It holds the parts the study states and no others: what they leave of
// 100% (Unstated) the study does not give.
type Distribution struct {
	ID      string   `yaml:"id" json:"id"`
	Area    string   `yaml:"area" json:"area"`
	Subject string   `yaml:"subject,omitempty" json:"subject,omitempty"`
	Topic   string   `yaml:"topic" json:"topic"`
	Crisis  string   `yaml:"crisis,omitempty" json:"crisis,omitempty"`
	Scale   string   `yaml:"scale" json:"scale"`
	PartIDs []string `yaml:"parts" json:"-"`
	// Parts are the figures PartIDs name, filled in by Parse.
	Parts []Figure `yaml:"-" json:"parts"`
}

// Stated is the sum of the parts the study gives.
func (d Distribution) Stated() float64 {
	var sum float64
	for _, p := range d.Parts {
		sum += p.Value
	}
	return sum
}

// Unstated is the share the study leaves unsaid (0 when the parts make 100% or more
// through rounding).
func (d Distribution) Unstated() float64 { return max(0, 100-d.Stated()) }

// Part is the part that holds answer, if the study states one.
func (d Distribution) Part(answer string) (Figure, bool) {
	for _, p := range d.Parts {
		if slices.Contains(p.Answers, answer) {
			return p, true
		}
	}
	return Figure{}, false
}

// Groups is an ordered list of the practices' target groups the study names.
type Groups struct {
	Section string   `yaml:"section" json:"section"`
	Groups  []string `yaml:"groups" json:"groups"`
}

// Priorities is the areas the cities would give priority, in the study's order.
type Priorities struct {
	Section string   `yaml:"section" json:"section"`
	Areas   []string `yaml:"areas" json:"areas"`
}

// ToolList is the tools and resources the study lists cities as having in one area.
type ToolList struct {
	ID      string `yaml:"id" json:"id"`
	Area    string `yaml:"area" json:"area"`
	Section string `yaml:"section" json:"section"`
	Title   Text   `yaml:"title" json:"title"`
	Items   []Tool `yaml:"items" json:"items"`
}

// Tool is one tool or resource of a list.
type Tool struct {
	ID string `yaml:"id" json:"id"`
	// Resource is the practices' resource the tool amounts to, if any.
	Resource string `yaml:"resource,omitempty" json:"resource,omitempty"`
	Text     Text   `yaml:"text" json:"text"`
}

// Findings is the whole findings file.
type Findings struct {
	Languages        []string       `yaml:"languages" json:"languages"`
	Study            Study          `yaml:"study" json:"study"`
	Sections         []Section      `yaml:"sections" json:"sections"`
	Bases            []Base         `yaml:"bases" json:"bases"`
	Scales           []Scale        `yaml:"scales" json:"scales"`
	Figures          []Figure       `yaml:"figures" json:"figures"`
	Distributions    []Distribution `yaml:"distributions" json:"distributions"`
	VulnerableGroups Groups         `yaml:"vulnerable_groups" json:"vulnerable_groups"`
	Priorities       Priorities     `yaml:"priorities" json:"priorities"`
	Tools            []ToolList     `yaml:"tools" json:"tools"`
}

func find[T any](items []T, id string, idOf func(T) string) (T, bool) {
	for _, it := range items {
		if idOf(it) == id {
			return it, true
		}
	}
	var zero T
	return zero, false
}

// Figure returns the figure with id.
func (f *Findings) Figure(id string) (Figure, bool) {
	return find(f.Figures, id, func(x Figure) string { return x.ID })
}

// Section returns the section with id.
func (f *Findings) Section(id string) (Section, bool) {
	return find(f.Sections, id, func(x Section) string { return x.ID })
}

// Base returns the base with id.
func (f *Findings) Base(id string) (Base, bool) {
	return find(f.Bases, id, func(x Base) string { return x.ID })
}

// Scale returns the scale with id.
func (f *Findings) Scale(id string) (Scale, bool) {
	return find(f.Scales, id, func(x Scale) string { return x.ID })
}

// Distribution returns the distribution with id.
func (f *Findings) Distribution(id string) (Distribution, bool) {
	return find(f.Distributions, id, func(x Distribution) string { return x.ID })
}

// Tool returns the tool with id and the list it is in.
func (f *Findings) Tool(id string) (Tool, ToolList, bool) {
	for _, l := range f.Tools {
		if t, ok := find(l.Items, id, func(x Tool) string { return x.ID }); ok {
			return t, l, true
		}
	}
	return Tool{}, ToolList{}, false
}

// Select returns the figures of area and topic in file order; an empty area or topic
// matches any.
func (f *Findings) Select(area, topic string) []Figure {
	var out []Figure
	for _, x := range f.Figures {
		if (area == "" || x.Area == area) && (topic == "" || x.Topic == topic) {
			out = append(out, x)
		}
	}
	return out
}

// DistributionsOf returns the distributions of area and topic in file order (two for
// institutional operations: internal operations and coordination); an empty area or
// topic matches any.
func (f *Findings) DistributionsOf(area, topic string) []Distribution {
	var out []Distribution
	for _, d := range f.Distributions {
		if (area == "" || d.Area == area) && (topic == "" || d.Topic == topic) {
			out = append(out, d)
		}
	}
	return out
}

// ToolsOf returns the tool lists of area (public services has two: its own and
// e-health).
func (f *Findings) ToolsOf(area string) []ToolList {
	var out []ToolList
	for _, l := range f.Tools {
		if l.Area == area {
			out = append(out, l)
		}
	}
	return out
}

// Areas lists the areas the figures and tools cover, General first, then in the order
// they first appear in the file.
func (f *Findings) Areas() []string {
	out := []string{General}
	add := func(a string) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, x := range f.Figures {
		add(x.Area)
	}
	for _, l := range f.Tools {
		add(l.Area)
	}
	return out
}
