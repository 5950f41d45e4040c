package web

import (
	"errors"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

func (p *Pages) registerSubmit(g *gin.RouterGroup, expensive gin.HandlerFunc) {
	g.GET("/submit", p.submitForm)
	g.POST("/submit", private, p.submit)
	g.GET("/submitted/:code", private, p.submitted) // the receipt, with the tracking link
	g.GET("/track", p.trackForm)
	g.POST("/track", private, p.trackOpen)
	g.POST("/track/resend", private, expensive, p.resend) // it writes mail
	g.GET("/track/:token", private, p.track)
	g.POST("/track/:token", private, p.trackUpdate)
	g.GET("/track/:token/withdraw", private, p.withdrawForm)
	g.POST("/track/:token/withdraw", private, p.trackWithdraw)
	g.GET("/confirm/:token", private, p.confirmForm)
	g.POST("/confirm/:token", private, p.confirm)
}

// confirmForm asks the owner of an address to confirm it with a button: a GET changes
// nothing, since mail scanners follow links.
func (p *Pages) confirmForm(c *gin.Context) {
	p.render(c, http.StatusOK, "confirm", map[string]any{"Token": c.Param("token")})
}

func (p *Pages) confirm(c *gin.Context) {
	_, err := p.cfg.Review.ConfirmAddress(c.Request.Context(), c.Param("token"))
	if apperr.Code(err) == apperr.NotFound {
		err = p.refusal(apperr.NotFound, "confirm.invalid")
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "confirm", map[string]any{"Done": true})
}

// practiceFromForm reads the practice fields of a form.
func practiceFromForm(c *gin.Context) practices.Practice {
	var pr practices.Practice
	pr.Title, pr.Summary, pr.City = c.PostForm("title"), c.PostForm("summary"), c.PostForm("city")
	pr.Country, pr.Status, pr.Body = c.PostForm("country"), c.PostForm("status"), c.PostForm("body")
	pr.Areas, pr.Crises = c.PostFormArray("areas"), c.PostFormArray("crises")
	pr.TargetGroups, pr.Prerequisites = c.PostFormArray("target_groups"), c.PostFormArray("prerequisites")
	pr.Tags = splitList(c.PostForm("tags"), ",")
	pr.Results = splitList(c.PostForm("results"), "\n")
	if l := c.PostForm("language"); l != "" {
		pr.Languages = []string{l}
	}
	pr.Year, _ = strconv.Atoi(strings.TrimSpace(c.PostForm("year")))
	return pr
}

func splitList(s, sep string) []string {
	var out []string
	for _, x := range strings.Split(s, sep) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// submissionForm is what the submission and tracking forms carry, and all a contributor
// may set: what the knowledge base sets (origin, translations, the record of AI
// assistance …) has no field here, and a form posting any field not named here is
// refused, naming it.
type submissionForm struct {
	Title         string   `form:"title"`
	Summary       string   `form:"summary"`
	Body          string   `form:"body"`
	City          string   `form:"city"`
	Country       string   `form:"country"`
	Status        string   `form:"status"`
	Language      string   `form:"language"`
	Tags          string   `form:"tags"`
	Results       string   `form:"results"`
	Year          string   `form:"year"`
	Population    string   `form:"population"`
	Areas         []string `form:"areas"`
	Crises        []string `form:"crises"`
	TargetGroups  []string `form:"target_groups"`
	Prerequisites []string `form:"prerequisites"`
	ContactName   string   `form:"contact_name"`
	ContactRole   string   `form:"contact_role"`
	ContactEmail  string   `form:"contact_email"`
	Consent       string   `form:"consent"`
	SessionID     string   `form:"session_id"`
	Action        string   `form:"action"`
	Comment       string   `form:"comment"`
}

// bindSubmissionForm reads the submission form. A field it does not have is refused
// with a page naming it; a value its field does not take (a year that is no number) goes
// back to the form with its error beside it.
func (p *Pages) bindSubmissionForm(c *gin.Context) (review.Input, error) {
	var f submissionForm
	v := reflect.ValueOf(&f).Elem()
	names := map[string]int{csrfField: -1}
	for i := range v.NumField() {
		names[v.Type().Field(i).Tag.Get("form")] = i
	}
	c.Request.ParseForm()
	var foreign []string
	for key, vals := range c.Request.PostForm {
		i, ok := names[key]
		switch {
		case !ok:
			foreign = append(foreign, key)
		case i < 0:
		case v.Field(i).Kind() == reflect.Slice:
			v.Field(i).Set(reflect.ValueOf(vals))
		default:
			v.Field(i).SetString(vals[0])
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		return review.Input{}, errForeignField{p.catalog.T(negotiate(c), "error.foreignfield", foreign[0])}
	}
	in, err := f.input()
	in.Lang = negotiate(c)
	return in, err
}

// errForeignField is a form carrying a field the form does not have.
type errForeignField struct{ msg string }

func (e errForeignField) Error() string { return e.msg }

func (f submissionForm) input() (review.Input, error) {
	pr := practices.Practice{Title: f.Title, Summary: f.Summary, Body: f.Body, City: f.City, Country: f.Country, Status: f.Status,
		Areas: f.Areas, Crises: f.Crises, TargetGroups: f.TargetGroups, Prerequisites: f.Prerequisites,
		Tags: splitList(f.Tags, ","), Results: splitList(f.Results, "\n")}
	if f.Language != "" {
		pr.Languages = []string{f.Language}
	}
	in := review.Input{Practice: pr, Contact: review.Contact{Name: f.ContactName, Role: f.ContactRole, Email: f.ContactEmail},
		ConsentToPublish: f.Consent == "yes", SessionID: f.SessionID, Draft: f.Action == "draft", Comment: f.Comment}
	// A year or a population that is no number is given to the service as one it
	// refuses, so that its error comes with those of every other field.
	if y := strings.TrimSpace(f.Year); y != "" {
		var err error
		if in.Practice.Year, err = strconv.Atoi(y); err != nil {
			in.Practice.Year = -1
		}
	}
	var ok bool
	if in.Population, ok = population(f.Population); !ok {
		in.Population = -1
	}
	return in, nil
}

// submitData is what the submission form needs.
func (p *Pages) submitData(c *gin.Context, in review.Input, errs map[string]string) map[string]any {
	open, _ := p.cfg.Review.Sessions(c.Request.Context(), true)
	if in.SessionID == "" {
		in.SessionID = c.Query("session")
	}
	return map[string]any{"In": in, "Errors": errs, "Sessions": open, "Countries": p.countries(c), "Cities": p.cfg.Geo.Cities(), "Action": "/submit"}
}

// submitForm is the empty form, its text in the interface's language unless said.
func (p *Pages) submitForm(c *gin.Context) {
	in := review.Input{Practice: practices.Practice{Languages: []string{negotiate(c)}}}
	p.render(c, http.StatusOK, "submit", p.submitData(c, in, map[string]string{}))
}

// submit checks for duplicates, saves a draft, or submits; invalid input comes back with
// every field as typed and its error beside it.
func (p *Pages) submit(c *gin.Context) {
	in, err := p.bindSubmissionForm(c)
	if p.formRefused(c, err, func(error) {
		p.render(c, http.StatusBadRequest, "submit", p.submitData(c, in, p.caseErrors(c, err)))
	}) {
		return
	}
	if c.PostForm("action") == "check" {
		data := p.submitData(c, in, map[string]string{})
		dups, err := p.cfg.Review.Duplicates(c.Request.Context(), in)
		if err != nil {
			data["Errors"] = p.caseErrors(c, err)
		}
		data["Duplicates"], data["Checked"] = dups, true
		p.render(c, http.StatusOK, "submit", data)
		return
	}
	receipt, err := p.cfg.Review.Create(c.Request.Context(), in)
	if apperr.Code(err) == apperr.Invalid {
		p.render(c, http.StatusBadRequest, "submit", p.submitData(c, in, p.caseErrors(c, err)))
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, p.keepReceipt(c, receipt))
}

// formRefused answers a form bindSubmissionForm could not read, with show for a value
// refused beside its field.
func (p *Pages) formRefused(c *gin.Context, err error, show func(error)) bool {
	var foreign errForeignField
	switch {
	case err == nil:
		return false
	case errors.As(err, &foreign):
		p.fail(c, apperr.Errorf(apperr.Invalid, "%s", foreign.msg))
	default:
		show(err)
	}
	return true
}

func (p *Pages) trackForm(c *gin.Context) {
	if c.Query("token") != "" { // the form as it was before it was posted
		p.trackOpen(c)
		return
	}
	p.render(c, http.StatusOK, "trackform", map[string]any{"Errors": map[string]string{}})
}

func (p *Pages) trackData(c *gin.Context, sub *review.Submission, in review.Input, errs map[string]string) map[string]any {
	data := p.submitData(c, in, errs)
	data["Sub"], data["Token"], data["Action"] = sub, c.Param("token"), "/track/"+c.Param("token")
	return data
}

func (p *Pages) track(c *gin.Context) {
	sub, err := p.cfg.Review.ByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		p.fail(c, err)
		return
	}
	in := review.Input{Practice: sub.Practice, Contact: sub.Contact, ConsentToPublish: sub.Consent, SessionID: sub.SessionID, Population: sub.Population}
	p.render(c, http.StatusOK, "track", p.trackData(c, sub, in, map[string]string{}))
}

// trackUpdate saves a draft, submits it, or sends a revision.
func (p *Pages) trackUpdate(c *gin.Context) {
	sub, err := p.cfg.Review.ByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		p.fail(c, err)
		return
	}
	in, err := p.bindSubmissionForm(c)
	if p.formRefused(c, err, func(error) {
		p.render(c, http.StatusBadRequest, "track", p.trackData(c, sub, in, p.caseErrors(c, err)))
	}) {
		return
	}
	_, err = p.cfg.Review.Update(c.Request.Context(), sub.ID, review.Access{Token: c.Param("token")}, in)
	if apperr.Code(err) == apperr.Invalid {
		p.render(c, http.StatusBadRequest, "track", p.trackData(c, sub, in, p.caseErrors(c, err)))
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/track/"+c.Param("token"))
}

func (p *Pages) trackWithdraw(c *gin.Context) {
	sub, err := p.cfg.Review.ByToken(c.Request.Context(), c.Param("token"))
	if err == nil {
		_, err = p.cfg.Review.Withdraw(c.Request.Context(), sub.ID, review.Access{Token: c.Param("token")})
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/track/"+c.Param("token"))
}
