package review_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/review/mailtest"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/web"
)

var ctx = context.Background()

// seeded is a new data dir holding the study's cases, as every test's first Open makes it.
func seeded(t *testing.T) string { return apptest.SeededDir(t, "kb.example.org", "kb.example.org") }

func openApp(t *testing.T, dir string) *app.App {
	t.Helper()
	a, err := app.Open(ctx, app.Config{DataDir: dir, BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	a.Review.UseMessages(web.MailMessages(cat))
	return a
}

var coordinator = &auth.Principal{Email: "coord@example.org", Role: auth.RoleCoordinator}

func validInput() review.Input {
	return review.Input{
		Practice: practices.Practice{
			Title: "Solar kiosks for phone charging in markets", Summary: "The town installed solar kiosks where traders charge phones for free.",
			City: "Kisumu", Country: "KE", Areas: []string{"economy"}, Tags: []string{"solar"},
			Body: "## What was done\nKiosks with solar panels in three markets.\n",
		},
		Contact:          review.Contact{Name: "Amina Otieno", Role: "ICT officer", Email: "amina@example.org"},
		ConsentToPublish: true,
	}
}

var confirmLink = regexp.MustCompile(`/confirm/(kbc_[A-Za-z0-9_-]+)`)

// confirm follows the link of the newest request to confirm an address in the outbox.
func confirm(t *testing.T, a *app.App) *review.Submission {
	t.Helper()
	mail, _ := a.Review.Outbox(ctx, 500)
	for _, m := range mail {
		if tok := confirmLink.FindStringSubmatch(m.Body); tok != nil {
			s, err := a.Review.ConfirmAddress(ctx, tok[1])
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatalf("no request to confirm an address in %+v", mail)
	return nil
}

type sub struct {
	id, token string
}

// reach puts a new submission in a state through legal steps.
func reach(t *testing.T, a *app.App, state string) sub {
	t.Helper()
	in := validInput()
	in.Draft = state == review.StatusDraft
	r, err := a.Review.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	s := sub{r.ID, r.TrackingToken}
	switch state {
	case review.StatusChangesRequested, review.StatusAccepted, review.StatusRejected:
		d := map[string]string{review.StatusChangesRequested: review.ActionRequestChanges, review.StatusAccepted: review.ActionAccept, review.StatusRejected: review.ActionReject}[state]
		if _, err := a.Review.Decide(ctx, s.id, coordinator, review.Decision{Decision: d, Comment: "please add figures"}); err != nil {
			t.Fatal(err)
		}
	case review.StatusWithdrawn:
		if _, err := a.Review.Withdraw(ctx, s.id, review.Access{Token: s.token}); err != nil {
			t.Fatal(err)
		}
	case review.StatusMerged:
		if _, err := a.Review.Decide(ctx, s.id, coordinator, review.Decision{Decision: review.ActionMerge, Into: "amb-dual-bus-stops"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := a.Review.Get(ctx, s.id, review.Access{Token: s.token})
	if err != nil || got.Status != state {
		t.Fatalf("reach %s: %v %v", state, got, err)
	}
	return s
}

// The state machine, written out independently of the code: for each action, the state
// each starting state leads to, or "" where the action must be refused with a 409.
var wantTransitions = map[string]map[string]string{
	"contributor update": {review.StatusDraft: review.StatusSubmitted, review.StatusChangesRequested: review.StatusSubmitted},
	"withdraw":           {review.StatusDraft: review.StatusWithdrawn, review.StatusSubmitted: review.StatusWithdrawn, review.StatusChangesRequested: review.StatusWithdrawn},
	"accept":             {review.StatusSubmitted: review.StatusAccepted},
	"reject":             {review.StatusSubmitted: review.StatusRejected},
	"request_changes":    {review.StatusSubmitted: review.StatusChangesRequested},
	"merge":              {review.StatusSubmitted: review.StatusMerged},
}

func TestEveryTransitionAndEveryIllegalOne(t *testing.T) {
	a := openApp(t, seeded(t))
	for action, table := range wantTransitions {
		for _, from := range review.Statuses {
			t.Run(action+" from "+from, func(t *testing.T) {
				s := reach(t, a, from)
				var got *review.Submission
				var err error
				switch action {
				case "contributor update":
					got, err = a.Review.Update(ctx, s.id, review.Access{Token: s.token}, validInput())
				case "withdraw":
					got, err = a.Review.Withdraw(ctx, s.id, review.Access{Token: s.token})
				default:
					var r *review.DecisionResult
					r, err = a.Review.Decide(ctx, s.id, coordinator, review.Decision{Decision: action, Comment: "because", Into: "montevideo-wifi-abc"})
					if r != nil {
						got = r.Submission
					}
				}
				want := table[from]
				if want == "" {
					if apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), "cannot") {
						t.Fatalf("%s from %s: %v, want a 409 that says why", action, from, err)
					}
					return
				}
				if err != nil || got.Status != want {
					t.Fatalf("%s from %s: %v %v, want %s", action, from, got, err, want)
				}
				if last := got.History[len(got.History)-1]; last.From != from || last.To != want {
					t.Errorf("history records %+v", last)
				}
			})
		}
	}
}

func TestAcceptPublishesASearchablePracticeAtOnce(t *testing.T) {
	a := openApp(t, seeded(t))
	sess, err := a.Review.SaveSession(ctx, "coord", review.Session{Title: "Energy in markets", Open: true, Areas: []string{"economy"}, Date: "2021-05-12"})
	if err != nil {
		t.Fatal(err)
	}
	in := validInput()
	in.SessionID = sess.ID
	r, err := a.Review.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	confirm(t, a)
	res, err := a.Review.Decide(ctx, r.ID, coordinator, review.Decision{Decision: review.ActionAccept, Comment: "Welcome"})
	if err != nil {
		t.Fatal(err)
	}
	if res.PracticeID != "kisumu-solar-kiosks-for-phone-charging-in-markets" {
		t.Errorf("practice id %q", res.PracticeID)
	}
	p, err := a.Get(ctx, res.PracticeID)
	if err != nil || p.Version != 1 || p.Session != sess.ID || !strings.Contains(p.Source, "Energy in markets") || p.Region != "africa" {
		t.Fatalf("published practice %+v %v", p, err)
	}
	found, err := a.Search(ctx, search.Request{Query: "solar kiosks"})
	if err != nil || len(found.Hits) == 0 || found.Hits[0].ID != res.PracticeID {
		t.Fatalf("not searchable at once: %+v %v", found, err)
	}
	entries, _ := a.Audit(ctx, audit.Query{Limit: 10})
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"submission.submit", "submission.accept", "practice.publish", "session.save"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
	mail, _ := a.Review.Outbox(ctx, 10)
	// Asked to confirm the address, told it was received once confirmed, then accepted.
	if len(mail) != 3 || mail[0].To != "amina@example.org" || !strings.Contains(mail[0].Body, "accepted and published") || !strings.Contains(mail[0].Body, "Welcome") {
		t.Errorf("outbox %+v", mail)
	}
}

func TestDraftsSaveIncompleteAndSubmitComplete(t *testing.T) {
	a := openApp(t, seeded(t))
	r, err := a.Review.Create(ctx, review.Input{Practice: practices.Practice{Title: "Just a title"}, Draft: true})
	if err != nil || r.Status != review.StatusDraft || r.TrackingToken == "" {
		t.Fatalf("draft: %+v %v", r, err)
	}
	acc := review.Access{Token: r.TrackingToken}
	if _, err := a.Review.Create(ctx, review.Input{Practice: practices.Practice{Areas: []string{"parks"}}, Draft: true}); apperr.As(err).Fields["practice.areas"] == "" {
		t.Errorf("a draft's wrong value must still be named: %v", err)
	}
	_, err = a.Review.Update(ctx, r.ID, acc, review.Input{Practice: practices.Practice{Title: "Just a title"}})
	f := apperr.As(err).Fields
	for _, field := range []string{"practice.summary", "practice.city", "practice.country", "practice.areas", "practice.body", "contact.name", "contact.email", "consent_to_publish"} {
		if f[field] == "" {
			t.Errorf("submitting an incomplete draft does not name %s: %v", field, err)
		}
	}
	got, err := a.Review.Update(ctx, r.ID, acc, validInput())
	if err != nil || got.Status != review.StatusSubmitted {
		t.Fatalf("complete submit: %+v %v", got, err)
	}
}

func TestSubmissionValidationNamesEveryField(t *testing.T) {
	a := openApp(t, seeded(t))
	closed, _ := a.Review.SaveSession(ctx, "coord", review.Session{Title: "Closed call", Open: false})
	for name, tc := range map[string]struct {
		edit  func(*review.Input)
		field string
	}{
		"bad email":       {func(in *review.Input) { in.Contact.Email = "not-an-email" }, "contact.email"},
		"no consent":      {func(in *review.Input) { in.ConsentToPublish = false }, "consent_to_publish"},
		"unknown area":    {func(in *review.Input) { in.Practice.Areas = []string{"parks"} }, "practice.areas"},
		"unknown country": {func(in *review.Input) { in.Practice.Country = "XX" }, "practice.country"},
		"unknown session": {func(in *review.Input) { in.SessionID = "nope" }, "session_id"},
		"closed session":  {func(in *review.Input) { in.SessionID = closed.ID }, "session_id"},
		"huge title":      {func(in *review.Input) { in.Practice.Title = strings.Repeat("x", 300) }, "practice.title"},
	} {
		in := validInput()
		tc.edit(&in)
		_, err := a.Review.Create(ctx, in)
		if apperr.Code(err) != apperr.Invalid || apperr.As(err).Fields[tc.field] == "" {
			t.Errorf("%s: %v, want %s named", name, err, tc.field)
		}
	}
}

func TestDuplicatesAreFoundOnSubmit(t *testing.T) {
	a := openApp(t, seeded(t))
	existing, _ := a.Get(ctx, "tehran-urban-cycling-app")
	in := validInput()
	in.Practice.Title, in.Practice.Summary, in.Practice.Body = existing.Title, existing.Summary, existing.Body
	in.Practice.Areas = existing.Areas
	r, err := a.Review.Create(ctx, in)
	if err != nil || len(r.Duplicates) == 0 || r.Duplicates[0].ID != existing.ID {
		t.Fatalf("duplicates %+v %v", r, err)
	}
	in.Draft = true
	d, err := a.Review.Duplicates(ctx, in)
	if err != nil || len(d) == 0 || d[0].ID != existing.ID {
		t.Fatalf("duplicates while drafting %+v %v", d, err)
	}
}

func TestTrackingTokenOpensOnlyItsSubmission(t *testing.T) {
	a := openApp(t, seeded(t))
	s1, s2 := reach(t, a, review.StatusSubmitted), reach(t, a, review.StatusSubmitted)
	if _, err := a.Review.Get(ctx, s1.id, review.Access{}); apperr.Code(err) != apperr.Unauthorized {
		t.Errorf("no token: %v", err)
	}
	if _, err := a.Review.Get(ctx, s1.id, review.Access{Token: s2.token}); apperr.Code(err) != apperr.Forbidden {
		t.Errorf("another submission's token: %v", err)
	}
	got, err := a.Review.Get(ctx, s1.id, review.Access{Token: s1.token})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(got)
	if strings.Contains(string(data), "token") || strings.Contains(string(data), auth.Hash(s1.token)) {
		t.Errorf("the token or its hash leaks: %s", data)
	}
	if _, err := a.Review.Get(ctx, "nope", review.Access{Token: s1.token}); apperr.Code(err) != apperr.NotFound {
		t.Errorf("unknown id: %v", err)
	}
}

func TestVersionsDiffAndRevert(t *testing.T) {
	a := openApp(t, seeded(t))
	id := "bilbao-geobilbao"
	orig, _ := a.Get(ctx, id)
	edit := *orig
	edit.Title = "GeoBilbao: the city's map of essential services"
	edit.Tags = append([]string{"essential-services"}, orig.Tags[1:]...)
	edit.Body = orig.Body + "\n## Update\nA new paragraph.\n"
	p, err := a.Review.Edit(ctx, "coord@example.org", id, edit)
	if err != nil || p.Version != 2 {
		t.Fatalf("edit: %+v %v", p, err)
	}
	vs, _ := a.Versions(ctx, id)
	if len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 {
		t.Fatalf("versions %+v", vs)
	}
	d, err := a.Review.CompareVersions(ctx, id, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	byField := map[string]review.FieldChange{}
	for _, c := range d.Changes {
		byField[c.Field] = c
	}
	if byField["title"].To != edit.Title || len(byField["tags"].Added) != 1 || len(byField["tags"].Removed) != 1 || !strings.Contains(byField["body"].Diff, "+A new paragraph.") {
		t.Fatalf("diff %+v", d.Changes)
	}
	if len(d.Changes) != 3 {
		t.Errorf("only title, tags and body changed: %+v", d.Changes)
	}
	back, err := a.Review.Revert(ctx, "coord@example.org", id, 1)
	if err != nil || back.Version != 3 || back.Title != orig.Title {
		t.Fatalf("revert: %+v %v", back, err)
	}
	if d, _ := a.Review.CompareVersions(ctx, id, 1, 3); len(d.Changes) != 0 {
		t.Errorf("version 3 differs from version 1: %+v", d.Changes)
	}
	if _, err := a.Review.Edit(ctx, "coord", id, practices.Practice{Title: "x"}); apperr.Code(err) != apperr.Invalid {
		t.Errorf("an invalid edit: %v", err)
	}
}

// Two practices that may be the same case are compared by their content: what only tells
// them apart (ids, identity, provenance, versions) is no difference.
func TestComparePracticesComparesTheCase(t *testing.T) {
	a := openApp(t, seeded(t))
	held, _ := a.Get(ctx, "bilbao-geobilbao")
	other := *held
	other.ID, other.URI, other.Version = "metropolis-geobilbao", "oai:kb.metropolis.example:geobilbao", 7
	other.Origin = &practices.Origin{Peer: "metropolis", Version: 7}
	other.Year = held.Year + 1
	other.Areas = append([]string{"economy"}, held.Areas...)
	other.Body = held.Body + "\nA paragraph only the other network has.\n"
	byField := map[string]review.FieldChange{}
	for _, c := range review.ComparePractices(held, &other) {
		byField[c.Field] = c
	}
	if len(byField) != 3 || byField["year"].To != other.Year || len(byField["areas"].Added) != 1 ||
		!strings.Contains(byField["body"].Diff, "--- bilbao-geobilbao") || !strings.Contains(byField["body"].Diff, "+A paragraph only the other network has.") {
		t.Fatalf("only the year, the areas and the text differ: %+v", byField)
	}
}

func TestMergeArchiveFeature(t *testing.T) {
	a := openApp(t, seeded(t))
	if _, err := a.Review.Merge(ctx, "coord", "amb-dual-bus-stops", "amb-beach-occupancy-information"); err != nil {
		t.Fatal(err)
	}
	if to, ok := a.Redirect("amb-dual-bus-stops"); !ok || to != "amb-beach-occupancy-information" {
		t.Fatalf("redirect %q %v", to, ok)
	}
	res, _ := a.Search(ctx, search.Request{Query: "dual stop bus"})
	for _, h := range res.Hits {
		if h.ID == "amb-dual-bus-stops" {
			t.Error("a merged practice is still searchable")
		}
	}
	if _, err := a.Review.Archive(ctx, "coord", "amb-dual-bus-stops", false); apperr.Code(err) != apperr.Conflict {
		t.Errorf("bringing back a merged practice: %v", err)
	}
	if _, err := a.Review.Merge(ctx, "coord", "bilbao-geobilbao", "bilbao-geobilbao"); apperr.Code(err) != apperr.Invalid {
		t.Errorf("merge into itself: %v", err)
	}
	if _, err := a.Review.Merge(ctx, "coord", "bilbao-geobilbao", "amb-dual-bus-stops"); apperr.Code(err) != apperr.Conflict {
		t.Errorf("merge into an archived practice: %v", err)
	}
	p, err := a.Review.Archive(ctx, "coord", "tequila-real-time-destination-capacity", true)
	if err != nil || !p.Archived {
		t.Fatal(err)
	}
	if res, _ := a.Search(ctx, search.Request{Query: "tequila"}); res.Total != 0 {
		t.Errorf("an archived practice is searchable: %+v", res.Hits)
	}
	if got, err := a.Get(ctx, "tequila-real-time-destination-capacity"); err != nil || !got.Archived {
		t.Errorf("an archived practice's page must still answer, marked archived: %v %v", got, err)
	}
	if err := a.Review.Feature(ctx, "coord", "bilbao-geobilbao", true); err != nil {
		t.Fatal(err)
	}
	if ids, _ := a.Store.Featured(); len(ids) != 1 || ids[0] != "bilbao-geobilbao" {
		t.Errorf("featured %v", ids)
	}
	if err := a.Review.Feature(ctx, "coord", "tequila-real-time-destination-capacity", true); apperr.Code(err) != apperr.Conflict {
		t.Errorf("featuring an archived practice: %v", err)
	}
}

// Restarting keeps every acknowledged submission, version and audit entry.
func TestEverythingAcknowledgedSurvivesARestart(t *testing.T) {
	dir := seeded(t)
	a, err := app.Open(ctx, app.Config{DataDir: dir, BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := a.Review.Create(ctx, validInput())
	res, err := a.Review.Decide(ctx, r.ID, coordinator, review.Decision{Decision: review.ActionAccept})
	if err != nil {
		t.Fatal(err)
	}
	edit, _ := a.Get(ctx, res.PracticeID)
	edit.Summary = "Edited after acceptance."
	a.Review.Edit(ctx, "coord", res.PracticeID, *edit)
	draft, _ := a.Review.Create(ctx, review.Input{Practice: practices.Practice{Title: "Half done"}, Draft: true})
	before, _ := a.Audit(ctx, audit.Query{Limit: 500})
	a.Close()

	b := openApp(t, dir)
	if s, err := b.Review.Get(ctx, r.ID, review.Access{Token: r.TrackingToken}); err != nil || s.Status != review.StatusAccepted {
		t.Errorf("accepted submission after restart: %v %v", s, err)
	}
	if s, err := b.Review.Get(ctx, draft.ID, review.Access{Token: draft.TrackingToken}); err != nil || s.Practice.Title != "Half done" {
		t.Errorf("draft after restart: %v %v", s, err)
	}
	if vs, _ := b.Versions(ctx, res.PracticeID); len(vs) != 2 {
		t.Errorf("versions after restart: %+v", vs)
	}
	after, _ := b.Audit(ctx, audit.Query{Limit: 500})
	if len(after) != len(before) {
		t.Errorf("audit entries: %d before, %d after", len(before), len(after))
	}
	if found, _ := b.Search(ctx, search.Request{Query: "solar kiosks"}); found.Total != 1 {
		t.Errorf("published practice not searchable after restart")
	}
}

func TestNotificationsAreSentBySMTPAndFailuresNeverBlock(t *testing.T) {
	a := openApp(t, seeded(t))
	// Nothing listens here: the submission still succeeds, the mail waits for a retry.
	dead := &review.SMTP{Addr: "127.0.0.1:1", From: "kb@example.org", Timeout: time.Second}
	r, err := a.Review.Create(ctx, validInput())
	if err != nil {
		t.Fatal(err)
	}
	a.Review.SendPending(ctx, dead)
	mail, _ := a.Review.Outbox(ctx, 5)
	if len(mail) != 1 || mail[0].Status != review.MailPending || mail[0].Attempts != 1 || mail[0].LastError == "" {
		t.Fatalf("after a failed send: %+v", mail)
	}

	srv := mailtest.Start(t)
	live := &review.SMTP{Addr: srv.Addr, From: "kb@example.org", Timeout: 5 * time.Second}
	confirm(t, a)
	a.Review.Decide(ctx, r.ID, coordinator, review.Decision{Decision: review.ActionReject, Comment: "Out of scope"})
	a.Review.SendPending(ctx, live) // sends the new ones; the first waits for its retry time
	mail, _ = a.Review.Outbox(ctx, 5)
	if mail[0].Status != review.MailSent || mail[2].Status != review.MailPending {
		t.Fatalf("the rejection was not sent, or the failed one not held back: %+v", mail)
	}
	if got := srv.Messages(); len(got) != 2 || got[1].To != "amina@example.org" || !strings.Contains(got[1].Body, "Out of scope") {
		t.Fatalf("delivered %+v", got)
	}
}

func TestSessionsAreValidated(t *testing.T) {
	a := openApp(t, seeded(t))
	_, err := a.Review.SaveSession(ctx, "coord", review.Session{Date: "May 2021", Areas: []string{"parks"}})
	f := apperr.As(err).Fields
	if f["title"] == "" || f["date"] == "" || f["areas"] == "" {
		t.Fatalf("session errors %v", err)
	}
	s, _ := a.Review.SaveSession(ctx, "coord", review.Session{Title: "Digital divide", Open: true, Date: "2021-04-01"})
	s.Open = false
	if s2, err := a.Review.SaveSession(ctx, "coord", *s); err != nil || s2.Open || s2.Created != s.Created {
		t.Fatalf("close the call: %+v %v", s2, err)
	}
	if open, _ := a.Review.Sessions(ctx, true); len(open) != 0 {
		t.Errorf("open sessions %+v", open)
	}
}

func TestReviewQueueFilters(t *testing.T) {
	a := openApp(t, seeded(t))
	sess, _ := a.Review.SaveSession(ctx, "coord", review.Session{Title: "Data call", Open: true})
	in := validInput()
	in.SessionID = sess.ID
	in.Practice.Areas = []string{"data"}
	inSession, _ := a.Review.Create(ctx, in)
	reach(t, a, review.StatusSubmitted) // economy, standing call
	reach(t, a, review.StatusDraft)
	count := func(q review.Queue) int {
		t.Helper()
		subs, err := a.Review.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return len(subs)
	}
	if n := count(review.Queue{Status: review.StatusSubmitted}); n != 2 {
		t.Errorf("submitted: %d", n)
	}
	if n := count(review.Queue{SessionID: sess.ID}); n != 1 {
		t.Errorf("in the session: %d", n)
	}
	if n := count(review.Queue{Area: "data", Status: review.StatusSubmitted}); n != 1 {
		t.Errorf("data area: %d", n)
	}
	if n := count(review.Queue{OlderThan: 48 * time.Hour}); n != 0 {
		t.Errorf("older than two days: %d", n)
	}
	if _, err := a.Review.List(ctx, review.Queue{Status: "lost"}); apperr.As(err).Fields["status"] == "" {
		t.Errorf("unknown status: %v", err)
	}
	subs, _ := a.Review.List(ctx, review.Queue{SessionID: sess.ID})
	if subs[0].ID != inSession.ID || subs[0].Contact.Email == "" {
		t.Errorf("coordinators see the submission with its contact: %+v", subs[0])
	}
}

// Anyone may give any address: the first mail to it only asks its owner to confirm it,
// with nothing the submitter typed but the address; nothing more goes to it until they
// do, an address is asked at most three times a day, and a new address is asked anew.
func TestNotificationsGoOnlyToAConfirmedAddress(t *testing.T) {
	a := openApp(t, seeded(t))
	a.Review.Network, a.Review.BaseURL = "Test network", "https://kb.example.org"
	in := validInput()
	in.Practice.Title = "Cheap pills at evil.example"
	in.Contact.Name = "Visit https://evil.example now"
	in.Contact.Email = "victim@example.org"
	r, err := a.Review.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	a.Review.Decide(ctx, r.ID, coordinator, review.Decision{Decision: review.ActionRequestChanges, Comment: "Add figures"})
	mail, _ := a.Review.Outbox(ctx, 10)
	if len(mail) != 1 || mail[0].To != "victim@example.org" || !confirmLink.MatchString(mail[0].Body) ||
		!strings.Contains(mail[0].Body, "https://kb.example.org/confirm/kbc_") || !strings.Contains(mail[0].Body, "Test network") {
		t.Fatalf("before confirming, one request to confirm: %+v", mail)
	}
	for _, typed := range []string{"evil", "pills", "Add figures", r.ID} {
		if strings.Contains(mail[0].Subject+mail[0].Body, typed) {
			t.Errorf("the request to confirm carries %q: %s", typed, mail[0].Body)
		}
	}
	for range 5 {
		if _, err := a.Review.Create(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if mail, _ = a.Review.Outbox(ctx, 50); len(mail) != 3 {
		t.Fatalf("six submissions under one address asked it %d times, want 3", len(mail))
	}
	if got, _ := a.Review.Get(ctx, r.ID, review.Access{Principal: coordinator}); got.Address.Asked.IsZero() || !got.Address.Confirmed.IsZero() || got.Address.TokenHash != "" {
		t.Fatalf("address state %+v", got.Address)
	}
	token := confirmLink.FindStringSubmatch(mail[2].Body)[1]
	if _, err := a.Review.ConfirmAddress(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Review.ConfirmAddress(ctx, token); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("a link used twice: %v", err)
	}
	mail, _ = a.Review.Outbox(ctx, 50)
	if len(mail) != 4 || !strings.Contains(mail[0].Body, "needs changes") || mail[0].SubmissionID != r.ID {
		t.Fatalf("once confirmed, told where the review stands: %+v", mail[0])
	}
	// The contributor gives another address: it is asked to confirm, told nothing else.
	up := validInput()
	up.Contact.Email = "new@example.org"
	if _, err := a.Review.Update(ctx, r.ID, review.Access{Token: r.TrackingToken}, up); err != nil {
		t.Fatal(err)
	}
	mail, _ = a.Review.Outbox(ctx, 50)
	if len(mail) != 5 || mail[0].To != "new@example.org" || mail[0].Subject != "Please confirm your address" {
		t.Fatalf("a new address: %+v", mail[0])
	}
}

// Whatever a door lets through, a case never carries the knowledge base's own records,
// and a submission stored with them before is published without.
func TestACaseNeverCarriesTheKnowledgeBasesRecords(t *testing.T) {
	a := openApp(t, seeded(t))
	in := validInput()
	in.Practice.Origin = &practices.Origin{Peer: "anything", Identifier: "oai:evil:x"}
	in.Practice.Translations = []practices.Translation{{Language: "es", Title: "T", Summary: "S", Body: "evil"}}
	in.Practice.Assisted = &practices.Assisted{Model: "m", Fields: []string{"summary"}}
	in.Practice.URI, in.Practice.SameAs, in.Practice.LocalNote = "oai:evil.example:x", []string{"oai:evil.example:y"}, "note"
	r, err := a.Review.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := a.Review.Get(ctx, r.ID, review.Access{Principal: coordinator})
	if q := got.Practice; q.Origin != nil || q.Translations != nil || q.Assisted != nil || q.URI != "" || q.SameAs != nil || q.LocalNote != "" {
		t.Fatalf("the submission keeps %+v", got.Practice)
	}
	res, err := a.Review.Decide(ctx, r.ID, coordinator, review.Decision{Decision: review.ActionAccept})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := a.Get(ctx, res.PracticeID)
	if p.Origin != nil || p.Translations != nil || p.Assisted != nil || p.URI != "" {
		t.Fatalf("published with %+v", p)
	}
}
