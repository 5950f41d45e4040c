package schema

import (
	"slices"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// Concepts is what a document needs of the thesaurus (its *thesaurus.Matcher): the
// concepts a text names, and the concepts above one of them.
type Concepts interface {
	Match(lang, text string) []thesaurus.Hit
	Above(concept string) []string
}

// Document turns a practice into the fields the mapping indexes. Its text goes to the
// fields of its language; keywords gather the words of its tags, target groups, crises,
// city and country so that "drones Montevideo" finds what the text alone might not say; concepts
// hold the thesaurus concepts its text names, once per mention, and lead_concepts those
// its title and summary name, so that a query in another language finds it. geo names
// the countries (nil: codes only); the languages it is searched in are under LangField.
func Document(p *practices.Practice, concepts Concepts, geo *practices.Geography) map[string]any {
	lang := p.Language()
	if !IsLanguage(lang) {
		lang = "en"
	}
	var kw []string
	for _, t := range p.Tags {
		kw = append(kw, strings.ReplaceAll(t, "-", " "))
	}
	for _, g := range p.TargetGroups {
		kw = append(kw, practices.TargetGroups.Label(g))
	}
	for _, c := range p.Crises {
		kw = append(kw, practices.Crises.Label(c))
	}
	for _, a := range p.Areas {
		kw = append(kw, practices.Areas.Label(a))
	}
	kw = append(kw, p.City)
	if geo != nil {
		if c, ok := geo.Country(p.Country); ok {
			kw = append(kw, c.Name)
		}
	}
	keywords := strings.Join(kw, ". ")
	lead := p.Title + "\n" + p.Summary
	leadConcepts := ConceptIDs(concepts, lang, lead)
	facets := []string{"region:" + p.Region, "country:" + p.Country}
	if p.PopulationBand != "" {
		facets = append(facets, "population_band:"+p.PopulationBand)
	}
	for _, a := range p.Areas {
		facets = append(facets, "area:"+a)
	}
	for _, t := range p.Tags {
		facets = append(facets, "tag:"+t)
	}
	for _, g := range p.TargetGroups {
		facets = append(facets, "target_group:"+g)
	}
	for _, c := range p.Crises {
		facets = append(facets, "crisis:"+c)
	}
	facets = append(facets, "network:"+Network(p))
	conceptIDs := append(ConceptIDs(concepts, lang, keywords, p.Body), leadConcepts...)
	doc := map[string]any{
		AllFacetsField:              facets,
		ConceptsField:               conceptIDs,
		LeadConceptsField:           leadConcepts,
		BroaderConceptsField:        broaderConcepts(concepts, conceptIDs),
		IDField:                     p.ID,
		CityField:                   p.City,
		CitySuggestField:            p.City,
		TitleSuggestField:           p.Title,
		TextField("title", lang):    p.Title,
		TextField("summary", lang):  p.Summary,
		TextField("keywords", lang): keywords,
		TextField("body", lang):     p.Body,
		// The exact words of the title, summary and keywords, per language: enough to rank
		// a word as typed above its stems, without tokenizing the body a second time.
		ExactField(lang):  strings.Join([]string{p.Title, p.Summary, keywords}, "\n"),
		TitleSortField:    practices.Fold(p.Title),
		CitySortField:     practices.Fold(p.City),
		"areas":           p.Areas,
		"region":          p.Region,
		"country":         p.Country,
		"population_band": p.PopulationBand,
		"tags":            p.Tags,
		"crises":          p.Crises,
		"target_groups":   p.TargetGroups,
		StatusField:       p.Status,
		"network":         Network(p),
		UpdatedField:      p.UpdatedAt,
	}
	// A translation is searched in its language too (a Spanish case with an English
	// translation answers English words), apart from the authors' text. Its whole text:
	// a query is read in its own language's fields only, so the translated bodies no longer
	// answer an English query's look-alikes (they once took nDCG@10 from 0.929 to 0.919).
	langs := []string{lang}
	for _, t := range p.Translations {
		if tl := t.Language; IsLanguage(tl) && !slices.Contains(langs, tl) {
			langs = append(langs, tl)
			doc[TextField("title", tl)], doc[TextField("summary", tl)], doc[TextField("body", tl)] = t.Title, t.Summary, t.Body
			doc[ExactField(tl)] = t.Title + "\n" + t.Summary
		}
	}
	doc[LangField] = langs
	return doc
}

// LocalNetwork is the network facet's value for the practices this knowledge base
// originates; harvested ones carry the name of the peer they came from.
const LocalNetwork = "local"

// Network is the value of a practice's network facet.
func Network(p *practices.Practice) string {
	if p.Origin != nil {
		if p.Origin.Network != "" {
			return p.Origin.Network
		}
		return p.Origin.Peer
	}
	return LocalNetwork
}

// IsLanguage says whether the index analyses text in lang.
func IsLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// broaderConcepts lists, once per mention of each concept, the concepts above it as
// "distance:id".
func broaderConcepts(concepts Concepts, ids []string) []string {
	var out []string
	for _, c := range ids {
		out = append(out, concepts.Above(c)...)
	}
	return out
}

// ConceptIDs lists the concepts named in the texts, once per mention.
func ConceptIDs(concepts Concepts, lang string, texts ...string) []string {
	var out []string
	for _, t := range texts {
		for _, h := range concepts.Match(lang, t) {
			out = append(out, h.Concept)
		}
	}
	return out
}
