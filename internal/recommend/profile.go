package recommend

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Severities of a weak area: the study's scale of levels.
var Severities = practices.Levels

// severityWeight turns a severity into the weight of its area in the weak-area factor.
var severityWeight = map[string]float64{"very-low": 0.3, "low": 0.5, "medium": 0.7, "high": 0.85, "very-high": 1}

const defaultSeverity = "medium"

// Limits on a profile.
const (
	DefaultLimit  = 10
	MaxLimit      = 50
	MaxNeed       = 500
	MaxWords      = 30  // phrases in one field of free words
	MaxPhrase     = 200 // characters of one phrase
	maxPopulation = 100_000_000
)

// Profile describes a city and what it needs. Weak areas, priority groups, crises and
// resources take the vocabularies' ids or free words in any of the four languages, read
// into the vocabularies through the thesaurus; a group or crisis no term says is kept as
// part of the need, a resource no term says is reported back as unread.
type Profile struct {
	Name string `json:"name,omitempty"`
	// City names a city; a city of corpus/cities.yaml fills in its country, region and
	// population band.
	City           string            `json:"city,omitempty"`
	Country        string            `json:"country"`
	Region         string            `json:"region,omitempty"`
	Population     int               `json:"population"`
	WeakAreas      []string          `json:"weak_areas"`
	Severity       map[string]string `json:"severity,omitempty"`
	Need           string            `json:"need,omitempty"`
	PriorityGroups []string          `json:"priority_groups,omitempty"`
	Crises         []string          `json:"crises,omitempty"`
	Resources      []string          `json:"resources,omitempty"`
	Limit          int               `json:"limit,omitempty"`

	// Filled by Recommend.
	PopulationBand      string `json:"population_band,omitempty"`
	PopulationEstimated bool   `json:"population_estimated,omitempty"`
	// NeedAreas are areas a part of the need is about that are not among the weak areas
	// given ("independent restaurants lost customers": economy); they count as weak areas
	// of medium severity.
	NeedAreas []string `json:"need_areas,omitempty"`
}

// resolve reads the profile's words, fills what a known city implies, normalises the
// profile and checks it, naming every wrong field. It returns how the words were read
// and the parts of the need.
func (p *Profile) resolve(geo *practices.Geography, rd *reader) ([]Reading, []Part, error) {
	var f apperr.FieldErrors
	for _, wf := range wordFields {
		checkWords(&f, wf.name, *wf.list(p))
	}
	if err := f.Err("the city profile is not valid"); err != nil { // too much to read: nothing is read before it is cut down
		return nil, nil, err
	}
	readings, kept := rd.read(p)
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	p.City = strings.TrimSpace(p.City)
	p.Need = strings.TrimSpace(p.Need)
	if p.City != "" {
		if c, ok := geo.FindCity(p.City, p.Country); ok {
			p.City, p.Country = c.Name, c.Country
			if p.Region == "" {
				p.Region = c.Region
			}
			if p.Population == 0 {
				p.Population, p.PopulationEstimated = bandMidpoint(c.PopulationBand), true
			}
		} else if p.Country == "" {
			f.Add("city", fmt.Sprintf("%q is not a city the knowledge base knows; give its country and population", p.City), apperr.Unknown, p.City)
		}
	}
	switch {
	case p.Country == "" && !f.Has("city"):
		f.Add("country", "is required (an ISO 3166-1 alpha-2 code such as ES), or name a known city", apperr.Required)
	case p.Country != "" && !geo.HasCountry(p.Country):
		f.Add("country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", p.Country), apperr.NotAChoice, p.Country)
	}
	if p.Region == "" && geo.HasCountry(p.Country) {
		p.Region = geo.RegionOf(p.Country)
	} else if p.Region != "" && !practices.Regions.Has(p.Region) {
		f.Add("region", fmt.Sprintf("%q is not one of: %s", p.Region, strings.Join(practices.Regions.IDs(), ", ")), apperr.NotAChoice, p.Region)
	}
	switch {
	case p.Population < 0:
		f.Add("population", "must be a positive number of inhabitants", apperr.OutOfRange, 1, maxPopulation)
	case p.Population == 0 && !f.Has("city"):
		f.Add("population", "is required (the number of inhabitants), or name a known city", apperr.Required)
	case p.Population > maxPopulation:
		f.Add("population", fmt.Sprintf("%d inhabitants is not plausible for a city", p.Population), apperr.OutOfRange, 1, maxPopulation)
	}
	p.PopulationBand = BandOf(p.Population)
	if n := utf8.RuneCountInString(p.Need); n > MaxNeed {
		f.Add("need", fmt.Sprintf("is too long (%d characters, at most %d)", n, MaxNeed), apperr.TooLong, MaxNeed)
	}
	parts := append(splitNeed(p.Need), kept...)
	if len(p.WeakAreas) == 0 && len(parts) == 0 {
		f.Add("weak_areas", "give at least one weak area ("+strings.Join(practices.Areas.IDs(), ", ")+") or describe the need", apperr.Required)
	}
	for area, sev := range p.Severity {
		switch {
		case !slices.Contains(p.WeakAreas, area):
			f.Add("severity", fmt.Sprintf("%q is not one of the weak areas given", area), apperr.NotAChoice, area)
		case !Severities.Has(sev):
			f.Add("severity", fmt.Sprintf("%q for %s is not one of: %s", sev, area, strings.Join(Severities.IDs(), ", ")), apperr.NotAChoice, sev)
		}
	}
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		f.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit), apperr.OutOfRange, 1, MaxLimit)
	}
	if err := f.Err("the city profile is not valid"); err != nil {
		return nil, nil, err
	}
	return readings, parts, nil
}

