package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/charts"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/search"
)

func (p *Pages) registerPublic(g *gin.RouterGroup, expensive gin.HandlerFunc) {
	g.GET("/", expensive, p.home)
	g.GET("/search", expensive, p.search)
	g.GET("/search.csv", expensive, p.searchCSV)
	g.GET("/practices/:id", expensive, p.practice)
	g.GET("/p/:code", expensive, p.short)
	g.GET("/recommend", expensive, p.recommend)
	g.GET("/sessions", p.sessions)
	g.GET("/feed.atom", p.feed)
	g.GET("/login", p.loginForm)
	g.POST("/login", p.login)
	g.POST("/logout", p.logout)
}

// practiceCards reads practices for lists, skipping any that vanished.
func (p *Pages) practiceCards(c *gin.Context, ids []string) []*practices.Practice {
	var out []*practices.Practice
	for _, id := range ids {
		if pr, err := p.cfg.Service.Get(c.Request.Context(), id); err == nil && !pr.Archived {
			out = append(out, pr)
		}
	}
	return out
}

// homeNewest is how many of the newest practices the home page shows.
const homeNewest = 6

func (p *Pages) home(c *gin.Context) {
	all, err := p.cfg.Service.Search(c.Request.Context(), search.Request{Limit: homeNewest, Latest: true})
	if err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	for i := range all.Hits { // each card in the reader's language when it is translated
		all.Hits[i] = all.Hits[i].In(lang)
	}
	featured, _ := p.cfg.Service.Featured()
	if len(featured) > 6 {
		featured = featured[:6]
	}
	open, _ := p.cfg.Review.Sessions(c.Request.Context(), true)
	p.render(c, http.StatusOK, "home", map[string]any{
		"Total": all.Total, "Countries": len(all.Facets["country"]), "Areas": areaCounts(all.Facets["area"]),
		"Featured": p.practiceCards(c, featured), "Newest": all.Hits, "Sessions": open,
		"Map": p.worldMap(lang, all.Facets["country"], homeCountryLink), "Headlines": p.headlines(lang),
	})
}

// headlineFigures are the three findings the home page leads with, one of each kind the
// study reports: a level of digitalisation (mobility), a measure taken (crowd control on
// real-time information) and an impact (on the economy).
var headlineFigures = []string{"mobility-level-high", "mobility-measures-real-time-crowds", "economy-impact-very-high"}

// headline is one of the study's figures as the home page shows it.
type headline struct {
	Value, Measures, Base, Area, Href string
}

func (p *Pages) headlines(lang string) []headline {
	var out []headline
	for _, id := range headlineFigures {
		x, ok := p.cfg.Findings.Figure(id)
		if !ok {
			continue // a findings file without it: the others still show
		}
		b, _ := p.cfg.Findings.Base(x.Base)
		out = append(out, headline{Value: charts.Percent(x.Value, lang), Measures: x.Measures.In(lang), Base: b.Text.In(lang),
			Area: p.catalog.T(lang, "area."+x.Area), Href: "/findings#" + x.Area})
	}
	return out
}

// areaCounts lists every area in the study's order with its number of practices.
func areaCounts(facet []search.FacetValue) []search.FacetValue {
	counts := map[string]int{}
	for _, f := range facet {
		counts[f.Value] = f.Count
	}
	out := make([]search.FacetValue, 0, len(practices.Areas))
	for _, a := range practices.Areas.IDs() {
		out = append(out, search.FacetValue{Value: a, Count: counts[a]})
	}
	return out
}

// searchRequest reads the same parameters as the API's search.
func searchRequest(c *gin.Context) search.Request {
	q := c.Request.URL.Query()
	req := search.Request{Query: q.Get("q"), Filters: map[string][]string{}, Explain: true, Sort: q.Get("sort"), Lang: negotiate(c)}
	req.Page, _ = strconv.Atoi(q.Get("page"))
	req.Limit, _ = strconv.Atoi(q.Get("limit"))
	for _, f := range schema.FacetNames {
		for _, v := range q[f] {
			if v != "" {
				req.Filters[f] = append(req.Filters[f], v)
			}
		}
	}
	return req
}

// facetView is a facet as the results page shows it: each value with its count, whether
// it is selected, and the link that toggles it.
type facetView struct {
	Name   string
	Values []facetValueView
}

