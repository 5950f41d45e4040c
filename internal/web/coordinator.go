package web

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

func (p *Pages) registerCoordinator(g *gin.RouterGroup) {
	g.GET("/review", p.queue)
	g.GET("/review/submissions/:id", p.submission)
	g.POST("/review/submissions/:id/decision", p.decide)
	g.POST("/review/submissions/:id/assist", p.assist)
	g.GET("/review/sessions", p.manageSessions)
	g.POST("/review/sessions", p.saveSession)
	g.GET("/review/sessions/:id", p.sessionPage)
	g.POST("/review/sessions/:id", p.editSession)
	g.GET("/review/sessions/:id/submissions.csv", p.sessionCSV)
	g.GET("/review/audit", p.auditLog)
	g.GET("/practices/:id/edit", p.editForm)
	g.POST("/practices/:id/edit", p.edit)
	g.GET("/practices/:id/versions", p.versions)
	g.GET("/practices/:id/diff", p.diff)
	g.POST("/practices/:id/revert", p.revert)
	g.GET("/practices/:id/merge", p.mergeForm)
	g.POST("/practices/:id/merge", p.merge)
	g.GET("/practices/:id/archive", p.archiveConfirm)
	g.POST("/practices/:id/archive", p.archive)
	g.GET("/review/submissions/:id/edit", p.editSubmissionForm)
	g.POST("/review/submissions/:id/edit", p.editSubmission)
	g.GET("/review/submissions/:id/merge", p.mergeSubmissionForm)
	g.POST("/review/submissions/:id/merge", p.mergeSubmission)
	g.GET("/review/submissions/:id/withdraw", p.withdrawConfirm)
	g.POST("/review/submissions/:id/withdraw", p.withdrawSubmission)
	g.POST("/practices/:id/feature", p.feature)
	g.POST("/practices/:id/annotate", p.annotate)
	g.GET("/review/account", p.account)
	g.POST("/review/account", p.saveProfile)
	g.POST("/review/account/sessions/:id/end", p.endSession)
	p.registerPeers(g)
}

// account shows the coordinator's profile (the name public pages show, the language of
// their mail) and lists their own sessions, each of which they may end.
func (p *Pages) account(c *gin.Context) {
	p.renderAccount(c, http.StatusOK, nil, "")
}

func (p *Pages) renderAccount(c *gin.Context, status int, errs map[string]string, typed string) {
	ss, err := p.cfg.Accounts.Sessions(user(c).Email, user(c).Session)
	if err != nil {
		p.fail(c, err)
		return
	}
	me := auth.UserInfo{Email: user(c).Email, Name: user(c).Name}
	if us, err := p.cfg.Accounts.Users(); err == nil {
		for _, u := range us {
			if u.Email == me.Email {
				me = u
			}
		}
	}
	if errs != nil {
		me.Name = typed
	}
	p.render(c, status, "account", map[string]any{"Sessions": ss, "Me": me, "Errors": errs, "Languages": Languages, "Saved": c.Query("saved") == "1"})
}

// saveProfile sets the coordinator's own name and mail language.
func (p *Pages) saveProfile(c *gin.Context) {
	langs := make([]string, len(Languages))
	for i, l := range Languages {
		langs[i] = l.Code
	}
	_, err := p.cfg.Accounts.SetProfile(user(c).Email, c.PostForm("name"), c.PostForm("lang"), user(c).Email, langs)
	if apperr.Code(err) == apperr.Invalid {
		p.renderAccount(c, http.StatusBadRequest, apperr.As(err).Fields, c.PostForm("name"))
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/account?saved=1")
}

func (p *Pages) endSession(c *gin.Context) {
	err := p.cfg.Accounts.EndSessionOf(user(c).Email, c.Param("id"), user(c).Email)
	if apperr.Code(err) == apperr.NotFound {
		err = p.refusal(apperr.NotFound, "account.gone")
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/account")
}

// safeNext keeps a post-login redirect on this site: anything but a clean absolute path
// (with an optional query) goes to the review queue. Browsers read "/\\host", "/\t/host"
// and the like as another host, so a backslash, a control or space character (typed or
// escaped), an escaped slash, dot segments and doubled slashes are all refused, as is
// anything with a scheme, a host or a fragment.
func safeNext(next string) string {
	const home = "/review"
	odd := func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	}
	if next == "" || len(next) > 2000 || strings.ContainsFunc(next, odd) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" || u.Fragment != "" || u.RawPath != "" {
		return home
	}
	// RawPath is set when the path escapes what needs no escaping, such as a slash.
	clean := u.Path == "/" || path.Clean(u.Path) == strings.TrimSuffix(u.Path, "/")
	if !strings.HasPrefix(u.Path, "/") || strings.Contains(u.Path, "//") || strings.ContainsFunc(u.Path, odd) || !clean {
		return home
	}
	return next
}

