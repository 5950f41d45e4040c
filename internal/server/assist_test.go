package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// suggester stands in for the AI assistant (tested against the OpenAI wire format in
// package ai); it remembers what it was given.
type suggester struct {
	seen []practices.Practice
	down bool
}

func (s *suggester) Available() bool { return !s.down }

func (s *suggester) Suggest(_ context.Context, p practices.Practice) (*practices.Suggestions, error) {
	s.seen = append(s.seen, p)
	return &practices.Suggestions{MachineGenerated: true, Model: "stub", Generated: time.Now().UTC(), Language: "en",
		Areas: []string{"economy", "public-services"}, Tags: []string{"solar-energy"}, Summary: "Kiosks charge phones for free. Traders stay reachable."}, nil
}

func TestAssistantOverTheAPI(t *testing.T) {
	w := newWorld(t, limit.Rate{})
	sg := &suggester{}
	w.a.Review.Assistant = sg
	coord := map[string]string{"Authorization": "Bearer " + w.coordTok}
	r := w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/assist", "", coord)
	var sub review.Submission
	if err := json.Unmarshal(r.Body.Bytes(), &sub); r.Code != 200 || err != nil || sub.Suggestions == nil || !sub.Suggestions.MachineGenerated {
		t.Fatalf("assist: %d %s", r.Code, r.Body.String())
	}
	if strings.Contains(r.Body.String(), "token_hash") || len(sg.seen) != 1 || sg.seen[0].Title != "Solar kiosks in markets" {
		t.Fatalf("the assistant was given %+v", sg.seen)
	}
	// The suggestions are the coordinators' working notes: the contributor does not see them.
	if r := w.call(t, "GET", "/api/v1/submissions/"+w.subID, "", map[string]string{"X-Tracking-Token": w.trackingTok}); r.Code != 200 || strings.Contains(r.Body.String(), "suggestions") {
		t.Fatalf("the contributor's view: %d %s", r.Code, r.Body.String())
	}
	// Bad input names the field; nothing is published.
	r = w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/decision", `{"decision":"accept","apply":{"fields":["areas"],"areas":["parks"]}}`, coord)
	if r.Code != 400 || !strings.Contains(r.Body.String(), "apply.areas") {
		t.Fatalf("an unknown area: %d %s", r.Code, r.Body.String())
	}
	r = w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/decision", `{"decision":"accept","apply":{"fields":["areas","tags"]}}`, coord)
	var res review.DecisionResult
	json.Unmarshal(r.Body.Bytes(), &res)
	if r.Code != 200 || res.PracticeID == "" {
		t.Fatalf("accept with suggestions: %d %s", r.Code, r.Body.String())
	}
	r = w.call(t, "GET", "/api/v1/practices/"+res.PracticeID, "", nil)
	var p practices.Practice
	json.Unmarshal(r.Body.Bytes(), &p)
	if strings.Join(p.Areas, ",") != "economy,public-services" || strings.Join(p.Tags, ",") != "solar-energy" || p.Assisted == nil || p.Assisted.Model != "stub" {
		t.Fatalf("published %+v", p)
	}
	// An accepted submission is no longer assisted; a failing endpoint is a 503.
	if r := w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/assist", "", coord); r.Code != 409 {
		t.Fatalf("assist after acceptance: %d", r.Code)
	}
	sg.down = true
	if _, err := w.a.Review.Assist(context.Background(), w.subID, nil); apperr.Code(err) != apperr.Unavailable {
		t.Fatalf("while the endpoint fails: %v", err)
	}
}

// Suggestions are about the text they were made for: a revision drops them.
func TestARevisionDropsTheSuggestions(t *testing.T) {
	w := newWorld(t, limit.Rate{})
	w.a.Review.Assistant = &suggester{}
	coord := map[string]string{"Authorization": "Bearer " + w.coordTok}
	w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/assist", "", coord)
	if r := w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/decision", `{"decision":"request_changes","comment":"Add figures"}`, coord); r.Code != 200 {
		t.Fatalf("request changes: %d %s", r.Code, r.Body.String())
	}
	if r := w.call(t, "PUT", "/api/v1/submissions/"+w.subID, submissionBody, map[string]string{"X-Tracking-Token": w.trackingTok}); r.Code != 200 {
		t.Fatalf("revise: %d %s", r.Code, r.Body.String())
	}
	sub, err := w.a.Review.Get(context.Background(), w.subID, review.Access{Principal: &auth.Principal{Email: "coord@example.org", Role: auth.RoleCoordinator}})
	if err != nil || sub.Suggestions != nil || sub.Status != review.StatusSubmitted {
		t.Fatalf("after the revision: %+v %v", sub, err)
	}
}
