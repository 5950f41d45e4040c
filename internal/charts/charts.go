// Package charts draws accessible charts of percentages as inline SVG, on the server: bars
// and 100% bars, each with its numbers in a table.
package charts

// Drawn on the server, a chart needs no JavaScript, no external service and no image
// files. Each chart is a <figure> holding an SVG with role="img", a <title> and a <desc>
// (its accessible name and description), then the numbers as a table inside a <details>,
// whose rows carry the links: links cannot live inside an image, whose content assistive
// technologies do not expose. Text is SVG text in the page's own font at a fixed size (bar
// lengths are percentages of the width instead), so the labels stay legible at 360 px;
// every value is written out, so nothing is said by colour alone.
//
// gonum.org/v1/plot's vgsvg backend was weighed and not taken: it writes a fixed <svg>
// header with no role, aria-labelledby, <title> or <desc> and no way to add them, sizes
// the picture in points (it shrinks with the screen instead of wrapping), cannot link a
// bar or add a table, and would bring fonts, LaTeX and PDF modules for two bar shapes.

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Chart is what a chart says in words: its title, a sentence describing what it shows,
// and the summary of the table of its numbers. Columns, when set, head the table's two
// columns (what, share). ID, when set, prefixes the ids the chart uses (else they are
// made from its content).
type Chart struct {
	Title, Desc, Table string
	Columns            [2]string
	ID                 string
}

// Bar is one bar of a bar chart: Value percent, shown as Text (Percent(Value, "en") when
// empty), linked to Href in the table when set.
type Bar struct {
	Label string
	Value float64
	Text  string
	Href  string
}

// Part is one part of a 100% bar. Unstated marks the share the source does not give:
// drawn hatched instead of filled. Legend is its line in the legend ("Label: Text" when
// empty; languages punctuate it differently).
type Part struct {
	Label    string
	Value    float64
	Text     string
	Href     string
	Unstated bool
	Legend   string
}

// Marker points at one part of a distribution ("you: low"); the zero Marker points at
// none.
type Marker struct {
	Label string
	Part  int
}

//go:embed charts.html
var files embed.FS

var tmpl = template.Must(template.New("charts").Funcs(template.FuncMap{"pct": pct}).ParseFS(files, "charts.html"))

// Palette fills a distribution's parts in order; each has a contrast of at least 4.5:1
// with white, against which the parts stand and in which their values are written.
var Palette = []string{"#0b4f8a", "#a34400", "#2e6b30", "#6a3d9a", "#9c1f4f", "#005f66"}

// Geometry, in CSS pixels: text does not scale with the width. The bars' track takes
// 84% of the width (charts.html), the rest is for the value after the longest bar.
const (
	lineStep  = 18
	barHeight = 18
	barGap    = 14
	wrapAt    = 42 // characters per label line, to fit a 360 px screen
	trackPct  = 84
	minInside = 12 // narrowest part, in percent, that holds its value inside
)

type line struct {
	Y    int
	Text string
}

type barView struct {
	Lines []line
	Y     int
	Width float64
	Text  string
	Label string
	Href  string
	TextY int
}

type partView struct {
	X, Width   float64
	Centre     float64
	Fill       string
	Unstated   bool
	Text       string
	Inside     bool
	Label      string
	Href       string
	SwatchY    int
	LegendText []line
	Marked     bool
}

type view struct {
	Chart
	Height int
	Bars   []barView
	Parts  []partView
	// Marker of a distribution.
	Marker       string
	MarkerX      float64
	MarkerAnchor string
	BarY         int
}

// Bars draws a horizontal bar chart: each bar's label above it, its value after it.
func Bars(c Chart, bars []Bar) template.HTML {
	v := view{Chart: c}
	y := 0
	for _, b := range bars {
		bv := barView{Label: b.Label, Href: b.Href, Width: clamp(b.Value) * trackPct / 100, Text: orPercent(b.Text, b.Value)}
		for _, l := range wrap(b.Label, wrapAt) {
			y += lineStep
			bv.Lines = append(bv.Lines, line{Y: y - 4, Text: l})
		}
		bv.Y = y + 2
		bv.TextY = bv.Y + barHeight - 4
		y = bv.Y + barHeight + barGap
		v.Bars = append(v.Bars, bv)
	}
	v.Height = max(y, 1)
	return render("bars", &v, bars)
}

// Distribution draws one 100% bar of parts in order, a marker above the part it points
// at, and a legend naming each part with its value.
func Distribution(c Chart, parts []Part, marker Marker) template.HTML {
	v := view{Chart: c}
	var total float64
	for _, p := range parts {
		total += clamp(p.Value)
	}
	// Rounded shares may add up to a little over 100: scale them into the bar.
	scale := 1.0
	if total > 100 {
		scale = 100 / total
	}
	y := 0
	if marker.Label != "" && marker.Part >= 0 && marker.Part < len(parts) {
		v.Marker = marker.Label
		y = lineStep + 12
	}
	v.BarY = y
	y += 28 + barGap
	x, colour := 0.0, 0
	for i, p := range parts {
		w := clamp(p.Value) * scale
		pv := partView{X: x, Width: w, Centre: x + w/2, Unstated: p.Unstated, Text: orPercent(p.Text, p.Value),
			Label: p.Label, Href: p.Href, Inside: w >= minInside && !p.Unstated}
		if !p.Unstated {
			pv.Fill = Palette[colour%len(Palette)]
			colour++
		}
		if v.Marker != "" && i == marker.Part {
			pv.Marked = true
			v.MarkerX = pv.Centre
			v.MarkerAnchor = "middle"
			if pv.Centre < 20 {
				v.MarkerAnchor = "start"
			} else if pv.Centre > 80 {
				v.MarkerAnchor = "end"
			}
		}
		pv.SwatchY = y + 2
		legend := p.Legend
		if legend == "" {
			legend = p.Label + ": " + pv.Text
		}
		for _, l := range wrap(legend, wrapAt-3) {
			y += lineStep
			pv.LegendText = append(pv.LegendText, line{Y: y - 4, Text: l})
		}
		y += 6
		x += w
		v.Parts = append(v.Parts, pv)
	}
	v.Height = y
	return render("distribution", &v, parts)
}

func render(name string, v *view, data any) template.HTML {
	if v.ID == "" {
		h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%v", v.Title, v.Desc, data))
		v.ID = "chart-" + hex.EncodeToString(h[:5])
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		// The templates are fixed and the buffer does not fail: this is a bug.
		panic(fmt.Sprintf("charts: %v", err))
	}
	return template.HTML(buf.String())
}

// Percent writes a percentage the way lang writes it: 57.6% in English, 57,6 % in
// Spanish and French (with a no-break space), 57,6% in Portuguese.
func Percent(v float64, lang string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	switch lang {
	case "es", "fr":
		return strings.Replace(s, ".", ",", 1) + "\u00a0%"
	case "pt":
		return strings.Replace(s, ".", ",", 1) + "%"
	}
	return s + "%"
}

func orPercent(text string, v float64) string {
	if text != "" {
		return text
	}
	return Percent(v, "en")
}

func clamp(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	return min(v, 100)
}

// pct writes a percentage of the width as an SVG length, to two decimals at most.
func pct(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + "%" }

// wrap breaks s into lines of at most n characters at spaces (a longer word stands on
// its own line); a no-break space holds, as in "37 %".
func wrap(s string, n int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }) {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= n:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}
