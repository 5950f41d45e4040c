package web

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// Jobs runs the harvests started from the page, so that they outlive the request.
type Jobs interface {
	Start(kind string, fn jobs.Func) (string, error)
	Get(id string) (jobs.Info, error)
}

func (p *Pages) registerPeers(g *gin.RouterGroup) {
	g.GET("/review/peers", p.peers)
	g.POST("/review/peers/queue", p.decideQueued)
	g.GET("/review/peers/queue/:id", p.queuedPreview)
	g.POST("/review/peers/queue/:id/accept", p.acceptDraft)
	g.POST("/review/peers/duplicates", p.decideDuplicates)
	g.GET("/review/peers/duplicates/:id/:held", p.duplicatePreview)
	// Managing peers is an admin's, as in the API.
	admin := g.Group("", p.requireRole(auth.RoleAdmin))
	admin.POST("/review/peers", p.addPeer)
	admin.POST("/review/peers/:name/harvest", p.harvest)
	admin.POST("/review/peers/:name/pause", p.pause)
	admin.GET("/review/peers/:name/remove", p.removeForm)
	admin.POST("/review/peers/:name/remove", p.remove)
}

// peerForm is the add-peer form as typed.
type peerForm struct{ Name, URL, Format, Policy, Set, Interval string }

// peerRow is a peer with its harvest, if one runs, and its last harvest's problems in
// the reader's language.
type peerRow struct {
	federation.Peer
	Every    string
	Harvest  harvest
	Problems []harvestProblem
}

// harvestProblem is what was wrong with one record of a harvest, in the reader's
// language; English marks one kept before problems were said from the catalogues.
type harvestProblem struct {
	Record, Text string
	English      bool
}

// harvestProblems says a harvest's problems in lang.
func (p *Pages) harvestProblems(lang string, problems []federation.Problem) []harvestProblem {
	out := make([]harvestProblem, 0, len(problems))
	for _, pr := range problems {
		if pr.Says == nil {
			out = append(out, harvestProblem{Text: pr.Text, English: true})
			continue
		}
		text := p.catalog.Say(lang, *pr.Says)
		if len(pr.Fields) > 0 {
			e := &apperr.Error{Fields: map[string]string{}, Problems: pr.Fields}
			for k := range pr.Fields {
				e.Fields[k] = ""
			}
			text += " " + p.fieldList(lang, e)
		}
		out = append(out, harvestProblem{Record: pr.Record, Text: text})
	}
	return out
}

// harvest is how far a running harvest has come. Applied is known only for a harvest
// started here: its job hears of the records applied, while the report of a running
// harvest counts only what was received.
type harvest struct {
	Running bool
	federation.Report
	Applied      int
	AppliedKnown bool
}

// flag is a probable duplicate with its reasons in the reader's language.
type flag struct {
	federation.Duplicate
	Reasons []string
}

// peersPage is what the peers page shows.
type peersPage struct {
	Peers      []peerRow
	Queued     []practices.Practice
	Flagged    map[string]*federation.Duplicate // queued id → its open flag
	Duplicates []flag
	Admin      bool
	// Running says a harvest runs; Refresh that the page reloads itself meanwhile.
	Running, Refresh bool
	Outcome          *outcome
	Form             peerForm
	Errors           map[string]string
	FormError        string
}

func (p *Pages) peersPage(c *gin.Context) (*peersPage, error) {
	peers, err := p.cfg.Peers.Peers()
	if err != nil {
		return nil, err
	}
	queued, err := p.cfg.Peers.Queued()
	if err != nil {
		return nil, err
	}
	open, err := p.cfg.Peers.Duplicates(federation.DuplicateOpen)
	if err != nil {
		return nil, err
	}
	d := &peersPage{Admin: user(c).Can(auth.RoleAdmin), Queued: queued, Flagged: map[string]*federation.Duplicate{}, Errors: map[string]string{},
		Form: peerForm{Format: federation.FormatKB, Interval: "1h"}, Outcome: p.outcomeOf(c)}
	lang := negotiate(c)
	for _, peer := range peers {
		h := p.harvestOf(peer.Name)
		d.Running = d.Running || h.Running
		d.Peers = append(d.Peers, peerRow{Peer: peer, Every: shortDuration(time.Duration(peer.Interval)), Harvest: h, Problems: p.harvestProblems(lang, peer.LastProblems)})
	}
	d.Refresh = d.Running && c.Query("watch") != "off"
	for _, f := range open {
		d.Flagged[f.ID] = &f
		d.Duplicates = append(d.Duplicates, p.flag(lang, f))
	}
	return d, nil
}

