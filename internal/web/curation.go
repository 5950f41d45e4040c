package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// Byline names the author of a version for any reader: their name and role, or their
// role alone; never an address.
func (pg *page) Byline(n *review.VersionNote) string {
	if n == nil {
		return pg.T("version.by.import")
	}
	if n.Name == "" {
		return pg.T("version.by." + n.Role)
	}
	return pg.T("version.by.named", n.Name, pg.T("role."+n.Role))
}

// Waited says how long ago t was, roughly: how long a submission has waited.
func (pg *page) Waited(t time.Time) string {
	switch d := time.Since(t); {
	case d >= 48*time.Hour:
		return pg.T("waited.days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return pg.T("waited.hours", int(d.Hours()))
	case d >= time.Hour:
		return pg.T("waited.hour")
	}
	return pg.T("waited.moment")
}

// EditorOf names the coordinator who edited a submitted case: their name and role, or
// their role alone.
func (pg *page) EditorOf(e *review.CoordinatorEdit) string {
	return pg.Byline(&review.VersionNote{Role: e.Role, Name: e.Name})
}

// changeView is a page with a list of field changes, for the partial that shows them.
type changeView struct {
	*page
	Changes []review.FieldChange
}

func changeview(pg *page, changes []review.FieldChange) changeView { return changeView{pg, changes} }

// versionActions are the actions a version records, each with its label
// (version.what.ACTION).
var versionActions = []string{"practice.edit", "practice.revert", "practice.publish", "practice.merge", "practice.merge_submission",
	"practice.archive", "practice.unarchive", "practice.repair"}

// VersionWhat says what made a version: "Edited", "Restored version 3", "Accepted from
// submission X" …
func (pg *page) VersionWhat(n *review.VersionNote) string {
	switch {
	case n == nil:
		return pg.T("version.what.import")
	case n.Restored > 0:
		return pg.T("version.what.practice.revert", n.Restored)
	case n.Action == "practice.merge":
		return pg.T("version.what.practice.merge", n.Into)
	case n.Action == "practice.publish", n.Action == "practice.merge_submission":
		return pg.T("version.what."+n.Action, n.Submission)
	}
	return pg.T("version.what." + n.Action)
}

// previewOf is what the practice page's parts need to show a submission's case as its
// page will show it once published.
func (p *Pages) previewOf(c *gin.Context, sub *review.Submission) map[string]any {
	pr := sub.Practice
	pr.ID = p.cfg.Review.ProposedID(c.Request.Context(), &pr)
	var session *review.Session
	if pr.Session != "" {
		session, _ = p.cfg.Review.Session(c.Request.Context(), pr.Session)
	}
	country, _ := p.cfg.Geo.Country(pr.Country)
	text := practiceText{Lang: pr.Language(), Title: pr.Title, Summary: pr.Summary, Body: pr.Body, Results: pr.Results, Original: pr.Language()}
	text.Body, text.Results = resultsOnce(text.Body, text.Results) // as the practice page shows them
	return map[string]any{"P": &pr, "Text": text, "Country": country, "Session": session, "Preview": true,
		"Provenance": p.cfg.Service.ProvenanceOf(&pr), "Permalink": p.abs("/practices/" + pr.ID)}
}

// editSubmissionForm is the whole case in the form, for a coordinator to edit before
// deciding.
func (p *Pages) editSubmissionForm(c *gin.Context) {
	sub, err := p.cfg.Review.Get(c.Request.Context(), c.Param("id"), review.Access{Principal: user(c)})
	if err != nil {
		p.fail(c, err)
		return
	}
	p.renderSubmissionEdit(c, http.StatusOK, sub, review.Input{Practice: sub.Practice, SessionID: sub.SessionID}, nil, "")
}

func (p *Pages) renderSubmissionEdit(c *gin.Context, status int, sub *review.Submission, in review.Input, errs map[string]string, note string) {
	sessions, _ := p.cfg.Review.Sessions(c.Request.Context(), false)
	if errs == nil {
		errs = map[string]string{}
	}
	p.render(c, status, "subedit", map[string]any{"Sub": sub, "In": in, "Errors": errs, "Countries": p.cfg.Geo.Countries(), "Sessions": sessions, "Note": note})
}

// editSubmission stores the coordinator's version of the case and goes back to its review.
func (p *Pages) editSubmission(c *gin.Context) {
	id := c.Param("id")
	pr := practiceFromForm(c)
	pr.Session = c.PostForm("session_id")
	_, err := p.cfg.Review.EditSubmission(authored(c, c.PostForm("note")), id, user(c), pr)
	if apperr.Code(err) == apperr.Invalid {
		sub, gerr := p.cfg.Review.Get(c.Request.Context(), id, review.Access{Principal: user(c)})
		if gerr != nil {
			p.fail(c, gerr)
			return
		}
		p.renderSubmissionEdit(c, http.StatusBadRequest, sub, review.Input{Practice: pr, SessionID: pr.Session}, p.formErrors(c, err), c.PostForm("note"))
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/submissions/"+id+"#edited")
}

// candidates are the practices a search for a merge's target finds, less the one merged.
func (p *Pages) candidates(c *gin.Context, q, not string) ([]app.SearchHit, error) {
	if strings.TrimSpace(q) == "" {
		return nil, nil
	}
	res, err := p.cfg.Service.Search(c.Request.Context(), search.Request{Query: q, Limit: 10})
	if err != nil {
		return nil, err
	}
	var out []app.SearchHit
	for _, h := range res.Hits {
		if h.ID != not {
			out = append(out, h)
		}
	}
	return out, nil
}

// mergeChoice renders the search for a merge's target: a search field (a GET form, so it
// works without script) and the practices it finds, each to be chosen.
func (p *Pages) mergeChoice(c *gin.Context, title, self, not string) {
	q := c.Query("q")
	hits, err := p.candidates(c, q, not)
	if apperr.Code(err) == apperr.Invalid {
		err, hits = nil, nil
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "mergesearch", map[string]any{"Subject": title, "Self": self, "Query": q, "Hits": hits, "Searched": q != ""})
}

// confirmation is a question before an action that cannot simply be undone: what will
// happen, and the form that does it. It works without script.
type confirmation struct {
	Title        string
	Consequences []string
	Action       string // where the form posts
	Fields       map[string]string
	Button       string
	Cancel       string
	// Comment asks for a message to the contributor, labelled so.
	Comment string
	Changes []review.FieldChange
}

func (p *Pages) askFirst(c *gin.Context, q confirmation) {
	p.render(c, http.StatusOK, "confirmaction", map[string]any{"Q": q, "Changes": q.Changes})
}

// mergeForm chooses the practice another is merged into, then asks before merging.
func (p *Pages) mergeForm(c *gin.Context) {
	id := c.Param("id")
	pr, err := p.cfg.Service.Get(c.Request.Context(), id)
	if err != nil {
		p.fail(c, err)
		return
	}
	into := strings.TrimSpace(c.Query("into"))
	if into == "" {
		p.mergeChoice(c, pr.Title, "/practices/"+id+"/merge", id)
		return
	}
	target, err := p.cfg.Service.Get(c.Request.Context(), into)
	if apperr.Code(err) == apperr.NotFound || into == id {
		err = apperr.InvalidFields("the merge is not valid", map[string]string{"into": p.T(c, "merge.notarget", into)})
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	p.askFirst(c, confirmation{
		Title: p.catalog.T(lang, "confirm.merge.title", pr.Title, target.Title),
		Consequences: []string{p.catalog.T(lang, "confirm.merge.archive", id), p.catalog.T(lang, "confirm.merge.redirect", "/practices/"+id, "/practices/"+into),
			p.catalog.T(lang, "confirm.merge.peers", target.Title), p.catalog.T(lang, "confirm.merge.final")},
		Action: "/practices/" + id + "/merge", Fields: map[string]string{"into": into, "confirm": "yes"},
		Button: p.catalog.T(lang, "confirm.merge.button"), Cancel: "/practices/" + id + "/edit",
	})
}

// archiveConfirm asks before archiving, saying what archiving does.
func (p *Pages) archiveConfirm(c *gin.Context) {
	id := c.Param("id")
	pr, err := p.cfg.Service.Get(c.Request.Context(), id)
	if err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	p.askFirst(c, confirmation{
		Title: p.catalog.T(lang, "confirm.archive.title", pr.Title),
		Consequences: []string{p.catalog.T(lang, "confirm.archive.search"), p.catalog.T(lang, "confirm.archive.page"),
			p.catalog.T(lang, "confirm.archive.peers"), p.catalog.T(lang, "confirm.archive.back")},
		Action: "/practices/" + id + "/archive", Fields: map[string]string{"archived": "yes", "confirm": "yes"},
		Button: p.catalog.T(lang, "confirm.archive.button"), Cancel: "/practices/" + id + "/edit",
	})
}

// mergeSubmissionForm chooses the practice a submitted case becomes a new version of,
// then shows what the merge changes in it before asking.
func (p *Pages) mergeSubmissionForm(c *gin.Context) {
	id := c.Param("id")
	sub, err := p.cfg.Review.Get(c.Request.Context(), id, review.Access{Principal: user(c)})
	if err != nil {
		p.fail(c, err)
		return
	}
	into := strings.TrimSpace(c.Query("into"))
	if into == "" {
		p.mergeChoice(c, sub.Practice.Title, "/review/submissions/"+id+"/merge", "")
		return
	}
	target, changes, err := p.cfg.Review.MergePreview(c.Request.Context(), id, user(c), into)
	if err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	p.askFirst(c, confirmation{
		Title: p.catalog.T(lang, "confirm.mergesub.title", sub.Practice.Title, target.Title),
		Consequences: []string{p.catalog.T(lang, "confirm.mergesub.version", target.Title, target.Version+1), p.catalog.T(lang, "confirm.mergesub.identity", "/practices/"+target.ID),
			p.catalog.T(lang, "confirm.mergesub.marked"), p.catalog.T(lang, "confirm.mergesub.peers")},
		Action: "/review/submissions/" + id + "/merge", Fields: map[string]string{"into": target.ID, "confirm": "yes"},
		Button: p.catalog.T(lang, "confirm.mergesub.button"), Cancel: "/review/submissions/" + id,
		Comment: p.catalog.T(lang, "confirm.comment"), Changes: changes,
	})
}

// mergeSubmission merges a case into the practice chosen, once confirmed.
func (p *Pages) mergeSubmission(c *gin.Context) {
	id := c.Param("id")
	if c.PostForm("confirm") != "yes" {
		c.Redirect(http.StatusSeeOther, "/review/submissions/"+id+"/merge?into="+url.QueryEscape(c.PostForm("into")))
		return
	}
	d := review.Decision{Decision: review.ActionMerge, Into: c.PostForm("into"), Comment: c.PostForm("comment")}
	res, err := p.cfg.Review.Decide(authored(c, ""), id, user(c), d)
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/practices/"+res.PracticeID)
}

// withdrawConfirm asks a coordinator before withdrawing a case for its contributor.
func (p *Pages) withdrawConfirm(c *gin.Context) {
	id := c.Param("id")
	sub, err := p.cfg.Review.Get(c.Request.Context(), id, review.Access{Principal: user(c)})
	if err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	p.askFirst(c, confirmation{
		Title:        p.catalog.T(lang, "confirm.withdraw.title", sub.Practice.Title),
		Consequences: []string{p.catalog.T(lang, "confirm.withdraw.state"), p.catalog.T(lang, "confirm.withdraw.told"), p.catalog.T(lang, "confirm.withdraw.final")},
		Action:       "/review/submissions/" + id + "/withdraw", Fields: map[string]string{"confirm": "yes"},
		Button: p.catalog.T(lang, "confirm.withdraw.button"), Cancel: "/review/submissions/" + id, Comment: p.catalog.T(lang, "confirm.withdraw.reason"),
	})
}

func (p *Pages) withdrawSubmission(c *gin.Context) {
	id := c.Param("id")
	if c.PostForm("confirm") != "yes" {
		p.withdrawConfirm(c)
		return
	}
	if _, err := p.cfg.Review.WithdrawFor(c.Request.Context(), id, user(c), c.PostForm("comment")); err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/submissions/"+id)
}

// T is a message in the visitor's language.
func (p *Pages) T(c *gin.Context, key string, args ...any) string {
	return p.catalog.T(negotiate(c), key, args...)
}
