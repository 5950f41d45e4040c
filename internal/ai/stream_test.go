package ai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/ai"
)

// streamed answers in the chat completions streaming wire format (server-sent events),
// three characters at a time, so that brackets and the refusal arrive in pieces.
func streamed(content string) func(n int, body string, w http.ResponseWriter) {
	return func(n int, body string, w http.ResponseWriter) {
		if !strings.Contains(body, `"stream":true`) {
			reply(w, content)
			return
		}
		content := strings.ReplaceAll(content, "ID", firstID(body))
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < len(content); i += 3 {
			chunk, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "model": "test-model",
				"choices": []map[string]any{{"index": 0, "delta": map[string]string{"content": content[i:min(i+3, len(content))]}}}})
			fmt.Fprintf(w, "data: %s\n\n", chunk)
			w.(http.Flusher).Flush()
		}
		usage, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "choices": []any{},
			"usage": map[string]int{"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})
		fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", usage)
	}
}

func TestStreamedAnswersHoldBackWhatGroundingRemoves(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	e := newEndpoint(t, streamed("Cities gave students connectivity [ID]. Others did more [invented-practice]; see [ID]."))
	client := e.client(func(c *ai.Config) { c.TokensPerDay = 200 })
	var parts []string
	ans, err := ai.NewAsker(a, client).AskStream(ctx, "wifi for students", func(s string) { parts = append(parts, s) })
	if err != nil || !ans.Grounded || len(ans.Citations) != 1 {
		t.Fatalf("%+v %v", ans, err)
	}
	if len(parts) < 5 {
		t.Fatalf("the answer came in %d parts: not streamed", len(parts))
	}
	if got := strings.Join(parts, ""); got != ans.Answer || strings.Contains(got, "invented") {
		t.Fatalf("streamed %q, final %q", got, ans.Answer)
	}
	// The usage the stream reported counts against the day's budget.
	ai.NewAsker(a, client).AskStream(ctx, "wifi for students", func(string) {})
	if client.Available() {
		t.Fatal("two streamed answers of 120 tokens left a budget of 200 open")
	}
}

func TestAStreamedRefusalIsNeverShown(t *testing.T) {
	a := openApp(t)
	e := newEndpoint(t, streamed("NO_ANSWER"))
	var parts []string
	ans, err := ai.NewAsker(a, e.client(nil)).AskStream(context.Background(), "wifi for students", func(s string) { parts = append(parts, s) })
	if err != nil || ans.Grounded || ans.Answer != ai.NothingFound || len(parts) != 0 {
		t.Fatalf("%+v %v, streamed %q", ans, err, parts)
	}
}
