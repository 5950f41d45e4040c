// Package aitest serves the OpenAI wire format in process, for tests: embeddings that
// are deterministic and place related words together, as a real model does.
package aitest

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"
)

// synonyms make the fake embeddings place related words together, as a real model does.
var synonyms = map[string]string{"zqwifi": "wifi", "internet": "wifi", "connectivity": "wifi", "hotspot": "wifi"}

// embedding is deterministic: each word (after synonyms) adds to one of 64 dimensions.
func embedding(text string) []float32 {
	v := make([]float32, 64)
	text = strings.ReplaceAll(strings.ToLower(text), "-", "")
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if s, ok := synonyms[w]; ok {
			w = s
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%64]++
	}
	return v
}

// Embeddings is an in-process /v1/embeddings in the OpenAI wire format. Fail makes it
// answer 500.
type Embeddings struct {
	srv    *httptest.Server
	Fail   atomic.Bool
	mu     sync.Mutex
	inputs []string
}

// NewEmbeddings starts a server that stops with the test.
func NewEmbeddings(t testing.TB) *Embeddings {
	e := &Embeddings{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/embeddings" || e.Fail.Load() {
			http.Error(w, `{"error":{"message":"down"}}`, 500)
			return
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":{"message":"bad"}}`, 400)
			return
		}
		e.mu.Lock()
		e.inputs = append(e.inputs, req.Input...)
		e.mu.Unlock()
		data := []map[string]any{}
		for i, in := range req.Input {
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": embedding(in)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data, "usage": map[string]int{"prompt_tokens": 10, "total_tokens": 10}})
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// URL is the base URL to configure (ending in /v1).
func (e *Embeddings) URL() string { return e.srv.URL + "/v1" }

// Count is how many times text was embedded.
func (e *Embeddings) Count(text string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, in := range e.inputs {
		if in == text {
			n++
		}
	}
	return n
}

// Total is how many texts were embedded.
func (e *Embeddings) Total() int { e.mu.Lock(); defer e.mu.Unlock(); return len(e.inputs) }
