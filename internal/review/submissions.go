package review

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// TrackingPrefix starts every tracking token.
const TrackingPrefix = "kbs_"

// Contributor is the audit actor of a contributor acting through a tracking token.
func Contributor(id string) string { return "contributor of submission " + id }

// draftID stands in for the id a practice gets when it is accepted, so that validation
// (which requires an id) can run on a submission.
const draftID = "submission"

// sourceOf is the source a submitted case records.
func sourceOf(session *Session) string {
	if session != nil {
		return "Live Learning Experience submission, session: " + session.Title
	}
	return "Live Learning Experience submission (standing call)"
}

// clearRecords drops from a case what only the knowledge base sets: an identity, an
// origin, translations, the record of AI assistance, links to other records and local
// annotations. Published with them, a case would claim to come from anywhere, or be
// nobody's to edit.
func clearRecords(p *practices.Practice) {
	p.URI, p.Origin, p.SameAs, p.ReplacedBy, p.Hidden, p.LocalNote = "", nil, nil, "", false, ""
	p.Translations, p.Assisted = nil, nil
}

// maxPopulation bounds the inhabitants a case's place may have: above the largest
// metropolitan areas, so that a slip of the keyboard is caught.
const maxPopulation = 100_000_000

// matchCity gives a case placed in a city the corpus knows that city's own name and,
// when the contributor left it blank, its country.
func (s *Service) matchCity(p *practices.Practice) {
	c, ok := s.geo.FindCity(p.City, p.Country)
	if !ok && p.Country == "" {
		c, ok = s.geo.FindCity(p.City, "")
	}
	if ok {
		p.City, p.Country = c.Name, c.Country
	}
}

// prepare validates an input and returns the practice as it will be stored. A draft may
// leave required fields empty; what it does give must be right.
func (s *Service) prepare(tx *store.Tx, in *Input, draft bool) (practices.Practice, error) {
	var f apperr.FieldErrors
	var session *Session
	if id := strings.TrimSpace(in.SessionID); id != "" {
		ss, err := store.GetJSON[Session](tx.LLESessions(), id, "session")
		switch {
		case err != nil:
			f.Add("session_id", fmt.Sprintf("%q is not a session", id), apperr.Unknown, id)
		case !ss.Open:
			f.Add("session_id", fmt.Sprintf("the call of session %q is closed", ss.Title), apperr.Closed, ss.Title)
		default:
			session, in.SessionID = ss, id
		}
	}
	p := in.Practice
	p.ID, p.Source, p.Session, p.Version, p.UpdatedAt, p.Archived = draftID, sourceOf(session), in.SessionID, 0, time.Time{}, false
	p.Region, p.PopulationBand = "", ""
	clearRecords(&p) // whatever a door let through: the doors refuse them
	if len(p.Languages) == 0 {
		p.Languages = []string{"en"}
	}
	p.Normalize()
	s.matchCity(&p)
	switch {
	case in.Population < 0 || in.Population > maxPopulation:
		f.Add("population", fmt.Sprintf("must be a number of inhabitants between 1 and %d", maxPopulation), apperr.OutOfRange, 1, maxPopulation)
	case in.Population > 0:
		p.PopulationBand = recommend.BandOf(in.Population)
	}
	s.geo.Enrich(&p)
	if err := p.Validate(s.geo); err != nil {
		f.Take("practice.", err)
	}
	c := &in.Contact
	c.Name, c.Role, c.Email = strings.TrimSpace(c.Name), strings.TrimSpace(c.Role), strings.TrimSpace(c.Email)
	switch {
	case c.Name == "":
		f.Add("contact.name", "is required: who presents the case (never published)", apperr.Required)
	case utf8.RuneCountInString(c.Name) > 200:
		f.Add("contact.name", "is too long (at most 200 characters)", apperr.TooLong, 200)
	}
	if utf8.RuneCountInString(c.Role) > 200 {
		f.Add("contact.role", "is too long (at most 200 characters)", apperr.TooLong, 200)
	}
	if email, err := auth.NormalizeEmail(c.Email); err != nil {
		if c.Email != "" {
			f.Add("contact.email", err.Error(), apperr.Malformed)
		} else {
			f.Add("contact.email", "is required: an address to tell you about the review (never published)", apperr.Required)
		}
	} else {
		c.Email = email
	}
	if !in.ConsentToPublish {
		f.Add("consent_to_publish", "must be given: the case is published under the network's name once accepted", apperr.Required)
	}
	if utf8.RuneCountInString(in.Comment) > 5000 {
		f.Add("comment", "is too long (at most 5000 characters)", apperr.TooLong, 5000)
	}
	if draft { // a draft may be incomplete
		f.Drop(func(_ string, p apperr.Problem) bool { return p.Code == apperr.Required })
	}
	return p, f.Err("the submission is not valid")
}

