package review_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/review/mailtest"
)

var trackLink = regexp.MustCompile(`https://kb\.example\.org/track/(kbs_[A-Za-z0-9_-]+)`)

// deliver sends what the outbox holds to a new sink and returns what it received.
func deliver(t *testing.T, s *review.Service) []mailtest.Message {
	t.Helper()
	sink := mailtest.Start(t)
	s.SendPending(ctx, &review.SMTP{Addr: sink.Addr, From: "kb@example.org", Timeout: 5 * time.Second})
	return sink.Messages()
}

// Every mail to a contributor, once their address is confirmed, carries a tracking link
// of its own that opens the case; it is in the language they used, its subject a
// sentence; the outbox coordinators read never shows the link, and the store drops it
// once the mail is sent.
func TestEveryMailCarriesATrackingLinkInTheContributorsLanguage(t *testing.T) {
	a := openApp(t, seeded(t))
	a.Review.Network, a.Review.BaseURL = "Test network", "https://kb.example.org"
	in := validInput()
	in.Lang = "es-AR,es;q=0.9,en;q=0.5" // what a door says of the contributor
	r, err := a.Review.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	confirm(t, a)
	if _, err := a.Review.Decide(ctx, r.ID, coordinator, review.Decision{Decision: review.ActionRequestChanges, Comment: "Add the figures"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range must(a.Review.Outbox(ctx, 10)) {
		if strings.Contains(m.Body, "kbs_") || m.Link != "" {
			t.Fatalf("the outbox shows a tracking link: %+v", m)
		}
	}
	got := deliver(t, a.Review)
	want := []string{"Confirme su dirección, por favor", "Hemos recibido su caso", "Su caso necesita cambios"}
	if len(got) != len(want) {
		t.Fatalf("sent %+v", got)
	}
	links := map[string]bool{}
	for i, m := range got {
		if m.Subject != want[i] {
			t.Errorf("subject %d: %q, want %q", i, m.Subject, want[i])
		}
		if i == 0 {
			if trackLink.MatchString(m.Body) {
				t.Error("the request to confirm an address carries a tracking link")
			}
			continue
		}
		link := trackLink.FindStringSubmatch(m.Body)
		if link == nil {
			t.Fatalf("no tracking link in %q", m.Body)
		}
		if s, err := a.Review.ByToken(ctx, link[1]); err != nil || s.ID != r.ID {
			t.Fatalf("the mail's link opens %v, %v", s, err)
		}
		links[link[1]] = true
	}
	if len(links) != 2 || !strings.Contains(got[2].Body, "Add the figures") || !strings.Contains(got[2].Body, "necesita cambios") {
		t.Errorf("the change request: %q", got[2].Body)
	}
	// The first token still opens it: each mail adds one, none replaces another.
	if _, err := a.Review.Get(ctx, r.ID, review.Access{Token: r.TrackingToken}); err != nil {
		t.Fatal(err)
	}
	if again := deliver(t, a.Review); len(again) != 0 {
		t.Fatalf("sent twice: %+v", again)
	}
}

// "Send me my link again" mails the links of an address's cases to it, answers the same
// for an address without any, asks an address not yet confirmed to confirm instead, and
// is limited per address.
func TestLinksAreSentAgainOnlyToTheAddress(t *testing.T) {
	a := openApp(t, seeded(t))
	a.Review.Network, a.Review.BaseURL = "Test network", "https://kb.example.org"
	first := reach(t, a, review.StatusSubmitted)
	confirm(t, a)
	other := validInput()
	other.Contact.Email = "rosa@example.org"
	draft, err := a.Review.Create(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, a.Review)
	before := len(must(a.Review.Outbox(ctx, 100)))
	if err := a.Review.ResendLinks(ctx, "Nobody@Example.org", "en"); err != nil {
		t.Fatal(err)
	}
	if n := len(must(a.Review.Outbox(ctx, 100))); n != before {
		t.Fatalf("an address without cases got mail: %d", n-before)
	}
	if err := a.Review.ResendLinks(ctx, "not an address", "en"); apperr.Code(err) != apperr.Invalid {
		t.Fatalf("a malformed address: %v", err)
	}
	if err := a.Review.ResendLinks(ctx, " AMINA@example.org", "en"); err != nil {
		t.Fatal(err)
	}
	got := deliver(t, a.Review)
	links := trackLink.FindAllStringSubmatch(got[0].Body, -1)
	if len(got) != 1 || got[0].Subject != "Your private tracking links" || got[0].To != "amina@example.org" || len(links) != 1 {
		t.Fatalf("the links mail: %+v", got)
	}
	if s, _ := a.Review.ByToken(ctx, links[0][1]); s == nil || s.ID != first.id {
		t.Fatalf("the link opens %+v", s)
	}
	// Rosa never confirmed her address: she is asked to, and gets no link yet.
	if err := a.Review.ResendLinks(ctx, "rosa@example.org", "en"); err != nil {
		t.Fatal(err)
	}
	got = deliver(t, a.Review)
	if len(got) != 1 || got[0].Subject != "Please confirm your address" || trackLink.MatchString(got[0].Body) {
		t.Fatalf("to an address not confirmed: %+v", got)
	}
	if s, _ := a.Review.Get(ctx, draft.ID, review.Access{Principal: coordinator}); s.Address.Asked.IsZero() {
		t.Fatal("the unconfirmed address was not asked")
	}
	for range 5 {
		a.Review.ResendLinks(ctx, "amina@example.org", "en")
	}
	n := 0
	for _, m := range must(a.Review.Outbox(ctx, 100)) {
		if m.Subject == "Your private tracking links" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d links mails to one address in a day, want 3", n)
	}
}

// The same Idempotency-Key with the same case answers the first receipt again and
// stores nothing; with another case it is refused; a key makes nothing count twice.
func TestARetriedCreationIsAnsweredOnce(t *testing.T) {
	a := openApp(t, seeded(t))
	in := validInput()
	in.Once = &review.Once{Key: "4f1c8a0e-retry", Fingerprint: "body-1"}
	r1, err := a.Review.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.Review.Create(ctx, in)
	if err != nil || r2.ID != r1.ID || r2.TrackingToken != r1.TrackingToken || !r2.Replayed || len(r2.Duplicates) != len(r1.Duplicates) {
		t.Fatalf("the retry: %+v %v", r2, err)
	}
	in.Once.Fingerprint = "body-2"
	if _, err := a.Review.Create(ctx, in); apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), "Idempotency-Key") {
		t.Fatalf("the key with another body: %v", err)
	}
	if subs, _ := a.Review.List(ctx, review.Queue{}); len(subs) != 1 {
		t.Fatalf("%d submissions stored", len(subs))
	}
	in.Once = nil
	if r3, _ := a.Review.Create(ctx, in); r3 == nil || r3.ID == r1.ID {
		t.Fatal("without a key, a second submission is a new one")
	}
}

