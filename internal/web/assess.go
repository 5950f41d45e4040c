package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/assess"
	"github.com/uclg-digital-cities/kb/internal/charts"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/recommend"
)

func (p *Pages) registerAssess(g *gin.RouterGroup, expensive gin.HandlerFunc) {
	g.GET("/assess", p.assessForm)
	g.POST("/assess", expensive, private, p.assess) // the answer is the city's own: never cached
	g.GET("/assess/:token", expensive, private, p.savedAssessment)
}

// Bounds of what the result page shows; the API gives all.
const (
	shownLacking = 6
	shownRecs    = 8
)

func (p *Pages) assessForm(c *gin.Context) {
	p.render(c, http.StatusOK, "assess", p.assessData(c, assess.Answers{}, nil))
}

func (p *Pages) assess(c *gin.Context) {
	in, populationOK := answersFromForm(c)
	res, err := p.cfg.Service.Assess(c.Request.Context(), in)
	var invalid *assess.Invalid
	if errors.As(err, &invalid) {
		data := p.assessData(c, in, nil)
		data["Errors"] = p.assessErrors(negotiate(c), invalid.Problems, populationOK)
		p.render(c, http.StatusBadRequest, "assess", data)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	if res.Token != "" {
		c.Redirect(http.StatusSeeOther, "/assess/"+res.Token+"?saved=1")
		return
	}
	p.render(c, http.StatusOK, "assess", p.assessData(c, in, res))
}

func (p *Pages) savedAssessment(c *gin.Context) {
	res, err := p.cfg.Service.SavedAssessment(c.Request.Context(), c.Param("token"))
	if apperr.Code(err) == apperr.NotFound {
		err = apperr.Errorf(apperr.NotFound, "%s", p.catalog.T(negotiate(c), "assess.link.invalid"))
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	data := p.assessData(c, res.Answers, res)
	if c.Query("saved") == "1" {
		data["Link"] = p.abs("/assess/" + c.Param("token"))
	}
	p.render(c, http.StatusOK, "assess", data)
}

// answersFromForm reads the questionnaire. A population that is not a number is kept as
// -1 for the service to refuse, and reported as not a number.
func answersFromForm(c *gin.Context) (assess.Answers, bool) {
	a := assess.Answers{City: c.PostForm("city"), Country: c.PostForm("country"), OtherTools: c.PostForm("other_tools"),
		Tools: c.PostFormArray("tools"), Groups: c.PostFormArray("vulnerable_groups"), Crises: c.PostFormArray("crises"),
		Save: c.PostForm("save") == "1", Levels: map[string]string{}, Impact: map[string]string{}}
	form, _ := c.MultipartForm()
	values := c.Request.PostForm
	if form != nil {
		values = form.Value
	}
	for k, v := range values {
		if len(v) == 0 || v[0] == "" {
			continue
		}
		if q, ok := strings.CutPrefix(k, "level_"); ok {
			a.Levels[q] = v[0]
		} else if q, ok := strings.CutPrefix(k, "impact_"); ok {
			a.Impact[q] = v[0]
		}
	}
	ok := true
	if raw := strings.Map(dropSeparators, c.PostForm("population")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			n, ok = -1, false
		}
		a.Population = n
	}
	return a, ok
}

// dropSeparators removes what people write between thousands: 60 000, 60,000, 60.000.
func dropSeparators(r rune) rune {
	switch r {
	case ' ', ',', '.', '\'', '\u00a0', '\u202f':
		return -1
	}
	return r
}

// assessProblem is a wrong answer as the page says it: the field's anchor and the message.
type assessProblem struct {
	Anchor, Text string
}

// assessErrs are the problems as the page shows them: by field (the field's own
// message) and as a list in the form's order (the summary).
type assessErrs struct {
	By   map[string]string
	List []assessProblem
}

// assessErrors says every problem in the visitor's language.
func (p *Pages) assessErrors(lang string, ps []assess.Problem, populationOK bool) assessErrs {
	byField := map[string]string{}
	var list []assessProblem
	for _, pr := range ps {
		key := pr.Key
		if pr.Field == "population" && !populationOK {
			key = "population.number"
		}
		arg := pr.Arg
		if strings.HasPrefix(key, "level.") || key == "question.unknown" && !strings.HasPrefix(pr.Field, "levels.") {
			arg = p.questionLabel(lang, pr.Arg)
		}
		text := p.catalog.T(lang, "assess.err."+key, arg)
		anchor := strings.NewReplacer("levels.", "level-", "impact.", "impact-").Replace(pr.Field)
		if _, seen := byField[anchor]; !seen {
			byField[anchor] = text
		}
		list = append(list, assessProblem{Anchor: anchor, Text: text})
	}
	return assessErrs{By: byField, List: list}
}

// questionLabel names a question: its area, or the half of institutional operations.
func (p *Pages) questionLabel(lang, id string) string {
	for _, q := range p.cfg.Service.AssessForm().Questions {
		if q.ID != id {
			continue
		}
		if q.Subject != "" {
			return p.catalog.T(lang, "assess.subject."+q.Subject)
		}
		return p.catalog.T(lang, "area."+q.Area)
	}
	return id
}

// assessData is what the assessment template gets: the questionnaire with the answers
// given, and the result when there is one.
func (p *Pages) assessData(c *gin.Context, a assess.Answers, res *assess.Result) map[string]any {
	lang := negotiate(c)
	form := p.cfg.Service.AssessForm()
	var qs []questionView
	for _, q := range form.Questions {
		qs = append(qs, questionView{ID: q.ID, Label: p.questionLabel(lang, q.ID), Level: a.Levels[q.ID], Impact: a.Impact[q.ID],
			Tools: p.toolLists(lang, q.Tools, a.Tools)})
	}
	data := map[string]any{"Answers": a, "Questions": qs, "Other": p.toolLists(lang, form.Other, a.Tools), "Groups": form.Groups,
		"Countries": p.countries(c), "Errors": assessErrs{By: map[string]string{}}}
	if res != nil {
		data["Result"] = p.resultView(lang, res, qs)
	}
	return data
}

type questionView struct {
	ID, Label, Level, Impact string
	Tools                    []toolListView
}

type toolListView struct {
	ID, Title string
	Tools     []toolView
}

type toolView struct {
	ID, Text string
	Checked  bool
}

func (p *Pages) toolLists(lang string, lists []findings.ToolList, have []string) []toolListView {
	var out []toolListView
	for _, l := range lists {
		v := toolListView{ID: l.ID, Title: l.Title.In(lang)}
		for _, t := range l.Items {
			v.Tools = append(v.Tools, toolView{ID: t.ID, Text: t.Text.In(lang), Checked: slices.Contains(have, t.ID)})
		}
		out = append(out, v)
	}
	return out
}

// resultView is the result as the page shows it.
type resultView struct {
	Date, Who     string
	Study         findings.Study
	Standings     []standingView
	Behind        []string
	Lacking       []lackView
	Recs          []recView
	Peers         []recommend.PeerCity
	Inclusion     bool
	AccessLacking []string
	Recognised    []string
	Total         int
}

type standingView struct {
	ID, Label, Level, Sentence string
	Chart                      template.HTML
	Have, Lack                 []string
}

type lackView struct {
	Resource  string
	Practices []recommend.PracticeRef
}

type recView struct {
	recommend.PracticeSummary
	Reasons, Missing []string
}

func (p *Pages) resultView(lang string, res *assess.Result, qs []questionView) resultView {
	a := res.Answers
	res.SayIn(p.catalog, lang)
	v := resultView{Date: p.catalog.Date(lang, res.Date), Study: res.Study, Peers: res.PeerCities, Inclusion: res.Profile.Need != "",
		Total: len(res.Recommendations)}
	v.Who = p.countryName(lang, a.Country)
	if a.City != "" {
		v.Who = a.City + ", " + v.Who
	}
	tool := func(id string) string {
		t, _, _ := p.findingsTool(id)
		return t.Text.In(lang)
	}
	for _, st := range res.Standings {
		sv := standingView{ID: st.Question, Label: p.questionLabel(lang, st.Question), Level: p.catalog.T(lang, "level."+st.Level)}
		sv.Chart, sv.Sentence = p.standingChart(lang, sv, st)
		for _, t := range st.Have {
			sv.Have = append(sv.Have, tool(t))
		}
		for _, t := range st.Lack {
			sv.Lack = append(sv.Lack, tool(t))
		}
		v.Standings = append(v.Standings, sv)
	}
	for _, q := range res.Behind {
		v.Behind = append(v.Behind, p.questionLabel(lang, q))
	}
	for _, l := range res.Lacking[:min(shownLacking, len(res.Lacking))] {
		v.Lacking = append(v.Lacking, lackView{Resource: p.catalog.T(lang, "resource."+l.Resource), Practices: l.Practices})
	}
	for _, r := range res.AccessLacking {
		v.AccessLacking = append(v.AccessLacking, p.catalog.T(lang, "resource."+r))
	}
	for _, r := range res.Recognised {
		v.Recognised = append(v.Recognised, p.catalog.T(lang, "resource."+r))
	}
	for _, r := range res.Recommendations[:min(shownRecs, len(res.Recommendations))] {
		rv := recView{PracticeSummary: r.Practice}
		for _, why := range r.Reasons {
			rv.Reasons = append(rv.Reasons, p.reasonText(lang, why))
		}
		for _, gap := range r.Missing {
			rv.Missing = append(rv.Missing, p.reasonText(lang, gap))
		}
		v.Recs = append(v.Recs, rv)
	}
	return v
}

func (p *Pages) findingsTool(id string) (findings.Tool, findings.ToolList, bool) {
	form := p.cfg.Service.AssessForm()
	lists := slices.Clone(form.Other)
	for _, q := range form.Questions {
		lists = append(lists, q.Tools...)
	}
	for _, l := range lists {
		for _, t := range l.Items {
			if t.ID == id {
				return t, l, true
			}
		}
	}
	return findings.Tool{}, findings.ToolList{}, false
}

// standingChart draws the study's distribution of one question with the city's level
// marked, and says the same in a sentence.
func (p *Pages) standingChart(lang string, sv standingView, st assess.Standing) (template.HTML, string) {
	var parts []charts.Part
	marked := -1
	for i, part := range st.Study.Parts {
		var labels []string
		for _, ans := range part.Answers {
			labels = append(labels, p.catalog.T(lang, "level."+ans))
			if ans == st.Level {
				marked = i
			}
		}
		parts = append(parts, charts.Part{Label: strings.Join(labels, p.catalog.T(lang, "assess.or")), Value: part.Value,
			Text: charts.Percent(part.Value, lang), Href: "/search?area=" + st.Area})
	}
	if st.Unstated > 0 {
		if marked < 0 {
			marked = len(parts)
		}
		parts = append(parts, charts.Part{Label: p.catalog.T(lang, "assess.chart.unstated"), Value: st.Unstated, Text: charts.Percent(st.Unstated, lang), Unstated: true})
	}
	you := p.catalog.T(lang, "assess.chart.you", sv.Level)
	var shares []string
	for _, part := range parts {
		shares = append(shares, fmt.Sprintf("%s %s", part.Text, part.Label))
	}
	sentence := p.catalog.T(lang, "assess.chart.sentence", sv.Level, strings.Join(shares, ", "))
	if st.Higher > 0 {
		sentence += " " + p.catalog.T(lang, "assess.chart.higher", charts.Percent(st.Higher, lang))
	}
	chart := charts.Distribution(charts.Chart{Title: sv.Label, Desc: sentence, Table: p.catalog.T(lang, "assess.chart.table", sv.Label),
		Columns: [2]string{p.catalog.T(lang, "assess.chart.col.level"), p.catalog.T(lang, "assess.chart.col.share")}, ID: "q-" + st.Question},
		parts, charts.Marker{Label: you, Part: max(marked, 0)})
	return chart, sentence
}

// reasonText says a recommendation's reason or gap in the visitor's language. The need
// is the one the answers point to, said as such rather than as words typed.
func (p *Pages) reasonText(lang string, r recommend.Reason) string {
	if r.Factor == recommend.FactorNeed {
		return p.catalog.T(lang, "assess.reason.need")
	}
	return p.catalog.Say(lang, r.Says)
}
