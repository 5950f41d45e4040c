package oai

import (
	"encoding/xml"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// dcRecord is a practice in simple Dublin Core, for any harvester. The prefixed names are
// written as they are, with their namespaces declared on the element.
type dcRecord struct {
	XMLName        xml.Name `xml:"oai_dc:dc"`
	NSDC           string   `xml:"xmlns:oai_dc,attr"`
	NSPure         string   `xml:"xmlns:dc,attr"`
	XSI            string   `xml:"xmlns:xsi,attr"`
	SchemaLocation string   `xml:"xsi:schemaLocation,attr"`
	Title          []dcText `xml:"dc:title"`
	Creator        []string `xml:"dc:creator"`
	Subject        []string `xml:"dc:subject"`
	Description    []dcText `xml:"dc:description"`
	Publisher      []string `xml:"dc:publisher"`
	Date           []string `xml:"dc:date"`
	Type           []string `xml:"dc:type"`
	Identifier     []string `xml:"dc:identifier"`
	Source         []string `xml:"dc:source"`
	Language       []string `xml:"dc:language"`
	Coverage       []string `xml:"dc:coverage"`
	Relation       []string `xml:"dc:relation"`
	Rights         []dcText `xml:"dc:rights"`
}

// dcText is a text of a Dublin Core element in a language (simpledc allows xml:lang).
type dcText struct {
	Lang  string `xml:"xml:lang,attr,omitempty"`
	Value string `xml:",chardata"`
}

// dublinCore gives the title and the description (summary, then body) once per
// language, the original first.
func (p *Provider) dublinCore(pr *practices.Practice) *dcRecord {
	r := &dcRecord{
		NSDC: NamespaceDC, NSPure: namespacePureDC, XSI: xsiNamespace,
		SchemaLocation: NamespaceDC + " " + schemaDC,
		Title:          []dcText{{pr.Language(), pr.Title}},
		Creator:        []string{pr.City},
		Description:    []dcText{{pr.Language(), pr.Summary}, {pr.Language(), pr.Body}},
		Publisher:      []string{p.cfg.RepositoryName},
		Type:           []string{"Text", "good practice"},
		Identifier:     []string{pr.Identity(p.cfg.Namespace), p.cfg.BaseURL + "/practices/" + pr.ID},
		Source:         []string{pr.Source},
		Language:       pr.Languages,
	}
	for _, t := range pr.Translations {
		if t.Language == pr.Language() || t.Title == "" {
			continue
		}
		r.Title = append(r.Title, dcText{t.Language, t.Title})
		r.Description = append(r.Description, dcText{t.Language, t.Summary})
		if t.Body != "" {
			r.Description = append(r.Description, dcText{t.Language, t.Body})
		}
	}
	for _, a := range pr.Areas {
		r.Subject = append(r.Subject, practices.Areas.Label(a))
	}
	r.Subject = append(r.Subject, pr.Tags...)
	if pr.Year != 0 {
		r.Date = append(r.Date, strconv.Itoa(pr.Year))
	}
	r.Date = append(r.Date, FormatStamp(pr.UpdatedAt))
	r.Coverage = append(r.Coverage, pr.City)
	if c, ok := p.cfg.Geo.Country(pr.Country); ok {
		r.Coverage = append(r.Coverage, c.Name)
	}
	if pr.Region != "" {
		r.Coverage = append(r.Coverage, practices.Regions.Label(pr.Region))
	}
	if pr.Session != "" {
		r.Relation = append(r.Relation, pr.Session)
	}
	r.Relation = append(r.Relation, pr.SameAs...)
	for _, lang := range slices.Sorted(maps.Keys(p.cfg.Rights)) {
		r.Rights = append(r.Rights, dcText{lang, p.cfg.Rights[lang]})
	}
	return r
}

// Practice is a practice in the full-fidelity format of this knowledge base: every field
// of the practice, the concepts its text names and the facts known about its city.
type Practice struct {
	XMLName        xml.Name `xml:"https://github.com/uclg-digital-cities/kb/oai/practice/1 practice"`
	XSI            string   `xml:"xmlns:xsi,attr,omitempty"`
	SchemaLocation string   `xml:"xsi:schemaLocation,attr,omitempty"`
	ID             string   `xml:"id"`
	// URI is the practice's global identity, the same on every node.
	URI           string   `xml:"uri,omitempty"`
	Title         string   `xml:"title"`
	Summary       string   `xml:"summary"`
	City          City     `xml:"city"`
	Areas         []string `xml:"areas>area"`
	Crises        []string `xml:"crises>crisis"`
	Tags          []string `xml:"tags>tag"`
	TargetGroups  []string `xml:"target_groups>group"`
	Concepts      []string `xml:"concepts>concept"`
	Results       []string `xml:"results>result"`
	Prerequisites []string `xml:"prerequisites>resource"`
	Cost          string   `xml:"cost,omitempty"`
	Complexity    string   `xml:"complexity,omitempty"`
	Year          int      `xml:"year,omitempty"`
	Status        string   `xml:"status,omitempty"`
	Source        string   `xml:"source"`
	Languages     []string `xml:"languages>language"`
	Session       string   `xml:"session,omitempty"`
	Body          string   `xml:"body"`
	SameAs        []string `xml:"same_as>uri"`
	// Translations travel apart from the authors' text, as they are kept.
	Translations []Translation `xml:"translations>translation"`
	Assisted     *Assisted     `xml:"assisted"`
	Version      int           `xml:"version"`
	Updated      string        `xml:"updated"`
}

// Translation is a practice's text in another language, machine-made or not.
type Translation struct {
	Language  string `xml:"language,attr"`
	Machine   bool   `xml:"machine,attr"`
	Model     string `xml:"model,attr,omitempty"`
	Generated string `xml:"generated,attr,omitempty"`
	Reviewed  bool   `xml:"reviewed,attr,omitempty"`
	Partial   bool   `xml:"partial,attr,omitempty"`
	// By names who translated it by hand ("kb": the knowledge base's team).
	By      string   `xml:"by,attr,omitempty"`
	Title   string   `xml:"title"`
	Summary string   `xml:"summary"`
	Body    string   `xml:"body"`
	Results []string `xml:"results>result,omitempty"`
}

// Assisted names the fields a coordinator took from an AI assistant's suggestions.
type Assisted struct {
	Model     string   `xml:"model,attr"`
	Generated string   `xml:"generated,attr"`
	Fields    []string `xml:"field"`
	Edited    []string `xml:"edited"`
}

// City holds the facts about a practice's city.
type City struct {
	Name           string `xml:"name"`
	Country        string `xml:"country"`
	CountryName    string `xml:"country_name,omitempty"`
	Region         string `xml:"region,omitempty"`
	PopulationBand string `xml:"population_band,omitempty"`
	Population     int    `xml:"population,omitempty"`
}

func (p *Provider) full(pr *practices.Practice) *Practice {
	x := &Practice{
		XSI: xsiNamespace, SchemaLocation: NamespaceKB + " " + p.cfg.BaseURL + "/oai/kb.xsd",
		ID: pr.ID, URI: pr.Identity(p.cfg.Namespace), Title: pr.Title, Summary: pr.Summary, SameAs: pr.SameAs,
		City:  City{Name: pr.City, Country: pr.Country, Region: pr.Region, PopulationBand: pr.PopulationBand},
		Areas: pr.Areas, Crises: pr.Crises, Tags: pr.Tags, TargetGroups: pr.TargetGroups,
		Results: pr.Results, Prerequisites: pr.Prerequisites, Cost: pr.Cost, Complexity: pr.Complexity, Year: pr.Year, Status: pr.Status,
		Source: pr.Source, Languages: pr.Languages, Session: pr.Session, Body: pr.Body,
		Version: pr.Version, Updated: FormatStamp(pr.UpdatedAt),
	}
	if o := pr.Origin; o != nil { // the authority's version, as signed
		x.Version, x.Updated = o.Version, stampOrEmpty(o.Updated)
	}
	if p.cfg.Concepts != nil {
		x.Concepts = p.cfg.Concepts(pr)
	}
	for _, t := range pr.Translations {
		x.Translations = append(x.Translations, Translation{Language: t.Language, Machine: t.Machine, Model: t.Model,
			Generated: stampOrEmpty(t.Generated), Reviewed: t.Reviewed, Partial: t.Partial, By: t.By, Title: t.Title, Summary: t.Summary, Body: t.Body, Results: t.Results})
	}
	if a := pr.Assisted; a != nil {
		x.Assisted = &Assisted{Model: a.Model, Generated: stampOrEmpty(a.Generated), Fields: a.Fields, Edited: a.Edited}
	}
	if c, ok := p.cfg.Geo.Country(pr.Country); ok {
		x.City.CountryName = c.Name
	}
	if c, ok := p.cfg.Geo.FindCity(pr.City, pr.Country); ok {
		x.City.Population = c.Population
	}
	return x
}

// ToPractice turns a harvested record back into a practice (without its provenance).
func (x *Practice) ToPractice() *practices.Practice {
	p := &practices.Practice{
		ID: x.ID, URI: x.URI, SameAs: x.SameAs, Title: x.Title, Summary: x.Summary, City: x.City.Name, Country: x.City.Country,
		Region: x.City.Region, PopulationBand: x.City.PopulationBand,
		Areas: x.Areas, Crises: x.Crises, Tags: x.Tags, TargetGroups: x.TargetGroups,
		Results: x.Results, Prerequisites: x.Prerequisites, Cost: x.Cost, Complexity: x.Complexity, Year: x.Year, Status: x.Status,
		Source: x.Source, Languages: x.Languages, Session: x.Session, Body: x.Body,
	}
	if t, err := time.Parse(stampLayout, x.Updated); err == nil {
		p.UpdatedAt = t
	}
	for _, t := range x.Translations {
		g, _ := time.Parse(stampLayout, t.Generated)
		p.Translations = append(p.Translations, practices.Translation{Language: t.Language, Machine: t.Machine, Model: t.Model,
			Generated: g, Reviewed: t.Reviewed, Partial: t.Partial, By: t.By, Title: t.Title, Summary: t.Summary, Body: t.Body, Results: t.Results})
	}
	if a := x.Assisted; a != nil {
		g, _ := time.Parse(stampLayout, a.Generated)
		p.Assisted = &practices.Assisted{Model: a.Model, Generated: g, Fields: a.Fields, Edited: a.Edited}
	}
	return p
}

func stampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatStamp(t)
}
