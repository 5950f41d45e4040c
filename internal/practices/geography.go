package practices

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"unicode"
)

// Regions are the world regions of the study's table, completed for the rest of the world.
var Regions = Vocabulary{
	{"africa", "Africa"},
	{"asia", "Asia"},
	{"europe", "Europe"},
	{"latin-america", "Latin America and the Caribbean"},
	{"north-america", "North America"},
	{"oceania", "Oceania"},
}

// Country is one ISO 3166-1 country.
type Country struct {
	Code   string `json:"code" yaml:"-"`
	Name   string `json:"name" yaml:"name"`
	Region string `json:"region" yaml:"region"`
	// Languages it shares with other countries (ISO 639-1), from the languages table.
	Languages []string `json:"languages,omitempty" yaml:"-"`
}

// City is a city or local government the corpus knows facts about.
type City struct {
	ID             string   `json:"id" yaml:"id"`
	Name           string   `json:"name" yaml:"name"`
	OfficialName   string   `json:"official_name" yaml:"official_name"`
	Aliases        []string `json:"aliases,omitempty" yaml:"aliases"`
	Country        string   `json:"country" yaml:"country"`
	Region         string   `json:"region" yaml:"region"`
	PopulationBand string   `json:"population_band" yaml:"population_band"`
	Population     int      `json:"population,omitempty" yaml:"population"`
}

// Geography answers questions about countries and known cities.
type Geography struct {
	countries map[string]Country
	cities    []City
	byName    map[string]int // folded name or alias + country → index in cities
}

// ParseGeography reads cities.yaml.
func ParseGeography(data []byte) (*Geography, error) {
	var doc struct {
		Cities    []City              `yaml:"cities"`
		Languages map[string][]string `yaml:"languages"`
		Countries map[string]Country  `yaml:"countries"`
	}
	if err := yaml.UnmarshalWithOptions(data, &doc, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("cities.yaml: %s", yaml.FormatError(err, false, false))
	}
	g := &Geography{countries: map[string]Country{}, byName: map[string]int{}}
	for code, c := range doc.Countries {
		if !Regions.Has(c.Region) {
			return nil, fmt.Errorf("cities.yaml: country %s: %s", code, unknownTerm(c.Region, Regions))
		}
		c.Code = code
		g.countries[code] = c
	}
	for lang, codes := range doc.Languages {
		for _, code := range codes {
			c, ok := g.countries[code]
			if !ok {
				return nil, fmt.Errorf("cities.yaml: language %s: unknown country %q", lang, code)
			}
			c.Languages = append(c.Languages, lang)
			sort.Strings(c.Languages)
			g.countries[code] = c
		}
	}
	for i, c := range doc.Cities {
		country, ok := g.countries[c.Country]
		if !ok {
			return nil, fmt.Errorf("cities.yaml: city %s: unknown country %q", c.ID, c.Country)
		}
		if !PopulationBands.Has(c.PopulationBand) {
			return nil, fmt.Errorf("cities.yaml: city %s: %s", c.ID, unknownTerm(c.PopulationBand, PopulationBands))
		}
		if c.Region == "" {
			c.Region = country.Region
		}
		g.cities = append(g.cities, c)
		for _, n := range append([]string{c.Name, c.OfficialName, c.ID}, c.Aliases...) {
			g.byName[cityKey(n, c.Country)] = i
		}
	}
	return g, nil
}

func cityKey(name, country string) string { return Fold(name) + "|" + strings.ToUpper(country) }

// Fold lowercases s and strips accents, for matching names as people type them.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(s))
	}
	return out
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug makes a readable id from words ("Bogotá: ¡Conéctate!" → "bogota-conectate"), of
// at most max bytes.
func Slug(s string, max int) string {
	slug := strings.Trim(notSlug.ReplaceAllString(Fold(s), "-"), "-")
	if len(slug) > max {
		slug = strings.TrimRight(slug[:max], "-")
	}
	return slug
}

// HasCountry reports whether code is a known ISO 3166-1 alpha-2 code.
func (g *Geography) HasCountry(code string) bool { _, ok := g.countries[code]; return ok }

// Country returns the country with that code.
func (g *Geography) Country(code string) (Country, bool) {
	c, ok := g.countries[strings.ToUpper(code)]
	return c, ok
}

// ShareLanguage returns a language two countries share, "" when none is known.
func (g *Geography) ShareLanguage(a, b string) string {
	for _, la := range g.countries[strings.ToUpper(a)].Languages {
		for _, lb := range g.countries[strings.ToUpper(b)].Languages {
			if la == lb {
				return la
			}
		}
	}
	return ""
}

// RegionOf returns the world region of a country, "" when the code is unknown.
func (g *Geography) RegionOf(code string) string { return g.countries[strings.ToUpper(code)].Region }

// FindCity finds a known city by any of its names within a country; an empty country
// matches the first city of that name anywhere.
func (g *Geography) FindCity(name, country string) (City, bool) {
	if country != "" {
		i, ok := g.byName[cityKey(name, country)]
		if !ok {
			return City{}, false
		}
		return g.cities[i], true
	}
	for _, c := range g.cities {
		for _, n := range append([]string{c.Name, c.OfficialName, c.ID}, c.Aliases...) {
			if Fold(n) == Fold(name) {
				return c, true
			}
		}
	}
	return City{}, false
}

// Cities lists the known cities in file order.
func (g *Geography) Cities() []City { return append([]City(nil), g.cities...) }

// Countries lists every country sorted by code.
func (g *Geography) Countries() []Country {
	out := make([]Country, 0, len(g.countries))
	for _, c := range g.countries {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Enrich fills the fields derived from geography: the region from the country, and the
// population band from the city table when the practice does not give one.
func (g *Geography) Enrich(p *Practice) {
	if p.Region == "" {
		p.Region = g.RegionOf(p.Country)
	}
	if p.PopulationBand == "" {
		if c, ok := g.FindCity(p.City, p.Country); ok {
			p.PopulationBand = c.PopulationBand
		}
	}
}