func (p *Pages) peers(c *gin.Context) {
	d, err := p.peersPage(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "peers", d)
}

// harvestOf says whether a harvest of the peer runs (started here, by the background
// harvester or through the API) and how far it has come.
func (p *Pages) harvestOf(name string) harvest {
	rep, running := p.cfg.Peers.Progress(name)
	h := harvest{Running: running, Report: rep}
	p.mu.Lock()
	id, ok := p.harvests[name]
	p.mu.Unlock()
	if !ok {
		return h
	}
	info, err := p.cfg.Jobs.Get(id)
	if err != nil || info.State != jobs.Running {
		p.mu.Lock()
		if p.harvests[name] == id {
			delete(p.harvests, name)
		}
		p.mu.Unlock()
		return h
	}
	// The job tells the records received, then those received and applied.
	h.Running, h.AppliedKnown, h.Applied = true, true, max(0, info.Done-rep.Received)
	return h
}

// harvest starts a harvest of the peer as a job, which no request's end cuts short; the
// page follows it.
func (p *Pages) harvest(c *gin.Context) {
	name := c.Param("name")
	if _, err := p.cfg.Peers.Peer(name); err != nil {
		p.fail(c, err)
		return
	}
	lang := negotiate(c)
	if p.harvestOf(name).Running {
		p.done(c, "", failure{name, p.catalog.T(lang, "peers.harvest.running")})
		return
	}
	id, err := p.cfg.Jobs.Start("harvest", func(ctx context.Context, progress func(int, int)) (any, error) {
		return p.cfg.Peers.SyncWithProgress(ctx, name, progress)
	})
	if err != nil {
		p.done(c, "", p.failure(c, name, err))
		return
	}
	p.mu.Lock()
	p.harvests[name] = id
	p.mu.Unlock()
	p.done(c, p.catalog.T(lang, "peers.harvest.started", name))
}

func (p *Pages) pause(c *gin.Context) {
	paused := c.PostForm("paused") == "yes"
	peer, err := p.cfg.Peers.Pause(c.Param("name"), paused)
	if err != nil {
		p.fail(c, err)
		return
	}
	key := "peers.resumed"
	if paused {
		key = "peers.paused.done"
	}
	p.done(c, p.catalog.T(negotiate(c), key, peer.Name))
}