func (p *Pages) loginForm(c *gin.Context) {
	p.render(c, http.StatusOK, "login", map[string]any{"Next": safeNext(c.Query("next"))})
}

func (p *Pages) login(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	who, err := p.cfg.Accounts.Login(c.Request.Context(), c.PostForm("email"), c.PostForm("password"))
	switch apperr.Code(err) {
	case "":
	case apperr.Unauthorized:
		p.render(c, http.StatusUnauthorized, "login", map[string]any{"Next": next, "Email": c.PostForm("email"), "Failed": true})
		return
	default:
		p.fail(c, err) // limited (429, saying when) or busy
		return
	}
	id, _, expires, err := p.cfg.Accounts.CreateSession(c.Request.Context(), who, c.Request.UserAgent())
	if err != nil {
		p.fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", Expires: expires, HttpOnly: true, Secure: p.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, next)
}

func (p *Pages) logout(c *gin.Context) {
	if id, err := c.Cookie(sessionCookie); err == nil {
		p.cfg.Accounts.EndSession(id)
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: p.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, "/")
}

func (p *Pages) queue(c *gin.Context) {
	days, _ := strconv.Atoi(c.Query("older_than_days"))
	q := review.Queue{Status: c.DefaultQuery("status", review.StatusSubmitted), SessionID: c.Query("session"), Area: c.Query("area"), OlderThan: time.Duration(max(0, days)) * 24 * time.Hour}
	if q.Status == "all" {
		q.Status = ""
	}
	subs, err := p.cfg.Review.List(c.Request.Context(), q)
	if err != nil {
		p.fail(c, err)
		return
	}
	sessions, _ := p.cfg.Review.Sessions(c.Request.Context(), false)
	titles := map[string]string{}
	for _, s := range sessions {
		titles[s.ID] = s.Title
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].Since().Before(subs[j].Since()) }) // the longest waiting first
	p.render(c, http.StatusOK, "queue", map[string]any{"Subs": subs, "Q": q, "Status": c.DefaultQuery("status", review.StatusSubmitted), "Days": days, "Sessions": sessions, "Statuses": review.Statuses, "SessionTitles": titles})
}

// submission shows a case as its practice page will show it, beside the closest practices
// with what matched, with the decision form.
func (p *Pages) submission(c *gin.Context) {
	sub, err := p.cfg.Review.Get(c.Request.Context(), c.Param("id"), review.Access{Principal: user(c)})
	if err != nil {
		p.fail(c, err)
		return
	}
	data := p.previewOf(c, sub)
	data["Sub"], data["Closest"], data["Assistant"] = sub, p.cfg.Review.ClosestTo(c.Request.Context(), sub), p.cfg.Review.AssistantAvailable()
	data["EditChanges"] = sub.EditChanges()
	p.render(c, http.StatusOK, "submission", data)
}

// assist asks the AI assistant for suggestions, then shows them on the submission.
func (p *Pages) assist(c *gin.Context) {
	if _, err := p.cfg.Review.Assist(c.Request.Context(), c.Param("id"), user(c)); err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/submissions/"+c.Param("id")+"#suggestions")
}

// appliedForm reads the suggestions a coordinator took, as checked and edited in the
// suggestions form; nil when none was taken.
func appliedForm(c *gin.Context) *review.Applied {
	fields := c.PostFormArray("apply")
	if len(fields) == 0 {
		return nil
	}
	list := func(key string) []string { return append([]string{}, c.PostFormArray(key)...) }
	a := &review.Applied{Fields: fields, Areas: list("apply_areas"), Crises: list("apply_crises"),
		TargetGroups: list("apply_target_groups"), Tags: splitList(c.PostForm("apply_tags"), ","), Summary: c.PostForm("apply_summary")}
	if slices.Contains(fields, review.FieldTranslation) {
		a.Translation = &practices.Translation{Title: c.PostForm("apply_translation_title"), Summary: c.PostForm("apply_translation_summary"), Body: c.PostForm("apply_translation_body")}
	}
	return a
}

func (p *Pages) decide(c *gin.Context) {
	d := review.Decision{Decision: c.PostForm("decision"), Comment: c.PostForm("comment"), Apply: appliedForm(c)}
	res, err := p.cfg.Review.Decide(authored(c, ""), c.Param("id"), user(c), d)
	if err != nil {
		p.fail(c, err)
		return
	}
	if res.PracticeID != "" {
		c.Redirect(http.StatusSeeOther, "/practices/"+res.PracticeID)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/submissions/"+c.Param("id"))
}

func (p *Pages) manageSessions(c *gin.Context) {
	ss, err := p.cfg.Review.Sessions(c.Request.Context(), false)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "managesessions", map[string]any{"Sessions": ss, "Errors": map[string]string{}})
}