// A case placed in a city of the study takes its name and, when left blank, its country
// and size; a population given sets the size band; a bad one is refused.
func TestACaseIsPlacedInAKnownCity(t *testing.T) {
	a := openApp(t, seeded(t))
	in := validInput()
	in.Practice.City, in.Practice.Country = "sao paulo", ""
	r, err := a.Review.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := a.Review.Get(ctx, r.ID, review.Access{Principal: coordinator})
	if p := s.Practice; p.City != "São Paulo" || p.Country != "BR" || p.PopulationBand != ">1M" {
		t.Fatalf("placed as %q, %q, %q", p.City, p.Country, p.PopulationBand)
	}
	in = validInput() // Kisumu is not a city of the study
	in.Population = 610_000
	r, _ = a.Review.Create(ctx, in)
	res, err := a.Review.Decide(ctx, r.ID, coordinator, review.Decision{Decision: review.ActionAccept})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := a.Get(ctx, res.PracticeID); p.PopulationBand != "100k-1M" {
		t.Fatalf("published with size %q", p.PopulationBand)
	}
	for _, n := range []int{-5, 200_000_000} {
		in.Population = n
		if _, err := a.Review.Create(ctx, in); apperr.As(err).Fields["population"] == "" {
			t.Errorf("population %d: %v", n, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