type facetValueView struct {
	Value, Label, Toggle string
	Count                int
	Selected             bool
}

func (p *Pages) search(c *gin.Context) {
	req := searchRequest(c)
	res, err := p.cfg.Service.Search(c.Request.Context(), req)
	if apperr.Code(err) == apperr.Invalid {
		p.render(c, http.StatusBadRequest, "search", map[string]any{"Query": req.Query, "Error": p.fieldList(negotiate(c), apperr.As(err))})
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	for i := range res.Hits { // each card in the reader's language when it is translated
		res.Hits[i] = res.Hits[i].In(lang)
	}
	var facets []facetView
	for _, name := range schema.FacetNames {
		fv := facetView{Name: name}
		for _, v := range res.Facets[name] {
			sel := slices.Contains(req.Filters[name], v.Value)
			fv.Values = append(fv.Values, facetValueView{Value: v.Value, Label: p.facetLabel(lang, name, v.Value), Count: v.Count, Selected: sel, Toggle: toggleURL(c.Request.URL, name, v.Value)})
		}
		fv.Values = orderFacet(name, fv.Values)
		facets = append(facets, fv)
	}
	pages := int((res.Total + uint64(res.Limit) - 1) / uint64(res.Limit))
	p.render(c, http.StatusOK, "search", map[string]any{
		"Map":   p.resultMap(negotiate(c), c.Request.URL, req.Filters["country"], res.Facets["country"]),
		"Query": req.Query, "Result": res, "Facets": facets, "Filtered": len(req.Filters) > 0, "Selected": selected(req.Filters),
		"Active": p.activeFilters(lang, c.Request.URL, req.Filters), "Sorts": sortOptions(req.Sort), "Sort": req.Sort, "Filters": req.Filters,
		"Pages": pages, "Prev": pageURL(c.Request.URL, res.Page-1, pages), "Next": pageURL(c.Request.URL, res.Page+1, pages),
		"DidYouMean": didYouMeanURL(c.Request.URL, res.DidYouMean), "CSV": "/search.csv?" + exportQuery(c.Request.URL),
		"JSON": "/api/v1/search?" + exportQuery(c.Request.URL),
	})
}

// selected counts the facet values a search selects.
func selected(filters map[string][]string) int {
	n := 0
	for _, vs := range filters {
		n += len(vs)
	}
	return n
}

func (p *Pages) facetLabel(lang, facet, value string) string {
	switch facet {
	case "area", "region", "population_band":
		return p.catalog.T(lang, facet+"."+value)
	case "target_group":
		return p.catalog.T(lang, "group."+value)
	case "crisis":
		return p.catalog.T(lang, "crisis."+value)
	case "country":
		if n := p.catalog.Country(lang, value); n != "" {
			return n
		}
		if c, ok := p.cfg.Geo.Country(value); ok {
			return c.Name
		}
	case "network":
		if value == schema.LocalNetwork {
			return p.cfg.NetworkName
		}
	}
	return value
}

// toggleURL is the current search with one facet value added or removed, from page 1.
func toggleURL(u *url.URL, facet, value string) string {
	q := u.Query()
	q.Del("page")
	vals := q[facet]
	q.Del(facet)
	found := false
	for _, v := range vals {
		if v == value {
			found = true
			continue
		}
		q.Add(facet, v)
	}
	if !found {
		q.Add(facet, value)
	}
	return "/search?" + q.Encode()
}

func pageURL(u *url.URL, page, pages int) string {
	if page < 1 || page > pages {
		return ""
	}
	q := u.Query()
	q.Set("page", strconv.Itoa(page))
	return "/search?" + q.Encode()
}

func didYouMeanURL(u *url.URL, dym string) string {
	if dym == "" {
		return ""
	}
	q := u.Query()
	q.Set("q", dym)
	q.Del("page")
	return "/search?" + q.Encode()
}

// exportQuery keeps the query and filters, dropping paging and the page's own settings.
func exportQuery(u *url.URL) string {
	q := u.Query()
	for _, k := range []string{"page", "lang", "limit"} {
		q.Del(k)
	}
	q.Set("limit", "100")
	return q.Encode()
}

// searchCSV exports the practices a search finds (up to 100), as the CSV export does.
func (p *Pages) searchCSV(c *gin.Context) {
	req := searchRequest(c)
	req.Explain, req.Page, req.Limit = false, 1, search.MaxLimit
	res, err := p.cfg.Service.Search(c.Request.Context(), req)
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="practices.csv"`)
	// The byte order mark tells spreadsheet programs the text is UTF-8: without it some
	// read it in the system's code page, and every accent is garbled.
	c.Writer.WriteString("\ufeff")
	e, _ := practices.NewExporter(c.Writer, practices.FormatCSV)
	for _, h := range res.Hits {
		if pr, err := p.cfg.Service.Get(c.Request.Context(), h.ID); err == nil {
			e.Write(pr)
		}
	}
	if res.Total > uint64(len(res.Hits)) { // said in the file, where whoever opens it sees it
		e.Note(p.catalog.T(negotiate(c), "search.csv.cut", len(res.Hits), res.Total))
	}
	e.Close()
}

func (p *Pages) practice(c *gin.Context) {
	id := c.Param("id")
	if to, ok := p.cfg.Service.Redirect(id); ok {
		c.Redirect(http.StatusMovedPermanently, "/practices/"+to)
		return
	}
	pr, err := p.cfg.Service.Get(c.Request.Context(), id)
	if err != nil {
		p.fail(c, err)
		return
	}
	var similar []app.SearchHit
	if !pr.Archived {
		if s, err := p.cfg.Service.Similar(c.Request.Context(), id, 5); err == nil {
			similar = s.Similar
		}
	}
	var session *review.Session
	if pr.Session != "" {
		session, _ = p.cfg.Review.Session(c.Request.Context(), pr.Session)
	}
	country, _ := p.cfg.Geo.Country(pr.Country)
	permalink := p.abs("/practices/" + pr.ID)
	pv := p.cfg.Service.ProvenanceOf(pr)
	canonical := permalink
	if pv.Canonical != "" {
		canonical = pv.Canonical
	}
	text := textOf(c, pr, negotiate(c))
	text.Body, text.Results = resultsOnce(text.Body, text.Results)
	date := p.dateOf(c.Request.Context(), pr)
	data := map[string]any{
		"P": pr, "Country": country, "Similar": similar, "Session": session, "Permalink": permalink, "Canonical": canonical,
		"Provenance": pv, "NetworkEmail": p.cfg.NetworkEmail, "JSONLD": p.jsonLD(pr, country.Name, permalink, canonical, pv, date),
		"Text": text, "Date": date, "Description": description(text.Summary), "Author": p.cfg.Review.NoteOf(c.Request.Context(), pr.ID, pr.Version),
	}
	if canonical == permalink { // a short link resolves to the practices whose page is here
		data["Short"] = p.abs("/p/" + shortCode(pr.ID))
	}
	p.render(c, http.StatusOK, "practice", data)
}

// abs makes an absolute URL from the configured base URL, never from the request's Host,
// which the client chooses.
func (p *Pages) abs(path string) string { return p.cfg.BaseURL + path }

// jsonLD describes a practice for search engines (schema.org), without any contact.
func (p *Pages) jsonLD(pr *practices.Practice, country, permalink, canonical string, pv app.Provenance, date practiceDate) map[string]any {
	sameAs := append([]string{pv.Identity}, pr.SameAs...)
	if canonical != permalink {
		sameAs = append(sameAs, permalink)
	}
	return map[string]any{
		"@context": "https://schema.org", "@type": "CreativeWork", "@id": canonical, "url": permalink,
		"identifier": pv.Identity, "sameAs": sameAs,
		"name": pr.Title, "abstract": pr.Summary, "inLanguage": pr.Language(), "keywords": strings.Join(pr.Tags, ", "),
		"about": pr.Areas, "version": pr.Version, "datePublished": date.ISO(), "dateModified": pr.UpdatedAt.Format(time.RFC3339),
		"isBasedOn": pr.Source, "publisher": map[string]any{"@type": "Organization", "name": p.cfg.NetworkName},
		"spatialCoverage": map[string]any{"@type": "Place", "name": pr.City, "address": map[string]any{"@type": "PostalAddress", "addressCountry": pr.Country, "addressRegion": country}},
	}
}

// translate gives each recommended practice's title and summary, and the result its
// reasons quote, in lang where the practice is translated into it.
func (p *Pages) translate(ctx context.Context, res *recommend.Result, lang string) {
	for i := range res.Recommendations {
		rec := &res.Recommendations[i]
		pr, err := p.cfg.Service.Get(ctx, rec.Practice.ID)
		if err != nil {
			continue // as the recommender read it
		}
		t := translationIn(pr, lang)
		if t == nil {
			continue
		}
		rec.Practice.Title, rec.Practice.Summary, rec.Practice.Lang = t.Title, t.Summary, t.Language
		for j, r := range rec.Reasons {
			if r.Says.Key != "reason.evidence.results" || len(t.Results) != len(pr.Results) {
				continue
			}
			if k := slices.Index(pr.Results, fmt.Sprint(r.Says.Args[0].Value)); k >= 0 {
				rec.Reasons[j].Says.Args = []i18n.Arg{i18n.Value(t.Results[k])}
			}
		}
	}
}

// recommend shows the form, and, when the form was sent, the recommendations. Each list
// of the profile comes as ticked terms and as free words (FIELD_text), read alike.
func (p *Pages) recommend(c *gin.Context) {
	q := c.Request.URL.Query()
	words := func(field string) []string { return append(q[field], q[field+"_text"]...) }
	form := recommend.Profile{City: q.Get("city"), Country: q.Get("country"), Need: q.Get("need"),
		WeakAreas: q["weak_areas"], Resources: words("resources"), PriorityGroups: words("priority_groups"),
		Crises: words("crises"), Severity: map[string]string{}}
	form.Population, _ = strconv.Atoi(q.Get("population"))
	for _, a := range form.WeakAreas {
		if s := q.Get("severity_" + a); s != "" {
			form.Severity[a] = s
		}
	}
	data := map[string]any{"Form": form, "Errors": map[string]string{}, "Countries": p.countries(c),
		"Words": map[string]string{"resources": q.Get("resources_text"), "priority_groups": q.Get("priority_groups_text"), "crises": q.Get("crises_text")}}
	if len(q) == 0 || (len(q) == 1 && q.Has("lang")) {
		p.render(c, http.StatusOK, "recommend", data)
		return
	}
	res, err := p.cfg.Service.Recommend(c.Request.Context(), form)
	if apperr.Code(err) == apperr.Invalid {
		data["Errors"] = p.formErrors(c, err)
		p.render(c, http.StatusBadRequest, "recommend", data)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.translate(c.Request.Context(), res, negotiate(c))
	res.SayIn(p.catalog, negotiate(c))
	data["Result"] = res
	p.render(c, http.StatusOK, "recommend", data)
}

func (p *Pages) sessions(c *gin.Context) {
	ss, err := p.cfg.Review.Sessions(c.Request.Context(), false)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "sessions", map[string]any{"Sessions": ss})
}

// Atom feed of the most recently published or updated practices.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Updated    string         `xml:"updated"`
	Link       atomLink       `xml:"link"`
	Summary    string         `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

const feedSize = 20

func (p *Pages) feed(c *gin.Context) {
	res, err := p.cfg.Service.Search(c.Request.Context(), search.Request{Limit: feedSize, Latest: true})
	if err != nil {
		p.fail(c, err)
		return
	}
	f := atomFeed{Title: p.cfg.NetworkName + ": " + p.catalog.T("en", "feed.title"), ID: p.abs("/feed.atom"),
		Links: []atomLink{{Href: p.abs("/feed.atom"), Rel: "self"}, {Href: p.abs("/")}}, Author: atomPerson{Name: p.cfg.NetworkName}}
	latest := time.Time{}
	for _, h := range res.Hits {
		pr, err := p.cfg.Service.Get(c.Request.Context(), h.ID)
		if err != nil {
			continue
		}
		if pr.UpdatedAt.After(latest) {
			latest = pr.UpdatedAt
		}
		e := atomEntry{Title: pr.Title, ID: p.abs("/practices/" + pr.ID), Updated: pr.UpdatedAt.Format(time.RFC3339),
			Link: atomLink{Href: p.abs("/practices/" + pr.ID)}, Summary: pr.Summary}
		for _, a := range pr.Areas {
			e.Categories = append(e.Categories, atomCategory{Term: a})
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = latest.Format(time.RFC3339)
	c.Header("Content-Type", "application/atom+xml; charset=utf-8")
	c.Status(http.StatusOK)
	fmt.Fprint(c.Writer, xml.Header)
	enc := xml.NewEncoder(c.Writer)
	enc.Indent("", "  ")
	enc.Encode(f)
}
