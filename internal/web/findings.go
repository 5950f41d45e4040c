package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/charts"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/search"
)

func (p *Pages) registerFindings(g *gin.RouterGroup, expensive gin.HandlerFunc) {
	g.GET("/findings", expensive, p.findingsPage)
}

// findingsArea is one area of the findings page: its charts and the tools the study
// lists for it.
type findingsArea struct {
	ID, Name  string
	Practices int
	Href      string
	Charts    []findingsChart
	Tools     []findingsTools
	// Groups and Priorities: the study as a whole only.
	Groups, Priorities []string
}

type findingsChart struct {
	HTML   template.HTML
	Source string
}

type findingsTools struct {
	Title string
	Items []string
}

// findingsPage shows the study in figures, area by area; the count of practices per
// area comes from one search.
func (p *Pages) findingsPage(c *gin.Context) {
	all, err := p.cfg.Service.Search(c.Request.Context(), search.Request{Limit: 1})
	if err != nil {
		p.fail(c, err)
		return
	}
	counts := map[string]int{}
	for _, f := range all.Facets["area"] {
		counts[f.Value] = f.Count
	}
	fv := findingsView{f: p.cfg.Findings, lang: negotiate(c), cat: p.catalog}
	var areas []findingsArea
	for _, a := range fv.f.Areas() {
		if a == findings.General {
			continue // the study as a whole comes last, after the areas
		}
		areas = append(areas, fv.area(a, counts[a]))
	}
	areas = append(areas, fv.area(findings.General, int(all.Total)))
	p.render(c, http.StatusOK, "findings", map[string]any{
		"Study": fv.f.Study, "Figures": len(fv.f.Figures), "Areas": areas,
	})
}

// findingsView builds the page's charts in one language.
type findingsView struct {
	f    *findings.Findings
	lang string
	cat  *i18n.Catalog
}

func (v findingsView) t(key string, args ...any) string { return v.cat.T(v.lang, key, args...) }

func (v findingsView) areaName(area string) string {
	if area == findings.General {
		return v.t("findings.area.general")
	}
	return v.t("area." + area)
}

// searchLink links to the practices of area (every practice for the study as a whole),
// matching words when given.
func searchLink(area, words string) string {
	q := url.Values{}
	if area != findings.General {
		q.Set("area", area)
	}
	if words != "" {
		q.Set("q", words)
	}
	if len(q) == 0 {
		return "/search"
	}
	return "/search?" + q.Encode()
}

func (v findingsView) area(area string, practices int) findingsArea {
	out := findingsArea{ID: area, Name: v.areaName(area), Practices: practices, Href: searchLink(area, "")}
	inDistribution := map[string]bool{}
	for _, d := range v.f.DistributionsOf(area, "") {
		out.Charts = append(out.Charts, v.distribution(d))
		for _, x := range d.Parts {
			inDistribution[x.ID] = true
		}
	}
	var rest []findings.Figure
	for _, x := range v.f.Select(area, "") {
		if !inDistribution[x.ID] {
			rest = append(rest, x)
		}
	}
	if len(rest) > 0 {
		out.Charts = append(out.Charts, v.bars(area, rest))
	}
	for _, l := range v.f.ToolsOf(area) {
		t := findingsTools{Title: l.Title.In(v.lang)}
		for _, it := range l.Items {
			t.Items = append(t.Items, it.Text.In(v.lang))
		}
		out.Tools = append(out.Tools, t)
	}
	if area == findings.General {
		for _, g := range v.f.VulnerableGroups.Groups {
			out.Groups = append(out.Groups, v.t("group."+g))
		}
		for _, a := range v.f.Priorities.Areas {
			out.Priorities = append(out.Priorities, v.t("area."+a))
		}
	}
	return out
}

// question names what a distribution answers: its topic, and its subject or crisis.
func (v findingsView) question(d findings.Distribution) string {
	q := v.t("findings.question." + d.Topic)
	switch {
	case d.Crisis != "":
		return q + ": " + v.t("crisis."+d.Crisis)
	case d.Subject != "":
		return q + ": " + v.t("findings.subject."+d.Subject)
	}
	return q
}

func (v findingsView) distribution(d findings.Distribution) findingsChart {
	scale, _ := v.f.Scale(d.Scale)
	var parts []charts.Part
	var said []string
	for _, x := range d.Parts {
		var labels []string
		for _, a := range x.Answers {
			labels = append(labels, scale.Answers[scale.Index(a)].Label.In(v.lang))
		}
		label := strings.Join(labels, " "+v.t("findings.or")+" ")
		text := charts.Percent(x.Value, v.lang)
		parts = append(parts, charts.Part{Label: label, Value: x.Value, Text: text, Href: searchLink(d.Area, x.Search), Legend: v.t("findings.legend", label, text)})
		said = append(said, label+" "+text)
	}
	base := v.base(d.Parts[0])
	desc := v.t("findings.desc.distribution", base, strings.Join(said, ", "))
	if rest := d.Unstated(); rest >= 0.5 {
		text := charts.Percent(rest, v.lang)
		label := v.t("findings.unstated")
		parts = append(parts, charts.Part{Label: label, Value: rest, Text: text, Unstated: true, Legend: v.t("findings.legend", label, text)})
		desc += " " + v.t("findings.desc.unstated", text)
	}
	title := v.areaName(d.Area) + " · " + v.question(d)
	html := charts.Distribution(charts.Chart{Title: title, Desc: desc, Table: v.t("findings.table"),
		Columns: [2]string{v.t("findings.col.answer"), v.t("findings.col.share")}, ID: "chart-" + d.ID}, parts, charts.Marker{})
	return findingsChart{HTML: html, Source: v.source(d.Parts)}
}

func (v findingsView) bars(area string, figures []findings.Figure) findingsChart {
	var bars []charts.Bar
	for _, x := range figures {
		label := x.Measures.In(v.lang)
		if x.Base != "participating-cities" {
			label += " (" + v.base(x) + ")"
		}
		bars = append(bars, charts.Bar{Label: label, Value: x.Value, Text: charts.Percent(x.Value, v.lang), Href: searchLink(area, x.Search)})
	}
	title := v.areaName(area) + " · " + v.t("findings.question.figures")
	desc := v.t("findings.desc.bars", len(bars))
	html := charts.Bars(charts.Chart{Title: title, Desc: desc, Table: v.t("findings.table"),
		Columns: [2]string{v.t("findings.col.figure"), v.t("findings.col.share")}, ID: "chart-" + area + "-figures"}, bars)
	return findingsChart{HTML: html, Source: v.source(figures)}
}

func (v findingsView) base(x findings.Figure) string {
	b, _ := v.f.Base(x.Base)
	return b.Text.In(v.lang)
}

// source cites the sections the figures are printed in, in the study's order.
func (v findingsView) source(figures []findings.Figure) string {
	var cited []string
	for _, s := range v.f.Sections {
		if slices.ContainsFunc(figures, func(x findings.Figure) bool { return slices.Contains(x.Sections(), s.ID) }) {
			cited = append(cited, v.t("findings.section", s.Title.In(v.lang), s.Page))
		}
	}
	return v.t("findings.source", strings.Join(cited, "; "))
}
