package review_test

import (
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// digests reads the digests in the outbox, by recipient.
func digests(t *testing.T, s *review.Service) map[string][]review.Notification {
	t.Helper()
	mail, err := s.Outbox(ctx, 500)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]review.Notification{}
	for _, m := range mail {
		if m.SubmissionID == "" && strings.Contains(m.Body, "/review/submissions/") {
			out[m.To] = append(out[m.To], m)
		}
	}
	return out
}

// New cases reach each coordinator in one digest an interval, in the language of their
// profile, however many come; a disabled account gets none; nothing new, nothing sent.
func TestCoordinatorsGetOneDigestAnInterval(t *testing.T) {
	a := openApp(t, seeded(t))
	a.Review.BaseURL, a.Review.Network = "https://kb.example.org", "Test network"
	for _, u := range []struct{ email, role string }{{"ana@example.org", auth.RoleCoordinator}, {"boss@example.org", auth.RoleAdmin}, {"gone@example.org", auth.RoleCoordinator}} {
		if _, err := a.Auth.AddUser(u.email, u.role, "a long enough password", "test"); err != nil {
			t.Fatal(err)
		}
	}
	a.Auth.SetProfile("ana@example.org", "Ana Ruiz", "es", "test", []string{"en", "es", "fr"})
	a.Auth.SetDisabled("gone@example.org", true, "test")

	first := reach(t, a, review.StatusSubmitted)
	reach(t, a, review.StatusSubmitted)
	reach(t, a, review.StatusDraft) // not waiting for review
	now := time.Now().UTC().Add(time.Minute)
	n, err := a.Review.QueueDigests(ctx, now, time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("queued %d digests (%v), want one for each of the two active coordinators", n, err)
	}
	d := digests(t, a.Review)
	if len(d["gone@example.org"]) != 0 {
		t.Error("a disabled account got a digest")
	}
	ana := d["ana@example.org"]
	if len(ana) != 1 || ana[0].Subject != "2 casos nuevos esperan revisión" || !strings.Contains(ana[0].Body, "Hola, Ana Ruiz:") ||
		!strings.Contains(ana[0].Body, "https://kb.example.org/review/submissions/"+first.id) {
		t.Fatalf("Ana's digest: %+v", ana)
	}
	if boss := d["boss@example.org"]; len(boss) != 1 || boss[0].Subject != "2 new cases wait for review" {
		t.Fatalf("the admin's digest: %+v", boss)
	}

	// Within the interval, a new case waits for the next digest.
	third := reach(t, a, review.StatusSubmitted)
	if n, _ := a.Review.QueueDigests(ctx, now.Add(30*time.Minute), time.Hour); n != 0 {
		t.Fatalf("%d digests within the interval", n)
	}
	if n, _ := a.Review.QueueDigests(ctx, now.Add(61*time.Minute), time.Hour); n != 2 {
		t.Fatalf("%d digests after the interval, want 2", n)
	}
	ana = digests(t, a.Review)["ana@example.org"]
	if len(ana) != 2 || !strings.Contains(ana[0].Body, third.id) || strings.Contains(ana[0].Body, first.id) || !strings.Contains(ana[0].Body, "En total, 3 casos") {
		t.Fatalf("the second digest tells only of the new case: %+v", ana[0])
	}
	// Nothing new: nothing sent, however long it has been.
	if n, _ := a.Review.QueueDigests(ctx, now.Add(5*time.Hour), time.Hour); n != 0 {
		t.Fatalf("%d digests with nothing new", n)
	}
}

// A coordinator's edit of a case is a version of its own, beside the contributor's; only
// a case waiting for review is edited, and only into a valid case.
func TestEditingASubmissionKeepsTheContributorsVersion(t *testing.T) {
	a := openApp(t, seeded(t))
	s := reach(t, a, review.StatusSubmitted)
	sub, _ := a.Review.Get(ctx, s.id, review.Access{Principal: coordinator})
	p := sub.Practice
	p.Summary = "The town installed solar kiosks where market traders charge phones for free."
	wctx := review.WithAuthor(ctx, review.AuthorOf(&auth.Principal{Email: coordinator.Email, Role: auth.RoleCoordinator, Name: "Ana"}, "clearer"))
	if _, err := a.Review.EditSubmission(wctx, s.id, coordinator, p); err != nil {
		t.Fatal(err)
	}
	p.Title = "Solar kiosks"
	if _, err := a.Review.EditSubmission(wctx, s.id, coordinator, p); err != nil {
		t.Fatal(err)
	}
	mine, err := a.Review.Get(ctx, s.id, review.Access{Token: s.token})
	if err != nil {
		t.Fatal(err)
	}
	if mine.Edit == nil || mine.Edit.Original.Title != "Solar kiosks for phone charging in markets" || mine.Edit.Name != "Ana" || mine.Edit.Actor != "" {
		t.Fatalf("the contributor's view of the edit: %+v", mine.Edit)
	}
	fields := map[string]bool{}
	for _, c := range mine.EditChanges() {
		fields[c.Field] = len(c.Words) > 0
	}
	if !fields["title"] || !fields["summary"] || len(fields) != 2 {
		t.Errorf("the changes the contributor sees: %v", fields)
	}
	p.Areas = []string{"nowhere"}
	if _, err := a.Review.EditSubmission(wctx, s.id, coordinator, p); apperr.Code(err) != apperr.Invalid || apperr.As(err).Fields["practice.areas"] == "" {
		t.Errorf("an invalid edit: %v", err)
	}
	done := reach(t, a, review.StatusAccepted)
	if _, err := a.Review.EditSubmission(wctx, done.id, coordinator, p); apperr.Code(err) != apperr.Conflict {
		t.Errorf("editing an accepted case: %v", err)
	}
}

// A merge names a published practice of this node's; the case must be waiting.
func TestMergingASubmissionRefusesWhatCannotBe(t *testing.T) {
	a := openApp(t, seeded(t))
	s := reach(t, a, review.StatusSubmitted)
	for into, code := range map[string]string{"": apperr.Invalid, "no-such-practice": apperr.Invalid} {
		if _, err := a.Review.Decide(ctx, s.id, coordinator, review.Decision{Decision: review.ActionMerge, Into: into}); apperr.Code(err) != code {
			t.Errorf("merge into %q: %v", into, err)
		}
	}
	if _, err := a.Review.Archive(ctx, coordinator.Email, "bilbao-geobilbao", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Review.Decide(ctx, s.id, coordinator, review.Decision{Decision: review.ActionMerge, Into: "bilbao-geobilbao"}); apperr.Code(err) != apperr.Conflict {
		t.Errorf("merge into an archived practice: %v", err)
	}
	res, err := a.Review.Decide(ctx, s.id, coordinator, review.Decision{Decision: review.ActionMerge, Into: "amb-dual-bus-stops"})
	if err != nil || res.Submission.Status != review.StatusMerged || res.PracticeID != "amb-dual-bus-stops" {
		t.Fatalf("merge: %+v %v", res, err)
	}
	if _, err := a.Review.Decide(ctx, s.id, coordinator, review.Decision{Decision: review.ActionMerge, Into: "amb-dual-bus-stops"}); apperr.Code(err) != apperr.Conflict {
		t.Errorf("merging twice: %v", err)
	}
	if n := a.Review.NoteOf(ctx, "amb-dual-bus-stops", 2); n == nil || n.Action != "practice.merge_submission" || n.Submission != s.id {
		t.Errorf("the merge's version note: %+v", n)
	}
}