func (p *Pages) addPeer(c *gin.Context) {
	f := peerForm{Name: strings.TrimSpace(c.PostForm("name")), URL: strings.TrimSpace(c.PostForm("url")), Format: c.PostForm("format"),
		Policy: c.PostForm("policy"), Set: strings.TrimSpace(c.PostForm("set")), Interval: strings.TrimSpace(c.PostForm("interval"))}
	n := federation.NewPeer{Name: f.Name, URL: f.URL, Format: f.Format, Policy: f.Policy, Set: f.Set}
	every, err := time.ParseDuration(f.Interval)
	if err != nil {
		// Sent as out of range, so that the service names every other bad field too.
		every = -1
	}
	n.Interval = federation.Duration(every)
	peer, err := p.cfg.Peers.Add(c.Request.Context(), n)
	if code := apperr.Code(err); code == apperr.Invalid || code == apperr.Conflict {
		d, derr := p.peersPage(c)
		if derr != nil {
			p.fail(c, derr)
			return
		}
		d.Form, d.Errors = f, p.formErrors(c, err)
		if _, bad := d.Errors["interval"]; bad && every < 0 {
			d.Errors["interval"] = p.catalog.T(negotiate(c), "peers.add.interval.bad")
		}
		if code == apperr.Conflict {
			d.FormError = apperr.As(err).Message
		}
		p.render(c, apperr.HTTPStatus(code), "peers", d)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.done(c, p.catalog.T(negotiate(c), "peers.added", peer.Name))
}

// removeForm says what removing the peer takes with it, and asks.
func (p *Pages) removeForm(c *gin.Context) {
	plan, err := p.cfg.Peers.RemovalPlan(c.Param("name"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "peerremove", map[string]any{"Plan": plan})
}

// remove removes the peer with the number of practices the form confirmed; when that
// number changed meanwhile (a harvest ran), it asks again with the new one.
func (p *Pages) remove(c *gin.Context) {
	confirm, _ := strconv.Atoi(c.PostForm("confirm"))
	r, err := p.cfg.Peers.Remove(c.Request.Context(), c.Param("name"), confirm)
	if apperr.Code(err) == apperr.Conflict {
		plan, perr := p.cfg.Peers.RemovalPlan(c.Param("name"))
		if perr != nil {
			p.fail(c, perr)
			return
		}
		p.render(c, http.StatusConflict, "peerremove", map[string]any{"Plan": plan, "Changed": true})
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.done(c, p.catalog.T(negotiate(c), "peers.removed", r.Peer, len(r.Removed), r.Repinned))
}

// decideQueued publishes or rejects the harvested practices selected, one by one: what
// fails is said, and the others are decided.
func (p *Pages) decideQueued(c *gin.Context) {
	decision := c.PostForm("decision")
	if decision != "publish" && decision != "reject" {
		p.fail(c, apperr.InvalidFields("no decision", map[string]string{"decision": "must be publish or reject"}))
		return
	}
	p.each(c, c.PostFormArray("id"), "peers.decided."+decision, func(id string) error {
		_, err := p.cfg.Peers.Decide(c.Request.Context(), user(c).Email, id, decision == "publish")
		if apperr.Code(err) == apperr.Invalid { // a draft that lacks fields: its page completes it
			err = p.refusal(apperr.Invalid, "peers.draft.incomplete")
		}
		return err
	})
}

// decideDuplicates confirms or dismisses the flags selected, each named "ID HELD".
func (p *Pages) decideDuplicates(c *gin.Context) {
	decision := c.PostForm("decision")
	if decision != "confirm" && decision != "dismiss" {
		p.fail(c, apperr.InvalidFields("no decision", map[string]string{"decision": "must be confirm or dismiss"}))
		return
	}
	p.each(c, c.PostFormArray("pair"), "peers.decided."+decision, func(pair string) error {
		id, held, _ := strings.Cut(pair, " ")
		_, err := p.cfg.Peers.DecideDuplicate(c.Request.Context(), user(c).Email, id, held, decision == "confirm")
		return err
	})
}

// each runs do on every item selected and goes back to the page saying, with key, how
// many of how many were done, and why the others were not.
func (p *Pages) each(c *gin.Context, items []string, key string, do func(string) error) {
	lang := negotiate(c)
	if len(items) == 0 {
		p.done(c, p.catalog.T(lang, "peers.selected.none"))
		return
	}
	var failed []failure
	for _, it := range items {
		if err := do(it); err != nil {
			failed = append(failed, p.failure(c, it, err))
		}
	}
	p.done(c, p.catalog.T(lang, key, len(items)-len(failed), len(items)), failed...)
}

// preview is a harvested record beside the practice held here it may duplicate.
type preview struct {
	Record *practices.Practice
	// Queued says the record waits for review; Flag is its probable duplicate, if flagged.
	Queued  bool
	Flag    *flag
	Held    *practices.Practice
	Changes []review.FieldChange
	// Others are further practices held here that resemble a queued record.
	Others []review.Duplicate
	// Sides are the record and the practice held, side by side.
	Sides []side
	// Draft says the record is a draft from a repository that is not kb, published once
	// completed: Done as typed (at first the draft's own fields), Errors what is wrong.
	Draft     bool
	Done      federation.Completion
	Errors    map[string]string
	Countries []practices.Country
}

// side is one of the two practices compared, under its heading; Link says it has a page.
type side struct {
	Key  string
	P    *practices.Practice
	Link bool
}

// queuedPreview shows a queued record beside the practice it was flagged with, or else
// the closest one held.
func (p *Pages) queuedPreview(c *gin.Context) {
	pv, err := p.queuedView(c, c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "peerpreview", pv)
}

// acceptDraft completes a draft from a repository that is not kb and publishes it;
// what is still missing or wrong comes back beside its field, as typed.
func (p *Pages) acceptDraft(c *gin.Context) {
	done := federation.Completion{Title: strings.TrimSpace(c.PostForm("title")), Summary: strings.TrimSpace(c.PostForm("summary")), Body: c.PostForm("body"),
		City: strings.TrimSpace(c.PostForm("city")), Country: c.PostForm("country"), Areas: c.PostFormArray("areas"), Source: strings.TrimSpace(c.PostForm("source"))}
	if l := c.PostForm("language"); l != "" {
		done.Languages = []string{l}
	}
	pr, err := p.cfg.Peers.Accept(c.Request.Context(), user(c).Email, c.Param("id"), done)
	if apperr.Code(err) == apperr.Invalid {
		pv, verr := p.queuedView(c, c.Param("id"))
		if verr != nil {
			p.fail(c, verr)
			return
		}
		pv.Done, pv.Errors = done, p.formErrors(c, err)
		p.render(c, http.StatusBadRequest, "peerpreview", pv)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.done(c, p.catalog.T(negotiate(c), "peers.draft.published", pr.Title))
}

func (p *Pages) queuedView(c *gin.Context, id string) (*preview, error) {
	ctx := c.Request.Context()
	rec, err := p.cfg.Peers.QueuedPractice(id)
	if err != nil {
		return nil, err
	}
	pv := &preview{Record: rec, Queued: true}
	open, err := p.cfg.Peers.Duplicates(federation.DuplicateOpen)
	if err != nil {
		return nil, err
	}
	heldID := ""
	for _, d := range open {
		if d.ID == rec.ID {
			f := p.flag(negotiate(c), d)
			pv.Flag, heldID = &f, d.HeldID
			break
		}
	}
	similar, err := p.cfg.Review.Duplicates(ctx, review.Input{Practice: *rec, Draft: true})
	if err != nil {
		p.cfg.Logger.Warn("closest practices of a harvested record", "id", rec.ID, "err", err)
	}
	for _, d := range similar {
		if heldID == "" {
			heldID = d.ID
		} else if d.ID != heldID {
			pv.Others = append(pv.Others, d)
		}
	}
	if rec.Adopted() {
		pv.Draft, pv.Errors, pv.Countries = true, map[string]string{}, p.countries(c)
		pv.Done = federation.Completion{Title: rec.Title, Summary: rec.Summary, Body: rec.Body, City: rec.City, Country: rec.Country,
			Areas: rec.Areas, Languages: rec.Languages, Source: rec.Source}
	}
	return pv, p.beside(ctx, pv, heldID)
}

// duplicatePreview shows a flagged record beside the practice held here it may be.
func (p *Pages) duplicatePreview(c *gin.Context) {
	d, err := p.cfg.Peers.Duplicate(c.Param("id"), c.Param("held"))
	if err != nil {
		p.fail(c, err)
		return
	}
	f := p.flag(negotiate(c), *d)
	pv := &preview{Flag: &f}
	if pv.Record, err = p.cfg.Service.Get(c.Request.Context(), d.ID); apperr.Code(err) == apperr.NotFound {
		pv.Record, err = p.cfg.Peers.QueuedPractice(d.ID) // flagged as it was queued
		pv.Queued = err == nil
	}
	if err == nil {
		err = p.beside(c.Request.Context(), pv, d.HeldID)
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "peerpreview", pv)
}

// beside puts the practice held here with the record, and what differs between them.
func (p *Pages) beside(ctx context.Context, pv *preview, heldID string) error {
	if heldID != "" {
		held, err := p.cfg.Service.Get(ctx, heldID)
		if err != nil && apperr.Code(err) != apperr.NotFound {
			return err
		}
		if held != nil {
			pv.Held, pv.Changes = held, review.ComparePractices(held, pv.Record)
		}
	}
	record := side{Key: "preview.record", P: pv.Record, Link: !pv.Queued}
	if pv.Queued {
		record.Key = "preview.record.queued"
	}
	pv.Sides = []side{record, {Key: "preview.held", P: pv.Held, Link: true}}
	return nil
}

// reasons are the reasons of a flag raised before they were kept as sentences of the
// catalogues, as the harvest worded them then, each with its message.
var (
	reasonKeys  = map[string]string{"the same title": "peers.reason.title", "the same city and country": "peers.reason.place", "the same year": "peers.reason.year"}
	reasonShare = regexp.MustCompile(`^(\d+)% of their title and summary words in common$`)
)

func (p *Pages) flag(lang string, d federation.Duplicate) flag {
	f := flag{Duplicate: d}
	if len(d.Says) > 0 {
		for _, r := range d.Says {
			f.Reasons = append(f.Reasons, p.catalog.Say(lang, r))
		}
		return f
	}
	for _, r := range d.Reasons {
		if key, ok := reasonKeys[r]; ok {
			r = p.catalog.T(lang, key)
		} else if m := reasonShare.FindStringSubmatch(r); m != nil {
			n, _ := strconv.Atoi(m[1])
			r = p.catalog.T(lang, "peers.reason.words", n)
		}
		f.Reasons = append(f.Reasons, r)
	}
	return f
}

// shortDuration writes an interval as it is typed: 1h, 30m, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