// Create stores a new submission, as a draft or submitted, durably before it returns,
// within the client's limit of submissions (an invalid one does not count). The receipt
// carries the tracking token (shown once) and, for a submitted case, the closest
// existing practices.
func (s *Service) Create(ctx context.Context, in Input) (*Receipt, error) {
	undo, err := s.Submissions.Take(ctx)
	if err != nil {
		return nil, err
	}
	token := TrackingPrefix + auth.NewSecret()
	var sub Submission
	var again *Receipt
	err = s.store.Update(func(tx *store.Tx) error {
		if in.Once != nil {
			var err error
			if again, err = s.replay(tx, in.Once); again != nil || err != nil {
				return err
			}
		}
		p, err := s.prepare(tx, &in, in.Draft)
		if err != nil {
			return err
		}
		now := s.store.Now()
		b := tx.Submissions()
		sub = Submission{
			ID: uniqueKey(b, randomID()), Status: StatusDraft, SessionID: in.SessionID, Practice: p,
			Contact: in.Contact, Consent: in.ConsentToPublish, Comments: []Comment{}, Created: now, Updated: now,
			TokenHash: auth.Hash(token), Population: in.Population, Lang: s.Language(in.Lang),
		}
		sub.History = []Transition{{Time: now, To: StatusDraft, Actor: Contributor(sub.ID)}}
		action := "submission.draft"
		if !in.Draft {
			sub.Status = StatusSubmitted
			sub.History = []Transition{{Time: now, To: StatusSubmitted, Actor: Contributor(sub.ID)}}
			action = "submission.submit"
			if err := s.notify(tx, &sub, ""); err != nil {
				return err
			}
		}
		if err := store.PutJSON(b, sub.ID, sub); err != nil {
			return err
		}
		if err := tx.TrackTokens().Put([]byte(sub.TokenHash), []byte(sub.ID)); err != nil {
			return err
		}
		if in.Once != nil {
			if err := s.remember(tx, in.Once, &Receipt{ID: sub.ID, Status: sub.Status, TrackingToken: token}); err != nil {
				return err
			}
		}
		return audit.Append(tx, audit.Record(Contributor(sub.ID), action, "submission:"+sub.ID, nil, sub.view(), ""))
	})
	if apperr.Code(err) == apperr.Invalid || again != nil || apperr.Code(err) == apperr.Conflict {
		undo() // nothing was stored: the attempt does not count
	}
	if err != nil {
		return nil, err
	}
	r := again
	if r == nil {
		s.wakeSender()
		r = &Receipt{ID: sub.ID, Status: sub.Status, TrackingToken: token}
	} else {
		r.Replayed = true
		s.store.View(func(tx *store.Tx) error { // the practice as it stands now, for the duplicates
			if got, err := store.GetJSON[Submission](tx.Submissions(), r.ID, "submission"); err == nil {
				sub = *got
			}
			return nil
		})
	}
	r.Duplicates = []Duplicate{}
	if r.Status == StatusSubmitted {
		r.Duplicates = s.duplicates(ctx, &sub.Practice, r.ID)
	}
	return r, nil
}

