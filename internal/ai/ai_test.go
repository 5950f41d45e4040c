package ai_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// endpoint is an in-process server speaking the OpenAI chat completions wire format. Its
// script answers each request in turn; it records every request body.
type endpoint struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
	calls  atomic.Int32
	script func(n int, body string, w http.ResponseWriter)
}

func newEndpoint(t *testing.T, script func(n int, body string, w http.ResponseWriter)) *endpoint {
	e := &endpoint{script: script}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, `{"error":{"message":"not found"}}`, 404)
			return
		}
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.bodies = append(e.bodies, string(b))
		e.mu.Unlock()
		e.script(int(e.calls.Add(1)), string(b), w)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) client(mod func(*ai.Config)) *ai.Client {
	cfg := ai.Config{BaseURL: e.srv.URL + "/v1", APIKey: "test-key", ChatModel: "test-model", Timeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	return ai.New(cfg)
}

func reply(w http.ResponseWriter, content string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
		"choices": []map[string]any{{"index": 0, "message": map[string]string{"role": "assistant", "content": content}, "finish_reason": "stop"}},
		"usage":   map[string]int{"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
	})
}

// scripted answers citing the first practice of the prompt and one id it made up.
func scripted(n int, body string, w http.ResponseWriter) {
	reply(w, "Cities gave students connectivity at home ["+firstID(body)+"]. Others did more [invented-practice].")
}

// firstID is the id of the first practice a chat request's prompt gives.
func firstID(body string) string {
	var req struct {
		Messages []struct{ Content string } `json:"messages"`
	}
	json.Unmarshal([]byte(body), &req)
	user := req.Messages[len(req.Messages)-1].Content
	start := strings.Index(user, "\n[")
	return user[start+2 : start+2+strings.Index(user[start+2:], "]")]
}

func openApp(t *testing.T) *app.App {
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	return a
}

func TestAnswersCiteOnlyRetrievedPractices(t *testing.T) {
	a := openApp(t)
	e := newEndpoint(t, scripted)
	asker := ai.NewAsker(a, e.client(nil))
	ans, err := asker.Ask(context.Background(), "what did cities do for students without internet at home?")
	if err != nil {
		t.Fatal(err)
	}
	retrieved, _ := a.Retrieve(context.Background(), "what did cities do for students without internet at home?", 6)
	ids := map[string]bool{}
	for _, p := range retrieved {
		ids[p.ID] = true
	}
	if !ans.Grounded || len(ans.Citations) != 1 || !ids[ans.Citations[0].ID] || ans.Citations[0].Title == "" {
		t.Fatalf("answer %+v", ans)
	}
	if strings.Contains(ans.Answer, "invented-practice") {
		t.Fatalf("a made-up citation was kept: %q", ans.Answer)
	}
	var req struct {
		Model     string `json:"model"`
		MaxTokens int    `json:"max_tokens"`
	}
	json.Unmarshal([]byte(e.bodies[0]), &req)
	if req.Model != "test-model" || req.MaxTokens != 700 {
		t.Fatalf("request %+v", req)
	}
}

