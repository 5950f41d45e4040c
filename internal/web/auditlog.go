package web

import (
	"encoding/json"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
)

// auditActions are the actions the audit log tells in sentences (audit.s.ACTION); any
// other is told by its code.
var auditActions = []string{
	"submission.draft", "submission.submit", "submission.revise", "submission.withdraw", "submission.accept", "submission.reject",
	"submission.request_changes", "submission.merge", "submission.edit_draft", "submission.edit", "submission.assist", "submission.confirm_address",
	"practice.publish", "practice.edit", "practice.revert", "practice.merge", "practice.merge_submission", "practice.archive", "practice.unarchive",
	"practice.feature", "practice.unfeature", "practice.annotate", "practice.repair", "practice.fold", "practice.translations",
	"harvest", "harvest_delete", "harvest_left_set", "harvest_accept", "harvest_reject", "peer_remove", "duplicate.confirmed", "duplicate.dismissed",
	"session.save", "session.end", "user.save", "user.disable", "user.enable", "user.remove", "user.profile", "token.create", "token.revoke", "login.lockout",
}

// auditKinds are the groups of actions the log filters by (audit.what.KIND).
var auditKinds = []string{"submission.", "practice.", "session.save", "harvest", "duplicate.", "peer_remove", "user.", "token.", "login."}

// auditLine is one entry of the log as a sentence.
type auditLine struct {
	audit.Entry
	Sentence template.HTML
}

// auditWho is an actor the log filters by.
type auditWho struct{ Value, Label string }

func (p *Pages) auditLog(c *gin.Context) {
	lang := negotiate(c)
	q := audit.Query{Limit: 100, Target: c.Query("target"), Actor: c.Query("who"), Action: c.Query("what")}
	q.Before, _ = strconv.ParseUint(c.Query("before"), 10, 64)
	errs := map[string]string{}
	var err error
	if q.Since, err = dayOf(c.Query("from")); err != nil {
		errs["from"] = p.catalog.T(lang, "audit.baddate")
	}
	if q.Until, err = dayOf(c.Query("to")); err != nil {
		errs["to"] = p.catalog.T(lang, "audit.baddate")
	} else if !q.Until.IsZero() {
		q.Until = q.Until.Add(24 * time.Hour) // to the end of that day
	}
	es, err := p.cfg.Service.Audit(c.Request.Context(), q)
	if err != nil {
		p.fail(c, err)
		return
	}
	users, _ := p.cfg.Accounts.Users()
	people := map[string]auth.UserInfo{}
	who := []auditWho{}
	for _, u := range users {
		people[u.Email] = u
		who = append(who, auditWho{u.Email, p.person(lang, u)})
	}
	who = append(who, auditWho{"contributor of submission ", p.catalog.T(lang, "audit.who.contributors")}, auditWho{"peer:", p.catalog.T(lang, "audit.who.peers")},
		auditWho{"system", p.catalog.T(lang, "audit.actor.system")})
	lines := make([]auditLine, len(es))
	for i, e := range es {
		lines[i] = auditLine{Entry: e, Sentence: p.sentence(lang, e, people)}
	}
	next := ""
	if len(es) == q.Limit {
		v := c.Request.URL.Query()
		v.Set("before", strconv.FormatUint(es[len(es)-1].Seq, 10))
		next = "/review/audit?" + v.Encode()
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	p.render(c, status, "audit", map[string]any{"Entries": lines, "Next": next, "Who": who, "Kinds": auditKinds, "Q": q,
		"From": c.Query("from"), "To": c.Query("to"), "Errors": errs})
}

// dayOf reads a YYYY-MM-DD day, empty for none.
func dayOf(s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", s)
}

// person names an account as the coordinators' pages do: its name and role, or its
// address and role.
func (p *Pages) person(lang string, u auth.UserInfo) string {
	name := u.Name
	if name == "" {
		name = u.Email
	}
	return p.catalog.T(lang, "version.by.named", name, p.catalog.T(lang, "role."+u.Role))
}

// sentence tells an entry in the interface's language, its target a link: "Ana
// (coordinator) accepted submission X as practice Y".
func (p *Pages) sentence(lang string, e audit.Entry, people map[string]auth.UserInfo) template.HTML {
	actor := html.EscapeString(e.Actor)
	switch {
	case strings.HasPrefix(e.Actor, "contributor of submission "):
		id := strings.TrimPrefix(e.Actor, "contributor of submission ")
		actor = html.EscapeString(p.catalog.T(lang, "audit.actor.contributor", "\x00")) // the link goes in below
		actor = strings.Replace(actor, "\x00", link("/review/submissions/"+id, id), 1)
	case strings.HasPrefix(e.Actor, "peer:"):
		actor = html.EscapeString(p.catalog.T(lang, "audit.actor.peer", strings.TrimPrefix(e.Actor, "peer:")))
	case e.Actor == "system", e.Actor == "migration", e.Actor == "cli":
		actor = html.EscapeString(p.catalog.T(lang, "audit.actor."+e.Actor))
	default:
		if u, ok := people[e.Actor]; ok {
			actor = html.EscapeString(p.person(lang, u))
		}
	}
	target := targetLink(e.Target)
	extra := ""
	if e.Action == "submission.accept" || e.Action == "submission.merge" {
		var after struct {
			PracticeID string `json:"practice_id"`
		}
		if json.Unmarshal(e.After, &after) == nil && after.PracticeID != "" {
			extra = link("/practices/"+after.PracticeID, after.PracticeID)
		}
	}
	key := "audit.s." + e.Action
	if !p.catalog.Has("en", key) {
		key = "audit.s.other"
	}
	// The message is escaped with markers in place of its arguments, then the markers
	// become the escaped actor and the links.
	msg := html.EscapeString(p.catalog.T(lang, key, "\x01", "\x02", "\x03", e.Action))
	msg = strings.NewReplacer("\x01", actor, "\x02", target, "\x03", extra).Replace(msg)
	return template.HTML(msg)
}

// targetLink is an audit target as a link to its page, when it has one.
func targetLink(target string) string {
	kind, id, _ := strings.Cut(target, ":")
	switch kind {
	case "practice":
		return link("/practices/"+id, id)
	case "submission":
		return link("/review/submissions/"+id, id)
	case "session":
		return link("/review/sessions/"+id, id)
	case "peer":
		return link("/review/peers", id)
	}
	return html.EscapeString(id)
}

func link(href, text string) string {
	return `<a href="` + html.EscapeString((&url.URL{Path: href}).EscapedPath()) + `">` + html.EscapeString(text) + `</a>`
}