// Duplicates lists the existing practices closest to a draft, without storing anything.
func (s *Service) Duplicates(ctx context.Context, in Input) ([]Duplicate, error) {
	var p practices.Practice
	err := s.store.View(func(tx *store.Tx) error {
		var err error
		p, err = s.prepare(tx, &in, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.duplicates(ctx, &p, draftID), nil
}

const maxDuplicates = 3

func (s *Service) duplicates(ctx context.Context, p *practices.Practice, id string) []Duplicate {
	q := *p
	q.ID = "submission:" + id // never an existing practice's id
	hits, err := s.index.Similar(ctx, &q, maxDuplicates)
	out := []Duplicate{}
	if err != nil {
		s.log.Error("duplicate check failed", "err", err)
		return out
	}
	for _, h := range hits {
		if pr, err := s.store.Get(ctx, h.ID); err == nil {
			out = append(out, Duplicate{ID: h.ID, Title: pr.Title, Score: h.Score})
		}
	}
	return out
}

// Access says who reads or acts on a submission: a coordinator, or the contributor
// with its tracking token.
type Access struct {
	Principal *auth.Principal
	Token     string
}

func (a Access) actor(id string) string {
	if a.Principal != nil {
		return a.Principal.Email
	}
	return Contributor(id)
}

// load reads a submission and checks access: a coordinator sees any; a contributor only
// the one its token opens.
func load(tx *store.Tx, id string, acc Access) (*Submission, error) {
	if acc.Principal == nil && acc.Token == "" {
		return nil, apperr.Errorf(apperr.Unauthorized, "give the submission's tracking token (X-Tracking-Token) or a coordinator's token")
	}
	sub, err := store.GetJSON[Submission](tx.Submissions(), id, "submission")
	if err != nil {
		return nil, err
	}
	if acc.Principal.Can(auth.RoleCoordinator) || acc.Principal == nil && opens(tx, acc.Token, id) {
		return sub, nil
	}
	return nil, apperr.Errorf(apperr.Forbidden, "this token does not open submission %q", id)
}

// opens reports whether a tracking token opens the submission: the one shown when it
// was created, or one of those a mail carried since.
func opens(tx *store.Tx, token, id string) bool {
	got := tx.TrackTokens().Get([]byte(auth.Hash(token)))
	return got != nil && auth.Equal(string(got), id)
}

// ByToken finds the submission a tracking token opens (the link given to contributors).
func (s *Service) ByToken(ctx context.Context, token string) (*Submission, error) {
	var sub *Submission
	err := s.store.View(func(tx *store.Tx) error {
		id := tx.TrackTokens().Get([]byte(auth.Hash(token)))
		if id == nil {
			return apperr.Errorf(apperr.NotFound, "no submission opens with this tracking token; check the link")
		}
		var err error
		sub, err = load(tx, string(id), Access{Token: token})
		return err
	})
	if err != nil {
		return nil, err
	}
	return sub.viewFor(Access{Token: token}), nil
}

// Get returns a submission to a coordinator or to its contributor.
func (s *Service) Get(ctx context.Context, id string, acc Access) (*Submission, error) {
	var sub *Submission
	err := s.store.View(func(tx *store.Tx) error {
		var err error
		sub, err = load(tx, id, acc)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sub.viewFor(acc), nil
}

// Update lets the contributor change a draft (and submit it, unless the input is still a
// draft) or answer a request for changes with a revised case.
func (s *Service) Update(ctx context.Context, id string, acc Access, in Input) (*Submission, error) {
	if acc.Principal != nil {
		return nil, apperr.Errorf(apperr.Forbidden, "only the contributor changes a submission; coordinators decide on it")
	}
	var out *Submission
	err := s.store.Update(func(tx *store.Tx) error {
		sub, err := load(tx, id, acc)
		if err != nil {
			return err
		}
		before := sub.view()
		action := ActionSubmit
		switch {
		case sub.Status == StatusDraft && in.Draft:
			action = "" // stays a draft
		case sub.Status == StatusChangesRequested:
			action = ActionRevise
		}
		in.SessionID = strings.TrimSpace(in.SessionID)
		p, err := s.prepare(tx, &in, action == "")
		if err != nil {
			return err
		}
		now := s.store.Now()
		if action != "" {
			to, err := next(action, sub.Status)
			if err != nil {
				return err
			}
			if action == ActionRevise {
				sub.Revisions = append(sub.Revisions, Revision{Time: sub.Updated, Practice: sub.Practice})
			}
			sub.History = append(sub.History, Transition{Time: now, From: sub.Status, To: to, Actor: Contributor(id)})
			sub.Status = to
		}
		if c := strings.TrimSpace(in.Comment); c != "" {
			sub.Comments = append(sub.Comments, Comment{Time: now, Author: "contributor", Text: c})
		}
		if in.Contact.Email != sub.Contact.Email {
			if err := forgetAddress(tx, sub); err != nil { // a new address is confirmed anew
				return err
			}
		}
		sub.Practice, sub.Contact, sub.Consent, sub.SessionID, sub.Updated = p, in.Contact, in.ConsentToPublish, in.SessionID, now
		sub.Population = in.Population
		sub.Suggestions = nil // they were about the text just replaced
		if action != "" {
			if err := s.notify(tx, sub, ""); err != nil {
				return err
			}
		}
		if err := store.PutJSON(tx.Submissions(), id, sub); err != nil {
			return err
		}
		out = sub.viewFor(acc)
		return audit.Append(tx, audit.Record(Contributor(id), "submission."+orDefault(action, "edit_draft"), "submission:"+id, before, sub.view(), ""))
	})
	if err == nil {
		s.wakeSender()
	}
	return out, err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Withdraw lets the contributor take a submission back before a decision.
func (s *Service) Withdraw(ctx context.Context, id string, acc Access) (*Submission, error) {
	if acc.Principal != nil {
		return nil, apperr.Errorf(apperr.Forbidden, "only the contributor withdraws a submission")
	}
	return s.transition(ctx, id, acc, ActionWithdraw, "", nil)
}

// transition applies an action to a submission in one transaction, with its audit entry
// and its notification; extra runs first and may refuse or add writes.
func (s *Service) transition(ctx context.Context, id string, acc Access, action, comment string, extra func(*store.Tx, *Submission) error) (*Submission, error) {
	var out *Submission
	err := s.store.Update(func(tx *store.Tx) error {
		sub, err := load(tx, id, acc)
		if err != nil {
			return err
		}
		before := sub.view()
		to, err := next(action, sub.Status)
		if err != nil {
			return err
		}
		if extra != nil {
			if err := extra(tx, sub); err != nil {
				return err
			}
		}
		now := s.store.Now()
		sub.History = append(sub.History, Transition{Time: now, From: sub.Status, To: to, Actor: acc.actor(id)})
		sub.Status, sub.Updated = to, now
		if comment != "" {
			sub.Comments = append(sub.Comments, Comment{Time: now, Author: authorOf(acc), Text: comment})
		}
		if err := s.notify(tx, sub, comment); err != nil {
			return err
		}
		if err := store.PutJSON(tx.Submissions(), id, sub); err != nil {
			return err
		}
		out = sub.viewFor(acc)
		return audit.Append(tx, audit.Record(acc.actor(id), "submission."+action, "submission:"+id, before, sub.view(), comment))
	})
	if err == nil {
		s.wakeSender()
	}
	return out, err
}

func authorOf(acc Access) string {
	if acc.Principal != nil {
		return "coordinator"
	}
	return "contributor"
}

// Decide applies a coordinator's decision. Accepting publishes the case as a practice
// (version 1) in the same transaction, and the index follows at once.
func (s *Service) Decide(ctx context.Context, id string, who *auth.Principal, d Decision) (*DecisionResult, error) {
	d.Comment = strings.TrimSpace(d.Comment)
	switch d.Decision {
	case ActionAccept, ActionReject, ActionRequestChanges:
	case ActionMerge:
		if d.Into = strings.TrimSpace(d.Into); d.Into == "" {
			return nil, fieldErr("into", "is required with a merge: the id of the practice the case becomes a new version of", apperr.Required)
		}
		if to, merged := s.store.Redirect(d.Into); merged {
			d.Into = to // the practice the one named was merged into
		}
	default:
		return nil, fieldErr("decision", "must be accept, reject, request_changes or merge", apperr.NotAChoice, d.Decision)
	}
	if d.Decision == ActionRequestChanges && d.Comment == "" {
		return nil, fieldErr("comment", "is required when requesting changes: say what to change", apperr.Required)
	}
	if utf8.RuneCountInString(d.Comment) > 5000 {
		return nil, fieldErr("comment", "is too long (at most 5000 characters)", apperr.TooLong, 5000)
	}
	if d.Apply != nil && d.Decision != ActionAccept {
		return nil, fieldErr("apply", "suggestions are applied only when accepting", apperr.Malformed)
	}
	var practiceID string
	sub, err := s.transition(ctx, id, Access{Principal: who}, d.Decision, d.Comment, func(tx *store.Tx, sub *Submission) error {
		if d.Decision == ActionMerge {
			var err error
			practiceID, err = s.mergeInto(ctx, tx, sub, d.Into, who.Email)
			sub.PracticeID = practiceID
			return err
		}
		if d.Decision != ActionAccept {
			return nil
		}
		p := sub.Practice
		clearRecords(&p) // a submission stored before the doors refused them may carry them
		if d.Apply != nil {
			if err := applied(&p, sub.Suggestions, d.Apply, s.geo); err != nil {
				return err
			}
		}
		var err error
		practiceID, err = s.publish(ctx, tx, p, sub.ID, who.Email)
		sub.PracticeID = practiceID
		return err
	})
	if err != nil {
		return nil, err
	}
	if practiceID != "" {
		s.synced(ctx)
	}
	return &DecisionResult{Submission: sub, PracticeID: practiceID}, nil
}

// publish writes an accepted submission's practice as a new practice.
func (s *Service) publish(ctx context.Context, tx *store.Tx, p practices.Practice, subID, actor string) (string, error) {
	if err := p.Validate(s.geo); err != nil {
		return "", apperr.Errorf(apperr.Conflict, "the submission cannot be published as it is: %s", apperr.As(err).FieldList())
	}
	p.ID = freeID(tx, &p)
	if _, err := tx.PutPractice(&p, store.NewVersion); err != nil {
		return "", err
	}
	if err := noteVersion(ctx, tx, actor, p.ID, p.Version, VersionNote{Action: "practice.publish", Submission: subID}); err != nil {
		return "", err
	}
	return p.ID, audit.Append(tx, audit.Record(actor, "practice.publish", "practice:"+p.ID, nil, p, "accepted from submission "+subID))
}

// freeID is the id a case is published under: its city and title as a slug, numbered
// when taken.
func freeID(tx *store.Tx, p *practices.Practice) string {
	base := practices.Slug(p.Title, 60)
	if city := practices.Slug(p.City, 30); city != "" && !strings.Contains(base, city) {
		base = city + "-" + base
	}
	id := base
	for i := 2; ; i++ {
		if _, err := tx.Practice(id); apperr.Code(err) == apperr.NotFound {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
}

// ProposedID is the id a submission's case would be published under if accepted now.
func (s *Service) ProposedID(ctx context.Context, p *practices.Practice) string {
	var id string
	s.store.View(func(tx *store.Tx) error { id = freeID(tx, p); return nil })
	return id
}

// Queue filters the review queue.
type Queue struct {
	Status    string
	SessionID string
	Area      string
	// OlderThan keeps submissions not updated for at least this long.
	OlderThan time.Duration
}

// List returns the submissions a coordinator asked for, oldest update first.
func (s *Service) List(ctx context.Context, q Queue) ([]*Submission, error) {
	if q.Status != "" && !slices.Contains(Statuses, q.Status) {
		return nil, fieldErr("status", "must be one of: "+strings.Join(Statuses, ", "), apperr.NotAChoice, q.Status)
	}
	if q.Area != "" && !practices.Areas.Has(q.Area) {
		return nil, fieldErr("area", "must be one of: "+strings.Join(practices.Areas.IDs(), ", "), apperr.NotAChoice, q.Area)
	}
	out := []*Submission{}
	cutoff := s.store.Now().Add(-q.OlderThan)
	err := s.store.View(func(tx *store.Tx) error {
		b := tx.Submissions()
		return b.ForEach(func(k, v []byte) error {
			sub, err := store.GetJSON[Submission](b, string(k), "submission")
			if err != nil {
				return err
			}
			if (q.Status == "" || sub.Status == q.Status) && (q.SessionID == "" || sub.SessionID == q.SessionID) &&
				(q.Area == "" || slices.Contains(sub.Practice.Areas, q.Area)) && (q.OlderThan == 0 || !sub.Updated.After(cutoff)) {
				out = append(out, sub.view())
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Updated.Before(out[j].Updated) })
	return out, err
}

// CountByStatus counts the submissions in each state.
func (s *Service) CountByStatus(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, st := range Statuses {
		out[st] = 0
	}
	err := s.store.View(func(tx *store.Tx) error {
		return tx.Submissions().ForEach(func(k, v []byte) error {
			var sub struct{ Status string }
			if err := json.Unmarshal(v, &sub); err != nil {
				return err
			}
			out[sub.Status]++
			return nil
		})
	})
	return out, err
}