// saveSession creates a session, or (with an id) opens or closes its call.
func (p *Pages) saveSession(c *gin.Context) {
	s := review.Session{ID: c.PostForm("id"), Title: c.PostForm("title"), Theme: c.PostForm("theme"), Date: c.PostForm("date"),
		Description: c.PostForm("description"), Areas: c.PostFormArray("areas"), Open: c.PostForm("open") == "yes"}
	if s.ID != "" {
		cur, err := p.cfg.Review.Session(c.Request.Context(), s.ID)
		if err != nil {
			p.fail(c, err)
			return
		}
		cur.Open = s.Open
		s = *cur
	}
	_, err := p.cfg.Review.SaveSession(c.Request.Context(), user(c).Email, s)
	if apperr.Code(err) == apperr.Invalid {
		ss, _ := p.cfg.Review.Sessions(c.Request.Context(), false)
		p.render(c, http.StatusBadRequest, "managesessions", map[string]any{"Sessions": ss, "Errors": p.formErrors(c, err), "New": s})
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/review/sessions")
}

func (p *Pages) editForm(c *gin.Context) {
	pr, err := p.cfg.Service.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	featured, _ := p.cfg.Service.Featured()
	p.render(c, http.StatusOK, "edit", map[string]any{"P": pr, "In": review.Input{Practice: *pr}, "Errors": map[string]string{},
		"Countries": p.countries(c), "Featured": slices.Contains(featured, pr.ID)})
}

func (p *Pages) edit(c *gin.Context) {
	id := c.Param("id")
	cur, err := p.cfg.Service.Get(c.Request.Context(), id)
	if err != nil {
		p.fail(c, err)
		return
	}
	pr := practiceFromForm(c)
	pr.Source = cur.Source
	_, err = p.cfg.Review.Edit(authored(c, c.PostForm("note")), user(c).Email, id, pr)
	if apperr.Code(err) == apperr.Invalid {
		p.render(c, http.StatusBadRequest, "edit", map[string]any{"P": cur, "In": review.Input{Practice: pr}, "Errors": p.formErrors(c, err), "Countries": p.countries(c), "Note": c.PostForm("note")})
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/practices/"+id)
}

func (p *Pages) versions(c *gin.Context) {
	vs, err := p.cfg.Review.History(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "versions", map[string]any{"ID": c.Param("id"), "Versions": vs})
}

func (p *Pages) diff(c *gin.Context) {
	from, _ := strconv.Atoi(c.Query("from"))
	to, _ := strconv.Atoi(c.Query("to"))
	d, err := p.cfg.Review.CompareVersions(c.Request.Context(), c.Param("id"), from, to)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "diff", map[string]any{"D": d, "Changes": d.Changes, "To": p.cfg.Review.NoteOf(c.Request.Context(), d.ID, d.To)})
}

// authored is the request's context carrying who acts, with the edit note given: the
// version a change writes records them.
func authored(c *gin.Context, note string) context.Context {
	return review.WithAuthor(c.Request.Context(), review.AuthorOf(user(c), note))
}

// change runs one curation action from a form and returns to the practice.
func (p *Pages) change(c *gin.Context, do func(actor, id string) error) {
	id := c.Param("id")
	if err := do(user(c).Email, id); err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/practices/"+id)
}

func (p *Pages) revert(c *gin.Context) {
	p.change(c, func(actor, id string) error {
		v, _ := strconv.Atoi(c.PostForm("version"))
		_, err := p.cfg.Review.Revert(authored(c, ""), actor, id, v)
		return err
	})
}

func (p *Pages) merge(c *gin.Context) {
	if c.PostForm("confirm") != "yes" {
		c.Redirect(http.StatusSeeOther, "/practices/"+c.Param("id")+"/merge?into="+url.QueryEscape(c.PostForm("into")))
		return
	}
	p.change(c, func(actor, id string) error {
		_, err := p.cfg.Review.Merge(authored(c, ""), actor, id, strings.TrimSpace(c.PostForm("into")))
		return err
	})
}

func (p *Pages) archive(c *gin.Context) {
	archiving := c.PostForm("archived") == "yes"
	if archiving && c.PostForm("confirm") != "yes" {
		p.archiveConfirm(c) // asked first, also without script
		return
	}
	p.change(c, func(actor, id string) error {
		_, err := p.cfg.Review.Archive(authored(c, ""), actor, id, archiving)
		return err
	})
}

// annotate sets this node's note on a practice held from elsewhere, or hides it here.
func (p *Pages) annotate(c *gin.Context) {
	p.change(c, func(actor, id string) error {
		hidden, note := c.PostForm("hidden") == "yes", c.PostForm("local_note")
		_, err := p.cfg.Review.Annotate(c.Request.Context(), actor, id, &hidden, &note)
		return err
	})
}

func (p *Pages) feature(c *gin.Context) {
	p.change(c, func(actor, id string) error {
		return p.cfg.Review.Feature(c.Request.Context(), actor, id, c.PostForm("featured") == "yes")
	})
}
