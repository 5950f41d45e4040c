package web

import (
	"cmp"
	"net/url"
	"slices"

	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// facetOrders puts the values of a facet in the order a person looks for them: sizes
// from small to large and areas as the study lists them; regions and countries by name.
// The others (tags, networks) stay most frequent first.
var facetOrders = map[string]func(a, b facetValueView) int{
	"population_band": byVocabulary(practices.PopulationBands),
	"area":            byVocabulary(practices.Areas),
	"region":          byLabel,
	"country":         byLabel,
}

func byVocabulary(v practices.Vocabulary) func(a, b facetValueView) int {
	ids := v.IDs()
	rank := func(id string) int {
		if i := slices.Index(ids, id); i >= 0 {
			return i
		}
		return len(ids) // a value outside the vocabulary (a harvested one) comes last
	}
	return func(a, b facetValueView) int {
		return cmp.Or(cmp.Compare(rank(a.Value), rank(b.Value)), byLabel(a, b))
	}
}

func byLabel(a, b facetValueView) int {
	return cmp.Or(cmp.Compare(practices.Fold(a.Label), practices.Fold(b.Label)), cmp.Compare(a.Value, b.Value))
}

func orderFacet(name string, values []facetValueView) []facetValueView {
	if order, ok := facetOrders[name]; ok {
		slices.SortStableFunc(values, order)
	}
	return values
}

// activeFilter is one selected facet value with the link that removes it.
type activeFilter struct {
	Facet, Label, Remove string
}

// activeFilters lists the selections of a search in the facets' order.
func (p *Pages) activeFilters(lang string, u *url.URL, filters map[string][]string) []activeFilter {
	var out []activeFilter
	for _, name := range schema.FacetNames {
		for _, v := range filters[name] {
			out = append(out, activeFilter{Facet: name, Label: p.facetLabel(lang, name, v), Remove: toggleURL(u, name, v)})
		}
	}
	return out
}

// sortOption is one order of the search's sort control.
type sortOption struct {
	Value    string
	Selected bool
}

func sortOptions(current string) []sortOption {
	out := make([]sortOption, 0, len(search.SortOrders))
	for i, s := range search.SortOrders {
		out = append(out, sortOption{Value: s, Selected: s == current || (current == "" && i == 0)})
	}
	return out
}