func TestNothingRetrievedIsSaidWithoutAskingTheModel(t *testing.T) {
	a := openApp(t)
	e := newEndpoint(t, scripted)
	ans, err := ai.NewAsker(a, e.client(nil)).Ask(context.Background(), "zzqxv qqwrt")
	if err != nil || ans.Grounded || ans.Answer != ai.NothingFound || e.calls.Load() != 0 {
		t.Fatalf("%+v %v, %d calls", ans, err, e.calls.Load())
	}
	// The model's own refusal, or an answer citing nothing given, is the same refusal.
	for _, content := range []string{"NO_ANSWER", "Paris is the capital of France [paris]."} {
		e := newEndpoint(t, func(n int, body string, w http.ResponseWriter) { reply(w, content) })
		ans, err := ai.NewAsker(a, e.client(nil)).Ask(context.Background(), "wifi for students")
		if err != nil || ans.Grounded || ans.Answer != ai.NothingFound || len(ans.Citations) != 0 {
			t.Fatalf("%q: %+v %v", content, ans, err)
		}
	}
	if _, err := ai.NewAsker(a, e.client(nil)).Ask(context.Background(), " "); apperr.Code(err) != apperr.Invalid {
		t.Fatalf("empty question: %v", err)
	}
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	a := openApp(t)
	var first time.Time
	var gap time.Duration
	e := newEndpoint(t, func(n int, body string, w http.ResponseWriter) {
		switch n {
		case 1:
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"message":"slow down"}}`, http.StatusTooManyRequests)
		case 2:
			gap = time.Since(first)
			http.Error(w, `{"error":{"message":"oops"}}`, http.StatusBadGateway)
		default:
			scripted(n, body, w)
		}
	})
	ans, err := ai.NewAsker(a, e.client(func(c *ai.Config) { c.Timeout = 5 * time.Second })).Ask(context.Background(), "wifi for students")
	if err != nil || !ans.Grounded || e.calls.Load() != 3 {
		t.Fatalf("%+v %v after %d calls", ans, err, e.calls.Load())
	}
	if gap < 900*time.Millisecond {
		t.Fatalf("the retry came %v after a Retry-After of 1 s", gap)
	}
}

func TestFailuresOpenTheBreaker(t *testing.T) {
	a := openApp(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		script func(n int, body string, w http.ResponseWriter)
	}{
		{"500", func(n int, body string, w http.ResponseWriter) { http.Error(w, "{}", 500) }},
		{"429", func(n int, body string, w http.ResponseWriter) { http.Error(w, "{}", http.StatusTooManyRequests) }},
		{"malformed JSON", func(n int, body string, w http.ResponseWriter) { w.Write([]byte(`{"choices": [`)) }},
		{"timeout", func(n int, body string, w http.ResponseWriter) {
			time.Sleep(600 * time.Millisecond)
			scripted(n, body, w)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEndpoint(t, c.script)
			client := e.client(func(cfg *ai.Config) {
				cfg.Timeout, cfg.Retries, cfg.BreakerFailures, cfg.BreakerCooldown = 300*time.Millisecond, -1, 2, time.Minute
				cfg.Now = func() time.Time { return now }
			})
			asker := ai.NewAsker(a, client)
			for i := 0; i < 2; i++ {
				if _, err := asker.Ask(context.Background(), "wifi for students"); apperr.Code(err) != apperr.Unavailable {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if client.Available() {
				t.Fatal("the breaker is still closed after two failures")
			}
			calls := e.calls.Load()
			if _, err := asker.Ask(context.Background(), "wifi for students"); err != ai.ErrUnavailable || e.calls.Load() != calls {
				t.Fatalf("an open breaker let a call through: %v", err)
			}
			now = now.Add(2 * time.Minute)
			if !client.Available() {
				t.Fatal("the breaker did not close after its cool-down")
			}
		})
	}
}

func TestDailyTokenBudget(t *testing.T) {
	a := openApp(t)
	e := newEndpoint(t, scripted)
	client := e.client(func(c *ai.Config) { c.TokensPerDay = 200 }) // each answer costs 120
	asker := ai.NewAsker(a, client)
	for i := 0; i < 2; i++ {
		if _, err := asker.Ask(context.Background(), "wifi for students"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := asker.Ask(context.Background(), "wifi for students"); err != ai.ErrUnavailable || e.calls.Load() != 2 {
		t.Fatalf("past the budget: %v, %d calls", err, e.calls.Load())
	}
}

// Contributors' contact details and unpublished submissions never reach the endpoint.
func TestNoContactDetailReachesTheEndpoint(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	sub := review.Input{Practice: practices.Practice{Title: "Secret wifi buses for students", Summary: "Buses with wifi parked near schools.",
		City: "Montevideo", Country: "UY", Areas: []string{"education"}, Source: "LLE", Languages: []string{"en"},
		Body: "Wifi buses for students without internet at home."}, Contact: review.Contact{Name: "Ana Contributor", Email: "ana.private@example.org"}, ConsentToPublish: true}
	if _, err := a.Review.Create(ctx, sub); err != nil {
		t.Fatal(err)
	}
	e := newEndpoint(t, scripted)
	if _, err := ai.NewAsker(a, e.client(nil)).Ask(ctx, "wifi buses for students without internet"); err != nil {
		t.Fatal(err)
	}
	for _, b := range e.bodies {
		for _, secret := range []string{"ana.private@example.org", "Ana Contributor", "Secret wifi buses"} {
			if strings.Contains(b, secret) {
				t.Fatalf("%q reached the endpoint", secret)
			}
		}
	}
}

// Each client asks within its rate of questions and its share of the day's tokens; other
// clients, and work from inside, are not held back by it.
func TestEachClientAsksWithinItsRateAndShare(t *testing.T) {
	a := openApp(t)
	cost := 120
	e := newEndpoint(t, func(n int, body string, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
			"choices": []map[string]any{{"index": 0, "message": map[string]string{"role": "assistant", "content": "Wifi [" + firstID(body) + "]."}, "finish_reason": "stop"}},
			"usage":   map[string]int{"total_tokens": cost},
		})
	})
	asker := ai.NewAsker(a, e.client(func(c *ai.Config) { c.TokensPerDay = 100_000 }))
	from := func(ip string) context.Context { return limit.WithClient(context.Background(), ip) }
	ask := func(ctx context.Context, n int) (answered int) {
		for range n {
			_, err := asker.Ask(ctx, "wifi for students")
			switch e := apperr.As(err); {
			case err == nil:
				answered++
			case e.Code != apperr.RateLimited || e.RetryAfter <= 0:
				t.Fatalf("a question over the limits: %v", err)
			}
		}
		return answered
	}
	if n := ask(from("192.0.2.1"), 98); n != 5 || e.calls.Load() != 5 {
		t.Fatalf("98 questions from one address: %d answered, %d calls; want the burst of 5", n, e.calls.Load())
	}
	// With each answer costing 4000 tokens, a client's share of a tenth of 100 000 pays for
	// two (a question reserves its prompt and the longest answer before it is asked).
	asker.Questions, cost = nil, 4000
	if n := ask(from("192.0.2.2"), 10); n != 2 {
		t.Fatalf("a share of 10 000 tokens paid for %d answers of 4000, want 2", n)
	}
	if n := ask(from("192.0.2.3"), 1); n != 1 {
		t.Fatal("another address is held back by the first's share")
	}
	if n := ask(context.Background(), 3); n != 3 {
		t.Fatal("a question from inside is limited")
	}
}
