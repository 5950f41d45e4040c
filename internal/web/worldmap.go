package web

import (
	"net/url"
	"slices"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/worldmap"
)

// mapView is the world map as the "worldmap" template draws it.
type mapView struct {
	Width, Height int
	// Land is every country without practices, in one path: drawn, not linked.
	Land string
	// Countries are the shaded countries, each a link; List the same numbers as text,
	// with the countries too small to draw.
	Countries, List []mapCountry
	Legend          []worldmap.Step
	Total           int
}

type mapCountry struct {
	Code, Name, D, URL string
	Count, Shade       int
}

// worldMap places the country facet of a search on the map, countries named in lang;
// link gives the practices of one country.
func (p *Pages) worldMap(lang string, counts []search.FacetValue, link func(code string) string) mapView {
	byCode := make(map[string]int, len(counts))
	for _, f := range counts {
		byCode[f.Value] += f.Count
	}
	m := worldmap.New(byCode)
	v := mapView{Width: m.Width, Height: m.Height, Legend: m.Legend, Total: m.Total}
	var land strings.Builder
	for _, c := range m.Countries {
		if c.Shade == 0 {
			land.WriteString(c.D)
			continue
		}
		v.Countries = append(v.Countries, mapCountry{Code: c.Code, Name: p.countryName(lang, c.Code), D: c.D, URL: link(c.Code), Count: c.Count, Shade: c.Shade})
	}
	v.Land = land.String()
	for _, c := range m.Counted {
		v.List = append(v.List, mapCountry{Code: c.Code, Name: p.countryName(lang, c.Code), URL: link(c.Code), Count: c.Count})
	}
	return v
}

// countryName names a country in lang (CLDR's name), else as the corpus does.
func (p *Pages) countryName(lang, code string) string {
	if n := p.catalog.Country(lang, code); n != "" {
		return n
	}
	if c, ok := p.cfg.Geo.Country(code); ok {
		return c.Name
	}
	return code
}

// homeCountryLink is the search of one country's practices.
func homeCountryLink(code string) string { return "/search?country=" + url.QueryEscape(code) }

// resultMap is the map of a result set: with countries selected, only those are in it
// (the facet counts each value under the other filters, as a multi-select facet does).
// Each country links to the same search narrowed to it.
func (p *Pages) resultMap(lang string, u *url.URL, selected []string, facet []search.FacetValue) mapView {
	if len(selected) > 0 {
		facet = slices.DeleteFunc(slices.Clone(facet), func(f search.FacetValue) bool { return !slices.Contains(selected, f.Value) })
	}
	return p.worldMap(lang, facet, func(code string) string {
		q := u.Query()
		q.Del("page")
		q.Set("country", code)
		return "/search?" + q.Encode()
	})
}
