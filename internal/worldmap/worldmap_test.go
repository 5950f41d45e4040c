package worldmap

import (
	"strings"
	"testing"
)

func TestNewShadesCountriesByCount(t *testing.T) {
	m := New(map[string]int{"ES": 12, "AR": 5, "JP": 1, "SG": 2, "FR": 0})
	if m.Width != Width || m.Height != Height || m.Max != 12 || m.Total != 20 {
		t.Fatalf("frame %dx%d, max %d, total %d", m.Width, m.Height, m.Max, m.Total)
	}
	shades := map[string]int{}
	seen := map[string]bool{}
	for i, c := range m.Countries {
		if c.Code != "" {
			seen[c.Code] = true
		}
		if c.Count > 0 {
			shades[c.Code] = c.Shade
		} else if i > 0 && m.Countries[i-1].Count > 0 {
			t.Errorf("%s without practices is drawn after a shaded country, over it", c.Name)
		}
		if !strings.HasPrefix(c.D, "M") || !strings.HasSuffix(c.D, "z") {
			t.Errorf("%s: path %.20q… is not closed rings", c.Name, c.D)
		}
	}
	if len(seen) < 170 || !seen["ES"] || !seen["BR"] || !seen["ZA"] {
		t.Fatalf("only %d countries have shapes", len(seen))
	}
	if shades["ES"] != Shades || shades["JP"] != 1 || shades["AR"] <= shades["JP"] || shades["AR"] > shades["ES"] {
		t.Errorf("shades %v: the most practices should be darkest, one the palest", shades)
	}
	if _, ok := shades["FR"]; ok {
		t.Error("France has no practice but is shaded")
	}
	want := []Count{{"ES", 12, true}, {"AR", 5, true}, {"SG", 2, false}, {"JP", 1, true}}
	if len(m.Counted) != len(want) {
		t.Fatalf("counted %v, want %v", m.Counted, want)
	}
	for i := range want {
		if m.Counted[i] != want[i] {
			t.Errorf("counted[%d] = %v, want %v (Singapore is too small for a shape at 1:110m)", i, m.Counted[i], want[i])
		}
	}
	last := 0
	for _, s := range m.Legend {
		if s.From != last+1 || s.To < s.From {
			t.Errorf("legend %v leaves a gap before %d", m.Legend, s.From)
		}
		last = s.To
	}
	if last != 12 || m.Legend[0].Shade != 1 || m.Legend[len(m.Legend)-1].Shade != Shades {
		t.Errorf("legend %v does not run from shade 1 to %d over 1..12", m.Legend, Shades)
	}
}

func TestNewWithoutPractices(t *testing.T) {
	m := New(nil)
	if m.Max != 0 || len(m.Counted) != 0 || len(m.Legend) != 0 {
		t.Errorf("an empty map has max %d, %d counted, legend %v", m.Max, len(m.Counted), m.Legend)
	}
	for _, c := range m.Countries {
		if c.Shade != 0 {
			t.Fatalf("%s shaded on an empty map", c.Name)
		}
	}
}

func TestOneCountryIsDarkest(t *testing.T) {
	m := New(map[string]int{"UY": 1})
	if m.Countries[len(m.Countries)-1].Code != "UY" || m.Countries[len(m.Countries)-1].Shade != Shades {
		t.Errorf("the only country with a practice should be drawn last, darkest: %+v", m.Countries[len(m.Countries)-1].Shape.Code)
	}
}