// severity returns the severity of a weak area, medium when not given.
func (p *Profile) severity(area string) string {
	if s := p.Severity[area]; s != "" {
		return s
	}
	return defaultSeverity
}

// checkWords bounds a field of free words, so that one profile cannot make the
// recommender read a book.
func checkWords(f *apperr.FieldErrors, name string, items []string) {
	ps := phrases(items)
	if len(ps) > MaxWords {
		f.Add(name, fmt.Sprintf("has %d items, at most %d", len(ps), MaxWords), apperr.TooMany, MaxWords)
	}
	for _, s := range ps {
		if utf8.RuneCountInString(s) > MaxPhrase {
			f.Add(name, fmt.Sprintf("an item is too long (at most %d characters)", MaxPhrase), apperr.TooLong, MaxPhrase)
		}
	}
}

// BandOf returns the study's population band of a number of inhabitants.
func BandOf(population int) string {
	switch {
	case population <= 0:
		return ""
	case population < 50_000:
		return "<50k"
	case population <= 100_000:
		return "50k-100k"
	case population <= 1_000_000:
		return "100k-1M"
	default:
		return ">1M"
	}
}

// bandBounds are the smallest and largest population of each band, as BandOf draws them
// (the top band open).
var bandBounds = map[string][2]float64{
	"<50k": {1, 49_999}, "50k-100k": {50_000, 100_000}, "100k-1M": {100_001, 1_000_000}, ">1M": {1_000_001, math.Inf(1)},
}

// bandSimilarity compares a population with a size band: 1 within it, falling with the
// distance to its nearest bound on a log scale, 0 from ten times beyond it.
func bandSimilarity(population int, band string) float64 {
	b, ok := bandBounds[band]
	if !ok || population <= 0 {
		return 0
	}
	pop := float64(population)
	switch {
	case pop < b[0]:
		return math.Max(0, 1-math.Log10(b[0]/pop))
	case pop > b[1]:
		return math.Max(0, 1-math.Log10(pop/b[1]))
	}
	return 1
}

// bandMidpoint is a typical population of a band (geometric middle; 3 million for the
// open top band), used where only the band is known.
func bandMidpoint(band string) int {
	switch band {
	case "<50k":
		return 20_000
	case "50k-100k":
		return 70_000
	case "100k-1M":
		return 320_000
	case ">1M":
		return 3_000_000
	}
	return 0
}

func bandIndex(band string) int {
	for i, t := range practices.PopulationBands {
		if t.ID == band {
			return i
		}
	}
	return -1
}
