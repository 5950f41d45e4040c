package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// sessionPage is a session's form, filled, with the cases submitted to it and their state.
func (p *Pages) sessionPage(c *gin.Context) {
	s, err := p.cfg.Review.Session(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.renderSession(c, http.StatusOK, s, nil)
}

func (p *Pages) renderSession(c *gin.Context, status int, s *review.Session, errs map[string]string) {
	subs, err := p.cfg.Review.List(c.Request.Context(), review.Queue{SessionID: s.ID})
	if err != nil {
		p.fail(c, err)
		return
	}
	if errs == nil {
		errs = map[string]string{}
	}
	p.render(c, status, "sessionedit", map[string]any{"S": s, "Subs": subs, "Errors": errs, "Saved": c.Query("saved") == "1"})
}

// editSession saves every field of a session.
func (p *Pages) editSession(c *gin.Context) {
	cur, err := p.cfg.Review.Session(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	s := *cur
	s.Title, s.Theme, s.Date, s.Description = c.PostForm("title"), c.PostForm("theme"), c.PostForm("date"), c.PostForm("description")
	s.Areas, s.Open = c.PostFormArray("areas"), c.PostForm("open") == "yes"
	_, err = p.cfg.Review.SaveSession(c.Request.Context(), user(c).Email, s)
	if apperr.Code(err) == apperr.Invalid {
		p.renderSession(c, http.StatusBadRequest, &s, apperr.As(err).Fields)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/sessions/"+s.ID+"?saved=1")
}

// sessionCSV exports a session's submissions for its organisers: UTF-8 with a byte order
// mark (so spreadsheet programs read the accents), headers in the interface's language,
// and no cell a spreadsheet would read as a formula. It holds the contributors' contacts:
// the coordinators' pages alone serve it, never cached.
func (p *Pages) sessionCSV(c *gin.Context) {
	s, err := p.cfg.Review.Session(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	subs, err := p.cfg.Review.List(c.Request.Context(), review.Queue{SessionID: s.ID})
	if err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="session-`+s.ID+`-submissions.csv"`)
	c.Status(http.StatusOK)
	c.Writer.WriteString("\uFEFF")
	w := csv.NewWriter(c.Writer)
	header := make([]string, len(sessionColumns))
	for i, k := range sessionColumns {
		header[i] = p.catalog.T(lang, k)
	}
	w.Write(header)
	for _, sub := range subs {
		pr := sub.Practice
		areas := make([]string, len(pr.Areas))
		for i, a := range pr.Areas {
			areas[i] = p.catalog.T(lang, "area."+a)
		}
		link := ""
		if sub.PracticeID != "" {
			link = p.abs("/practices/" + sub.PracticeID)
		}
		row := []string{sub.ID, p.catalog.T(lang, "state."+sub.Status), pr.Title, pr.City, pr.Country, strings.Join(areas, "; "),
			sub.Contact.Name, sub.Contact.Role, sub.Contact.Email, sub.Created.UTC().Format(time.RFC3339), sub.Since().UTC().Format(time.RFC3339), link}
		for i := range row {
			row[i] = practices.SafeCSVCell(row[i])
		}
		w.Write(row)
	}
	w.Flush()
}

// sessionColumns are the message keys of the session export's columns.
var sessionColumns = []string{"csv.submission", "csv.state", "field.title", "field.city", "field.country", "field.areas",
	"csv.contact_name", "csv.contact_role", "csv.contact_email", "csv.submitted", "csv.since", "csv.practice"}
