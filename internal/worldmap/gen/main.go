// Gen converts Natural Earth's 1:110m country shapes (npm's world-atlas TopoJSON) into the
// SVG paths package worldmap embeds; `go generate ./internal/worldmap` runs it.
package main

// Gen runs once, after `npm ci --prefix e2e`; its output is committed, so neither the
// build nor the server needs Node.
//
// The shapes are projected with the Natural Earth projection (Šavrič, Patterson, Jenny,
// the one d3-geo's geoNaturalEarth1 computes), keyed by ISO 3166-1 alpha-2 code through
// the numeric codes world-atlas uses (from i18n-iso-countries' table). Antarctica is left
// out: no city of the knowledge base is there and it would take a fifth of the height.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Width is the width of the map's frame in SVG units; paths are written to tenths of one.
const Width = 1000

// antarctica is the numeric ISO code left out.
const antarctica = "010"

func main() {
	topo := flag.String("topo", "../../e2e/node_modules/world-atlas/countries-110m.json", "world-atlas TopoJSON")
	codes := flag.String("codes", "../../e2e/node_modules/i18n-iso-countries/codes.json", "i18n-iso-countries code table")
	out := flag.String("out", "shapes.go", "the Go file to write")
	flag.Parse()
	src, err := generateFiles(*topo, *codes)
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generateFiles reads both inputs and returns the Go source.
func generateFiles(topoPath, codesPath string) ([]byte, error) {
	topo, err := os.ReadFile(topoPath)
	if err != nil {
		return nil, fmt.Errorf("%w (run npm ci --prefix e2e first)", err)
	}
	codes, err := os.ReadFile(codesPath)
	if err != nil {
		return nil, fmt.Errorf("%w (run npm ci --prefix e2e first)", err)
	}
	return generate(topo, codes)
}

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Countries struct {
			Geometries []geometry `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

type geometry struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Arcs       json.RawMessage `json:"arcs"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
}

// shape is one country's outline, ready to write.
type shape struct {
	code, name, d string
}

// generate turns the TopoJSON and the code table into the Go source of shapes.go.
func generate(topoJSON, codesJSON []byte) ([]byte, error) {
	var t topology
	if err := json.Unmarshal(topoJSON, &t); err != nil {
		return nil, fmt.Errorf("world-atlas TopoJSON: %w", err)
	}
	var table [][]string
	if err := json.Unmarshal(codesJSON, &table); err != nil {
		return nil, fmt.Errorf("i18n-iso-countries codes.json: %w", err)
	}
	alpha2 := map[string]string{} // numeric → alpha-2
	for _, row := range table {
		if len(row) >= 3 {
			alpha2[row[2]] = row[0]
		}
	}
	arcs := decodeArcs(t)
	top, bottom := math.Inf(1), math.Inf(-1)
	var shapes []shape
	var rings [][][][2]float64 // per shape, its rings, projected
	for _, g := range t.Objects.Countries.Geometries {
		if g.ID == antarctica {
			continue
		}
		polys, err := polygons(g)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
		}
		var rs [][][2]float64
		for _, poly := range polys {
			for _, ring := range poly {
				pts, err := ringPoints(ring, arcs)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
				}
				for _, piece := range splitAntimeridian(pts) {
					for i, p := range piece {
						x, y := naturalEarth(p[0], p[1])
						piece[i] = [2]float64{x, y}
						top, bottom = math.Min(top, y), math.Max(bottom, y)
					}
					rs = append(rs, piece)
				}
			}
		}
		// Shapes without an ISO code (Kosovo, Northern Cyprus, Somaliland) are drawn as
		// land that no practice is placed in.
		shapes = append(shapes, shape{code: alpha2[g.ID], name: g.Properties.Name})
		rings = append(rings, rs)
	}
	left, _ := naturalEarth(-180, 0)
	right, _ := naturalEarth(180, 0)
	scale := Width / (right - left)
	height := math.Ceil((bottom - top) * scale)
	for i, rs := range rings {
		var b strings.Builder
		for _, r := range rs {
			writeRing(&b, r, func(p [2]float64) (int, int) {
				return int(math.Round((p[0] - left) * scale * 10)), int(math.Round((p[1] - top) * scale * 10))
			})
		}
		shapes[i].d = b.String()
	}
	sort.SliceStable(shapes, func(i, j int) bool {
		if shapes[i].code != shapes[j].code {
			return shapes[i].code < shapes[j].code
		}
		return shapes[i].name < shapes[j].name
	})
	return source(shapes, Width, int(height))
}

