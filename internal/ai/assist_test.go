package ai_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

var coordinator = &auth.Principal{Email: "coord@example.org", Role: auth.RoleCoordinator}

// suggestion is a scripted answer as models give it: in a code fence, with a term that is
// not in the vocabulary and keywords that are not tags yet.
const suggestion = "Here it is:\n```json\n" + `{"language":"es","areas":["education","made-up-area","education"],
"crises":["health"],"target_groups":["students","nobody"],"tags":["Digital Divide","wifi","  "],
"summary":"Montevideo aparcó autobuses con wifi junto a las escuelas. Los estudiantes sin internet en casa pudieron seguir las clases.",
"translation":{"title":"Wifi buses for students","summary":"Montevideo parked wifi buses near schools.","body":"Buses with wifi were parked near schools."}}` + "\n```"

// submitSpanishCase files a case in Spanish with a contributor's contact.
func submitSpanishCase(t *testing.T, a *app.App) string {
	t.Helper()
	in := review.Input{Practice: practices.Practice{Title: "Autobuses con wifi para estudiantes", Summary: "Autobuses con wifi aparcados junto a las escuelas.",
		City: "Montevideo", Country: "UY", Areas: []string{"public-services"}, Source: "LLE", Languages: []string{"es"},
		Body: "Autobuses con wifi para estudiantes sin internet en casa."}, Contact: review.Contact{Name: "Ana Contributor", Email: "ana.private@example.org"}, ConsentToPublish: true}
	r, err := a.Review.Create(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestTheAssistantSuggestsOnlyWhenACoordinatorAsks(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	e := newEndpoint(t, func(n int, body string, w http.ResponseWriter) { reply(w, suggestion) })
	if _, err := a.Review.Assist(ctx, "x", coordinator); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("with no assistant configured: %v", err)
	}
	a.Review.Assistant = ai.NewAssistant(e.client(nil))
	id := submitSpanishCase(t, a)
	if e.calls.Load() != 0 {
		t.Fatal("a submission reached the endpoint before a coordinator asked")
	}
	if _, err := a.Review.Assist(ctx, id, nil); apperr.Code(err) != apperr.Forbidden {
		t.Fatalf("a contributor asked the assistant: %v", err)
	}
	sub, err := a.Review.Assist(ctx, id, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	g := sub.Suggestions
	if g == nil || !g.MachineGenerated || g.Model != "test-model" || g.RequestedBy != coordinator.Email || g.Language != "es" {
		t.Fatalf("suggestions %+v", g)
	}
	if !slices.Equal(g.Areas, []string{"education"}) || !slices.Equal(g.Crises, []string{"health"}) ||
		!slices.Equal(g.TargetGroups, []string{"students"}) || !slices.Equal(g.Tags, []string{"digital-divide", "wifi"}) {
		t.Fatalf("terms outside the vocabularies or bad tags kept: %+v", g)
	}
	if tr := g.Translation; tr == nil || !tr.Machine || tr.Language != "en" || tr.Title != "Wifi buses for students" || tr.Model != "test-model" {
		t.Fatalf("translation %+v", g.Translation)
	}
	// Stored: the coordinator sees them on the next read; the contributor's text is unchanged.
	again, _ := a.Review.Get(ctx, id, review.Access{Principal: coordinator})
	if again.Suggestions == nil || again.Practice.Areas[0] != "public-services" {
		t.Fatalf("stored %+v", again)
	}
	var req struct {
		MaxTokens int `json:"max_tokens"`
	}
	json.Unmarshal([]byte(e.bodies[0]), &req)
	if len(e.bodies) != 1 || !strings.Contains(e.bodies[0], "Autobuses con wifi") || req.MaxTokens != 4000 {
		t.Fatalf("%d requests, max_tokens %d", len(e.bodies), req.MaxTokens)
	}
	for _, secret := range []string{"ana.private@example.org", "Ana Contributor"} {
		if strings.Contains(e.bodies[0], secret) {
			t.Fatalf("%q reached the endpoint", secret)
		}
	}
}

func TestACoordinatorTakesOrEditsEachSuggestion(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	e := newEndpoint(t, func(n int, body string, w http.ResponseWriter) { reply(w, suggestion) })
	a.Review.Assistant = ai.NewAssistant(e.client(nil))
	id := submitSpanishCase(t, a)
	accept := func(apply *review.Applied) (*review.DecisionResult, error) {
		return a.Review.Decide(ctx, id, coordinator, review.Decision{Decision: review.ActionAccept, Apply: apply})
	}
	if _, err := accept(&review.Applied{Fields: []string{review.FieldAreas}}); apperr.Code(err) != apperr.Invalid || apperr.As(err).Fields["apply"] == "" {
		t.Fatalf("applying before asking: %v", err)
	}
	if _, err := a.Review.Assist(ctx, id, coordinator); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		apply *review.Applied
		field string
	}{
		{"no area left", &review.Applied{Fields: []string{review.FieldAreas}, Areas: []string{}}, "apply.areas"},
		{"an unknown field", &review.Applied{Fields: []string{"colour"}}, "apply.fields"},
		{"nothing taken", &review.Applied{}, "apply.fields"},
		{"a bad tag", &review.Applied{Fields: []string{review.FieldTags}, Tags: []string{"Not a tag"}}, "apply.tags"},
		{"an empty translated title", &review.Applied{Fields: []string{review.FieldTranslation}, Translation: &practices.Translation{Summary: "s"}}, "apply.translation.title"},
	} {
		if _, err := accept(c.apply); apperr.Code(err) != apperr.Invalid || apperr.As(err).Fields[c.field] == "" {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if _, err := a.Review.Decide(ctx, id, coordinator, review.Decision{Decision: review.ActionReject, Apply: &review.Applied{Fields: []string{"areas"}}}); apperr.Code(err) != apperr.Invalid {
		t.Fatalf("apply with a rejection: %v", err)
	}
	edited := "Autobuses con wifi junto a las escuelas de Montevideo."
	res, err := accept(&review.Applied{Fields: []string{review.FieldAreas, review.FieldSummary, review.FieldTranslation}, Summary: edited})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Store.Get(ctx, res.PracticeID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Areas, []string{"education"}) || p.Summary != edited || p.Title != "Autobuses con wifi para estudiantes" || len(p.Tags) != 0 {
		t.Fatalf("published %+v", p)
	}
	if len(p.Translations) != 1 || !p.Translations[0].Machine || !p.Translations[0].Reviewed || p.Translations[0].Body == "" {
		t.Fatalf("translation %+v", p.Translations)
	}
	if as := p.Assisted; as == nil || !slices.Equal(as.Fields, []string{"areas", "summary", "translation"}) || !slices.Equal(as.Edited, []string{"summary"}) {
		t.Fatalf("assisted %+v", p.Assisted)
	}
	// A later edit of the text keeps the translation apart and the record of assistance.
	p.Body = "Texto revisado."
	p.Translations = nil
	edit, err := a.Review.Edit(ctx, coordinator.Email, p.ID, *p)
	if err != nil || len(edit.Translations) != 1 || edit.Assisted == nil {
		t.Fatalf("after an edit: %+v %v", edit, err)
	}
}

func TestAnAnswerThatIsNotJSONStoresNothing(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	e := newEndpoint(t, func(n int, body string, w http.ResponseWriter) { reply(w, "I think it is about education.") })
	a.Review.Assistant = ai.NewAssistant(e.client(nil))
	id := submitSpanishCase(t, a)
	if _, err := a.Review.Assist(ctx, id, coordinator); apperr.Code(err) != apperr.Unavailable {
		t.Fatalf("prose instead of JSON: %v", err)
	}
	if sub, _ := a.Review.Get(ctx, id, review.Access{Principal: coordinator}); sub.Suggestions != nil {
		t.Fatal("suggestions stored from an answer that was not understood")
	}
}

func TestTheDailyBudgetSurvivesARestart(t *testing.T) {
	a := openApp(t)
	e := newEndpoint(t, scripted)
	usage, err := ai.NewStoreUsage(a.Store)
	if err != nil {
		t.Fatal(err)
	}
	withUsage := func(c *ai.Config) { c.TokensPerDay, c.Usage = 200, usage } // each answer costs 120
	if _, err := ai.NewAsker(a, e.client(withUsage)).Ask(context.Background(), "wifi for students"); err != nil {
		t.Fatal(err)
	}
	restarted := ai.NewAsker(a, e.client(withUsage))
	if _, err := restarted.Ask(context.Background(), "wifi for students"); err != nil {
		t.Fatal(err)
	}
	if restarted.Available() {
		t.Fatal("240 tokens spent across a restart, the budget of 200 not noticed")
	}
}
