package index

import (
	"slices"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// document turns a practice into the fields the mapping indexes. Its text goes to the
// fields of its language; keywords gather the words of its tags, target groups, crises,
// city and country so that "drones Montevideo" finds what the text alone might not say; concepts
// hold the thesaurus concepts its text names, once per mention, and lead_concepts those
// its title and summary name, so that a query in another language finds it.
func (ix *Index) document(p *practices.Practice) map[string]any {
	lang := p.Language()
	if !isLanguage(lang) {
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
	if ix.geo != nil {
		if c, ok := ix.geo.Country(p.Country); ok {
			kw = append(kw, c.Name)
		}
	}
	keywords := strings.Join(kw, ". ")
	lead := p.Title + "\n" + p.Summary
	leadConcepts := ix.conceptIDs(lang, lead)
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
	concepts := append(ix.conceptIDs(lang, keywords, p.Body), leadConcepts...)
	doc := map[string]any{
		allFacetsField:       facets,
		conceptsField:        concepts,
		leadConceptsField:    leadConcepts,
		broaderConceptsField: ix.broaderConcepts(concepts),
		"id":                 p.ID,
		cityField:            p.City,
		citySuggestField:     p.City,
		titleSuggestField:    p.Title,
		"title_" + lang:      p.Title,
		"summary_" + lang:    p.Summary,
		"keywords_" + lang:   keywords,
		"body_" + lang:       p.Body,
		// The exact words of the title, summary and keywords, per language: enough to rank
		// a word as typed above its stems, without tokenizing the body a second time.
		exactFieldOf(lang): strings.Join([]string{p.Title, p.Summary, keywords}, "\n"),
		titleSortField:     practices.Fold(p.Title),
		citySortField:      practices.Fold(p.City),
		"areas":            p.Areas,
		"region":           p.Region,
		"country":          p.Country,
		"population_band":  p.PopulationBand,
		"tags":             p.Tags,
		"crises":           p.Crises,
		"target_groups":    p.TargetGroups,
		"status":           p.Status,
		"network":          Network(p),
		"updated":          p.UpdatedAt,
	}
	// A translation is searched in its language too (a Spanish case with an English
	// translation answers English words), apart from the authors' text. Its whole text:
	// a query is read in its own language's fields only, so the translated bodies no longer
	// answer an English query's look-alikes (they once took nDCG@10 from 0.929 to 0.919).
	langs := []string{lang}
	for _, t := range p.Translations {
		if tl := t.Language; isLanguage(tl) && !slices.Contains(langs, tl) {
			langs = append(langs, tl)
			doc["title_"+tl], doc["summary_"+tl], doc["body_"+tl] = t.Title, t.Summary, t.Body
			doc[exactFieldOf(tl)] = t.Title + "\n" + t.Summary
		}
	}
	doc[langField] = langs
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

func isLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// broaderConcepts lists, once per mention of each concept, the concepts above it as
// "distance:id".
func (ix *Index) broaderConcepts(concepts []string) []string {
	var out []string
	for _, c := range concepts {
		out = append(out, ix.concepts.Above(c)...)
	}
	return out
}

// conceptIDs lists the concepts named in the texts, once per mention.
func (ix *Index) conceptIDs(lang string, texts ...string) []string {
	var out []string
	for _, t := range texts {
		for _, h := range ix.concepts.Match(lang, t) {
			out = append(out, h.Concept)
		}
	}
	return out
}