// decodeArcs undoes TopoJSON's quantisation and delta encoding: longitude, latitude.
func decodeArcs(t topology) [][][2]float64 {
	out := make([][][2]float64, len(t.Arcs))
	for i, arc := range t.Arcs {
		var x, y float64
		pts := make([][2]float64, len(arc))
		for j, d := range arc {
			x, y = x+d[0], y+d[1]
			pts[j] = [2]float64{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
		}
		out[i] = pts
	}
	return out
}

// polygons reads a geometry's arc indexes as polygons of rings.
func polygons(g geometry) ([][][]int, error) {
	switch g.Type {
	case "Polygon":
		var p [][]int
		err := json.Unmarshal(g.Arcs, &p)
		return [][][]int{p}, err
	case "MultiPolygon":
		var mp [][][]int
		err := json.Unmarshal(g.Arcs, &mp)
		return mp, err
	}
	return nil, fmt.Errorf("geometry type %q is not a polygon", g.Type)
}

// ringPoints joins a ring's arcs; a negative index ~i is arc i reversed, and each arc
// after the first starts where the one before ended.
func ringPoints(ring []int, arcs [][][2]float64) ([][2]float64, error) {
	var pts [][2]float64
	for k, idx := range ring {
		reversed := idx < 0
		if reversed {
			idx = ^idx
		}
		if idx >= len(arcs) {
			return nil, fmt.Errorf("arc %d out of range", idx)
		}
		arc := arcs[idx]
		seg := make([][2]float64, len(arc))
		copy(seg, arc)
		if reversed {
			for i, j := 0, len(seg)-1; i < j; i, j = i+1, j-1 {
				seg[i], seg[j] = seg[j], seg[i]
			}
		}
		if k > 0 {
			seg = seg[1:]
		}
		pts = append(pts, seg...)
	}
	return pts, nil
}

// splitAntimeridian cuts a ring that crosses the 180th meridian (Fiji, Chukotka) into
// the pieces either side, so that no edge is drawn across the whole map. The ring's
// longitudes are first made continuous, then it is clipped on both sides of the line.
func splitAntimeridian(ring [][2]float64) [][][2]float64 {
	un := make([][2]float64, len(ring))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, p := range ring {
		if i > 0 {
			for d := p[0] - un[i-1][0]; d > 180; d -= 360 {
				p[0] -= 360
			}
			for d := p[0] - un[i-1][0]; d < -180; d += 360 {
				p[0] += 360
			}
		}
		un[i] = p
		lo, hi = math.Min(lo, p[0]), math.Max(hi, p[0])
	}
	var line float64
	switch {
	case hi > 180:
		line = 180
	case lo < -180:
		line = -180
	default:
		return [][][2]float64{un}
	}
	var out [][][2]float64
	for _, side := range []float64{-1, 1} {
		piece := clip(un, line, side)
		if len(piece) < 3 {
			continue
		}
		if (side > 0) == (line > 0) { // the part beyond the line goes to the other edge
			for i := range piece {
				piece[i][0] -= math.Copysign(360, line)
			}
		}
		out = append(out, piece)
	}
	return out
}

// clip keeps the part of a ring on one side of the meridian lon (side -1: west of it,
// 1: east), adding the points where its edges cross it (Sutherland–Hodgman).
func clip(ring [][2]float64, lon, side float64) [][2]float64 {
	inside := func(p [2]float64) bool { return (p[0]-lon)*side >= 0 }
	var out [][2]float64
	for i, cur := range ring {
		prev := ring[(i+len(ring)-1)%len(ring)]
		if inside(cur) != inside(prev) {
			t := (lon - prev[0]) / (cur[0] - prev[0])
			out = append(out, [2]float64{lon, prev[1] + t*(cur[1]-prev[1])})
		}
		if inside(cur) {
			out = append(out, cur)
		}
	}
	return out
}

// naturalEarth projects degrees with the Natural Earth projection; y grows downwards.
func naturalEarth(lon, lat float64) (float64, float64) {
	l, p := lon*math.Pi/180, lat*math.Pi/180
	p2 := p * p
	p4 := p2 * p2
	x := l * (0.8707 - 0.131979*p2 + p4*(-0.013791+p4*(0.003971*p2-0.001529*p4)))
	y := p * (1.007226 + p2*(0.015085+p4*(-0.044475+0.028874*p2-0.005916*p4)))
	return x, -y
}

// writeRing writes one closed ring: an absolute move, then relative steps in tenths of a
// unit, dropping the steps that rounding made empty. A ring that rounds to fewer than
// three points (an islet at this scale) is left out.
func writeRing(b *strings.Builder, ring [][2]float64, at func([2]float64) (int, int)) {
	type pt struct{ x, y int }
	var pts []pt
	for _, p := range ring {
		x, y := at(p)
		if n := len(pts); n > 0 && pts[n-1] == (pt{x, y}) {
			continue
		}
		pts = append(pts, pt{x, y})
	}
	if n := len(pts); n > 1 && pts[0] == pts[n-1] {
		pts = pts[:n-1]
	}
	if len(pts) < 3 {
		return
	}
	fmt.Fprintf(b, "M%s %s", tenths(pts[0].x), tenths(pts[0].y))
	b.WriteByte('l')
	for i := 1; i < len(pts); i++ {
		if i > 1 && pts[i].x-pts[i-1].x >= 0 {
			b.WriteByte(' ')
		}
		dx, dy := tenths(pts[i].x-pts[i-1].x), tenths(pts[i].y-pts[i-1].y)
		b.WriteString(dx)
		if !strings.HasPrefix(dy, "-") {
			b.WriteByte(' ')
		}
		b.WriteString(dy)
	}
	b.WriteByte('z')
}

// tenths writes n/10 as briefly as SVG reads it: 12 → 1.2, 5 → .5, -5 → -.5, 30 → 3.
func tenths(n int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.Itoa(n / 10)
	if f := n % 10; f != 0 {
		if s == "0" {
			s = ""
		}
		s += "." + strconv.Itoa(f)
	}
	if neg {
		s = "-" + s
	}
	return s
}

func source(shapes []shape, width, height int) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`// Code generated by go run ./gen (go generate ./internal/worldmap); DO NOT EDIT.

// The country shapes are Natural Earth's 1:110m Admin 0 countries (public domain,
// naturalearthdata.com), as npm's world-atlas 2.0.2 ships them in TopoJSON (ISC licence,
// Mike Bostock), projected with the Natural Earth projection, keyed by ISO 3166-1 alpha-2
// through i18n-iso-countries 7.14.0's code table (MIT licence).

package worldmap

`)
	fmt.Fprintf(&b, "// ViewBox is the frame of the paths, in SVG units.\nconst (\n\tWidth  = %d\n\tHeight = %d\n)\n\n", width, height)
	b.WriteString("var shapes = []Shape{\n")
	for _, s := range shapes {
		fmt.Fprintf(&b, "\t{Code: %q, Name: %q, D: %q},\n", s.code, s.name, s.d)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
