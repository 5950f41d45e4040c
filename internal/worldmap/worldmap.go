// Package worldmap lays out the world map of where the practices come from: country shapes
// shaded by how many practices each country has.
package worldmap

// The shapes are Natural Earth's (public domain), converted once by ./gen into shapes.go.
// The package computes the shapes and their shades; the page template writes the SVG, with
// its words from the message catalogues.

//go:generate go run ./gen

import (
	"math"
	"sort"
)

// Shape is one country's outline as an SVG path in the frame Width × Height. Code is
// its ISO 3166-1 alpha-2 code, empty for land without one (Kosovo, Northern Cyprus,
// Somaliland in Natural Earth's data).
type Shape struct {
	Code, Name, D string
}

// Shades is the number of steps of colour for countries with practices.
const Shades = 4

// Country is a shape on a map: Count practices, drawn in shade Shade (0: none,
// 1..Shades: more).
type Country struct {
	Shape
	Count, Shade int
}

// Map is the world with the counts of one set of practices.
type Map struct {
	Width, Height int
	// Countries are every shape, those with practices last so they are drawn on top.
	Countries []Country
	// Counted lists the countries with practices, most first, also those too small to
	// have a shape at this scale (Andorra, Singapore): the map's numbers as a list.
	Counted []Count
	// Max is the largest count; Total the sum.
	Max, Total int
	// Legend gives the counts each shade stands for, palest first.
	Legend []Step
}

// Step is the range of counts one shade stands for.
type Step struct {
	Shade, From, To int
}

// Count is the number of practices of one country.
type Count struct {
	Code  string
	Count int
	// Drawn says whether the country has a shape on the map.
	Drawn bool
}

// New places counts (ISO alpha-2 code → practices) on the map. Shades grow with the
// logarithm of the count, so that one country with many practices does not leave the
// others pale.
func New(counts map[string]int) Map {
	m := Map{Width: Width, Height: Height}
	drawn := map[string]bool{}
	var shaded []Country
	for _, c := range counts {
		m.Max = max(m.Max, c)
		m.Total += c
	}
	for _, s := range shapes {
		c := Country{Shape: s, Count: counts[s.Code]}
		if s.Code == "" || c.Count <= 0 {
			m.Countries = append(m.Countries, c)
			continue
		}
		drawn[s.Code] = true
		c.Shade = shade(c.Count, m.Max)
		shaded = append(shaded, c)
	}
	m.Countries = append(m.Countries, shaded...)
	for code, n := range counts {
		if n > 0 {
			m.Counted = append(m.Counted, Count{Code: code, Count: n, Drawn: drawn[code]})
		}
	}
	for n := 1; n <= m.Max; n++ {
		s := shade(n, m.Max)
		if k := len(m.Legend); k > 0 && m.Legend[k-1].Shade == s {
			m.Legend[k-1].To = n
			continue
		}
		m.Legend = append(m.Legend, Step{Shade: s, From: n, To: n})
	}
	sort.Slice(m.Counted, func(i, j int) bool {
		if m.Counted[i].Count != m.Counted[j].Count {
			return m.Counted[i].Count > m.Counted[j].Count
		}
		return m.Counted[i].Code < m.Counted[j].Code
	})
	return m
}

// shade maps a count in 1..max to 1..Shades on a log scale.
func shade(n, max int) int {
	if max <= 1 {
		return Shades
	}
	s := 1 + int(math.Floor(float64(Shades-1)*math.Log(float64(n))/math.Log(float64(max))+1e-9))
	return min(s, Shades)
}
