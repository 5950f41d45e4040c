package main

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"testing"
)

// TestShapesAreReproduced regenerates shapes.go from the npm packages and compares: the
// committed file is what the generator makes of its named source. Skipped only when
// e2e/node_modules lacks the packages (npm ci --prefix e2e installs them).
func TestShapesAreReproduced(t *testing.T) {
	src, err := generateFiles("../../../e2e/node_modules/world-atlas/countries-110m.json", "../../../e2e/node_modules/i18n-iso-countries/codes.json")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("e2e/node_modules has no world-atlas or i18n-iso-countries: run npm ci --prefix e2e")
	}
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../shapes.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, committed) {
		t.Fatal("internal/worldmap/shapes.go differs from what the generator makes of world-atlas: run go generate ./internal/worldmap")
	}
}

func TestTenths(t *testing.T) {
	for n, want := range map[int]string{0: "0", 5: ".5", -5: "-.5", 12: "1.2", -12: "-1.2", 30: "3", -30: "-3", 1234: "123.4"} {
		if got := tenths(n); got != want {
			t.Errorf("tenths(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestProjection checks what the Natural Earth projection's polynomials imply: the
// equator spans 0.8707 π either side, a parallel is straight, the map is symmetric, and
// latitude grows upwards (y downwards, as in SVG).
func TestProjection(t *testing.T) {
	if x, y := naturalEarth(180, 0); abs(x-0.8707*math.Pi) > 1e-12 || y != 0 {
		t.Errorf("naturalEarth(180, 0) = (%v, %v), want (0.8707π, 0)", x, y)
	}
	_, y0 := naturalEarth(0, 45)
	if x, y := naturalEarth(-60, 45); y != y0 || x >= 0 {
		t.Errorf("naturalEarth(-60, 45) = (%v, %v), want x < 0 and y = %v", x, y, y0)
	}
	if x1, y1 := naturalEarth(60, -45); abs(x1+mustX(-60, 45)) > 1e-12 || abs(y1+y0) > 1e-12 {
		t.Errorf("naturalEarth(60, -45) = (%v, %v), not the mirror of (-60, 45)", x1, y1)
	}
	for lat := -80.0; lat < 80; lat += 10 {
		if _, a := naturalEarth(0, lat); func() bool { _, b := naturalEarth(0, lat+10); return b >= a }() {
			t.Errorf("y does not fall from latitude %v to %v", lat, lat+10)
		}
	}
}

func mustX(lon, lat float64) float64 { x, _ := naturalEarth(lon, lat); return x }

func abs(f float64) float64 { return math.Abs(f) }

// A ring across the 180th meridian becomes two, one at each edge of the map, with no
// point past ±180.
func TestSplitAntimeridian(t *testing.T) {
	ring := [][2]float64{{178, -16}, {-179, -16}, {-179, -18}, {178, -18}}
	pieces := splitAntimeridian(ring)
	if len(pieces) != 2 {
		t.Fatalf("%d pieces, want 2: %v", len(pieces), pieces)
	}
	for _, piece := range pieces {
		for _, p := range piece {
			if p[0] < -180 || p[0] > 180 {
				t.Errorf("point %v beyond the meridian", p)
			}
		}
	}
	inside := [][2]float64{{10, 10}, {20, 10}, {20, 20}}
	if got := splitAntimeridian(inside); len(got) != 1 || len(got[0]) != 3 {
		t.Errorf("a ring that does not cross was changed: %v", got)
	}
}
