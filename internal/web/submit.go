package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

func (p *Pages) registerSubmit(g *gin.RouterGroup) {
	g.GET("/submit", p.submitForm)
	g.POST("/submit", private, p.submit) // the answer shows the tracking link
	g.GET("/track", p.trackForm)
	g.GET("/track/:token", private, p.track)
	g.POST("/track/:token", private, p.trackUpdate)
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
		err = apperr.Errorf(apperr.NotFound, "%s", p.catalog.T(negotiate(c), "confirm.invalid"))
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

func inputFromForm(c *gin.Context) review.Input {
	return review.Input{
		Practice:         practiceFromForm(c),
		Contact:          review.Contact{Name: c.PostForm("contact_name"), Role: c.PostForm("contact_role"), Email: c.PostForm("contact_email")},
		ConsentToPublish: c.PostForm("consent") == "yes",
		SessionID:        c.PostForm("session_id"),
		Draft:            c.PostForm("action") == "draft",
		Comment:          c.PostForm("comment"),
	}
}

// formErrors maps the service's field names to the form's.
func formErrors(err error) map[string]string {
	out := map[string]string{}
	for k, v := range apperr.As(err).Fields {
		k = strings.TrimPrefix(k, "practice.")
		out[strings.ReplaceAll(k, ".", "_")] = v
	}
	return out
}

// submitData is what the submission form needs.
func (p *Pages) submitData(c *gin.Context, in review.Input, errs map[string]string) map[string]any {
	open, _ := p.cfg.Review.Sessions(c.Request.Context(), true)
	if in.SessionID == "" {
		in.SessionID = c.Query("session")
	}
	return map[string]any{"In": in, "Errors": errs, "Sessions": open, "Countries": p.cfg.Geo.Countries(), "Action": "/submit"}
}

func (p *Pages) submitForm(c *gin.Context) {
	p.render(c, http.StatusOK, "submit", p.submitData(c, review.Input{}, map[string]string{}))
}

// submit checks for duplicates, saves a draft, or submits; invalid input comes back with
// every field as typed and its error beside it.
func (p *Pages) submit(c *gin.Context) {
	in := inputFromForm(c)
	if c.PostForm("action") == "check" {
		data := p.submitData(c, in, map[string]string{})
		dups, err := p.cfg.Review.Duplicates(c.Request.Context(), in)
		if err != nil {
			data["Errors"] = formErrors(err)
		}
		data["Duplicates"], data["Checked"] = dups, true
		p.render(c, http.StatusOK, "submit", data)
		return
	}
	receipt, err := p.cfg.Review.Create(c.Request.Context(), in)
	if apperr.Code(err) == apperr.Invalid {
		p.render(c, http.StatusBadRequest, "submit", p.submitData(c, in, formErrors(err)))
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusCreated, "submitted", map[string]any{"Receipt": receipt, "Link": p.abs("/track/" + receipt.TrackingToken)})
}

func (p *Pages) trackForm(c *gin.Context) {
	if t := strings.TrimSpace(c.Query("token")); t != "" {
		c.Redirect(http.StatusSeeOther, "/track/"+t)
		return
	}
	p.render(c, http.StatusOK, "trackform", nil)
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
	in := review.Input{Practice: sub.Practice, Contact: sub.Contact, ConsentToPublish: sub.Consent, SessionID: sub.SessionID}
	p.render(c, http.StatusOK, "track", p.trackData(c, sub, in, map[string]string{}))
}

// trackUpdate saves a draft, submits it, or sends a revision.
func (p *Pages) trackUpdate(c *gin.Context) {
	sub, err := p.cfg.Review.ByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		p.fail(c, err)
		return
	}
	in := inputFromForm(c)
	_, err = p.cfg.Review.Update(c.Request.Context(), sub.ID, review.Access{Token: c.Param("token")}, in)
	if apperr.Code(err) == apperr.Invalid {
		p.render(c, http.StatusBadRequest, "track", p.trackData(c, sub, in, formErrors(err)))
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
