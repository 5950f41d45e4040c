package charts

import (
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wellFormed parses a chart as XML: a broken tag in the templates fails here.
func wellFormed(t *testing.T, html string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(html))
	d.Strict = true
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, html)
		}
	}
}

func TestBars(t *testing.T) {
	out := string(Bars(Chart{Title: "Measures <in> mobility", Desc: "Share of the cities that took each measure.", Table: "The figures", Columns: [2]string{"Measure", "Share"}}, []Bar{
		{Label: "Used real-time information on the flow of people and travellers to control crowds", Value: 54, Href: "/search?area=mobility&q=crowds"},
		{Label: "Measures to control movements", Value: 57.6, Text: "57,6\u00a0%"},
		{Label: "<script>alert(1)</script>", Value: 150},
	}))
	wellFormed(t, out)
	for _, want := range []string{
		`role="img"`,
		`<title id="chart-`,
		`<desc id="chart-`,
		`<caption class="visually-hidden">Measures &lt;in&gt; mobility</caption>`,
		`<th scope="col">Measure</th>`,
		`<a href="/search?area=mobility&amp;q=crowds">Used real-time information`,
		`<td>54%</td>`, `<td>57,6` + "\u00a0" + `%</td>`,
		`width="45.36%"`,                         // 54% of the 84% track
		`width="84%" height="18" fill="#0b4f8a"`, // 150 is drawn as 100
		`&lt;script&gt;`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bars lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>") {
		t.Error("a label was not escaped")
	}
	// aria-labelledby names the title and the description.
	m := regexp.MustCompile(`aria-labelledby="(\S+) (\S+)"`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, `<title id="`+m[1]+`"`) || !strings.Contains(out, `<desc id="`+m[2]+`"`) {
		t.Errorf("aria-labelledby does not name the title and description: %v", m)
	}
	// The long label is wrapped to fit a small screen.
	if n := strings.Count(out, "<tspan"); n < 4 {
		t.Errorf("%d label lines", n)
	}
	for _, line := range regexp.MustCompile(`<tspan[^>]*>([^<]*)</tspan>`).FindAllStringSubmatch(out, -1) {
		if len([]rune(line[1])) > wrapAt {
			t.Errorf("line %q is longer than %d", line[1], wrapAt)
		}
	}
	if Bars(Chart{Title: "a"}, nil) == "" {
		t.Error("an empty chart should still render")
	}
}

func TestDistribution(t *testing.T) {
	parts := []Part{
		{Label: "low or very low", Value: 34},
		{Label: "medium", Value: 37, Href: "/search?area=public-services"},
		{Label: "not given by the study", Value: 29, Unstated: true},
	}
	out := string(Distribution(Chart{Title: "Public services", Desc: "Levels before COVID-19", Table: "The figures", ID: "ps"}, parts, Marker{Label: "you: low", Part: 0}))
	wellFormed(t, out)
	for _, want := range []string{
		`<rect x="0%" y="30" width="34%"`,
		`<rect x="34%" y="30" width="37%"`,
		`fill="url(#ps-hatch)"`,
		`<pattern id="ps-hatch"`,
		`text-anchor="start">you: low</text>`,
		`low or very low (you: low)</th><td>34%</td>`,
		`<a href="/search?area=public-services">medium</a>`,
		`not given by the study: 29%`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("distribution lacks %s:\n%s", want, out)
		}
	}
	// Values are written inside wide parts only, never on the hatched one.
	if !strings.Contains(out, `fill="#ffffff" text-anchor="middle">34%</text>`) || strings.Contains(out, `text-anchor="middle">29%</text>`) {
		t.Errorf("values inside parts:\n%s", out)
	}
	// No marker without a label, or pointing at no part.
	for _, m := range []Marker{{}, {Label: "you", Part: 7}, {Label: "you", Part: -1}} {
		if s := string(Distribution(Chart{Title: "t"}, parts, m)); strings.Contains(s, "<polygon") {
			t.Errorf("marker %+v drawn", m)
		}
	}
	// A legend line in another language's punctuation.
	if s := string(Distribution(Chart{Title: "t"}, []Part{{Label: "élevé", Value: 37, Text: "37\u00a0%", Legend: "élevé : 37\u00a0%"}}, Marker{})); !strings.Contains(s, ">élevé : 37\u00a0%</tspan>") {
		t.Errorf("legend not used:\n%s", s)
	}
	// Shares rounded to over 100 are fitted into the bar.
	over := string(Distribution(Chart{Title: "t"}, []Part{{Label: "a", Value: 51}, {Label: "b", Value: 51}}, Marker{}))
	if !strings.Contains(over, `x="50%" y="0" width="50%"`) {
		t.Errorf("101%% not fitted:\n%s", over)
	}
}

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		v          float64
		lang, want string
	}{{57.6, "en", "57.6%"}, {57.6, "es", "57,6\u00a0%"}, {37, "fr", "37\u00a0%"}, {82.4, "pt", "82,4%"}, {6, "xx", "6%"}} {
		if got := Percent(c.v, c.lang); got != c.want {
			t.Errorf("Percent(%v, %s) = %q, want %q", c.v, c.lang, got, c.want)
		}
	}
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// Every text colour reads on its background at 4.5:1, every bar and part stands out from
// white at 3:1 (WCAG 1.4.3 and 1.4.11).
func TestContrast(t *testing.T) {
	for _, c := range Palette {
		if r := contrast(c, "#ffffff"); r < 4.5 {
			t.Errorf("palette %s on white: %.2f", c, r)
		}
	}
	out := string(Bars(Chart{Title: "t"}, []Bar{{Label: "a", Value: 10}})) +
		string(Distribution(Chart{Title: "t"}, []Part{{Label: "a", Value: 50}, {Label: "b", Value: 50, Unstated: true}}, Marker{Label: "you", Part: 0}))
	texts := regexp.MustCompile(`<text[^>]* fill="(#[0-9a-f]{6})"`).FindAllStringSubmatch(out, -1)
	if len(texts) < 3 {
		t.Fatalf("found %d text colours", len(texts))
	}
	for _, m := range texts {
		// White text stands on the palette, every other on the white page.
		bg := "#ffffff"
		if m[1] == "#ffffff" {
			bg = Palette[0]
		}
		if r := contrast(m[1], bg); r < 4.5 {
			t.Errorf("text %s on %s: %.2f", m[1], bg, r)
		}
	}
	for _, c := range []string{"#0b4f8a", "#595959"} { // the bars, the hatching
		if !strings.Contains(out, c) || contrast(c, "#ffffff") < 3 || contrast(c, "#e3e7ec") < 3 {
			t.Errorf("%s stands out too little", c)
		}
	}
}

func TestWrap(t *testing.T) {
	if got := wrap("a bb ccc dddd", 6); strings.Join(got, "|") != "a bb|ccc|dddd" {
		t.Errorf("wrap: %q", got)
	}
	if got := wrap("", 6); len(got) != 1 {
		t.Errorf("wrap of nothing: %q", got)
	}
	if got := wrap("internationalisation x", 6); got[0] != "internationalisation" {
		t.Errorf("a long word: %q", got)
	}
}
