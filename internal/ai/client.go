// Package ai is the optional assistance of an OpenAI-compatible endpoint: answers to
// questions from the practices, suggestions for coordinators, and semantic search.
package ai

// The endpoint may be OpenAI, Azure OpenAI, Ollama, llama.cpp's server or vLLM. Nothing
// requires it: without an endpoint the knowledge base works offline, and while the
// endpoint fails the features that need it step aside.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Config says which endpoint to use and how much of it.
type Config struct {
	BaseURL, APIKey, ChatModel string
	// EmbedModel, when set, turns on semantic and hybrid search.
	EmbedModel string
	// Timeout bounds one request, retries included (default 30 s); Retries is how many
	// times a 429 or 5xx answer is retried (default 2), honouring Retry-After.
	Timeout time.Duration
	Retries int
	// MaxAnswerTokens caps one answer (default 700), MaxAssistTokens one submission's
	// suggestions and translation (default 4000); TokensPerDay all requests of a UTC day
	// (default 200 000), counted in Usage when given so that a restart does not reset it.
	MaxAnswerTokens, MaxAssistTokens, TokensPerDay int
	Usage                                          Usage
	// BreakerFailures in a row open the circuit for BreakerCooldown (defaults 3, 30 s).
	BreakerFailures int
	BreakerCooldown time.Duration
	HTTP            *http.Client
	Now             func() time.Time
}

// ConfigFromEnv reads KB_OPENAI_BASE_URL, KB_OPENAI_API_KEY, KB_CHAT_MODEL and
// KB_EMBED_MODEL; ok is false
// when no endpoint is configured.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool) {
	cfg = Config{BaseURL: getenv("KB_OPENAI_BASE_URL"), APIKey: getenv("KB_OPENAI_API_KEY"), ChatModel: getenv("KB_CHAT_MODEL"), EmbedModel: getenv("KB_EMBED_MODEL")}
	return cfg, cfg.BaseURL != ""
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Retries < 0 {
		c.Retries = 0
	} else if c.Retries == 0 {
		c.Retries = 2
	}
	if c.MaxAnswerTokens <= 0 {
		c.MaxAnswerTokens = 700
	}
	if c.MaxAssistTokens <= 0 {
		c.MaxAssistTokens = 4000
	}
	c.MaxAssistTokens = max(c.MaxAssistTokens, c.MaxAnswerTokens)
	if c.TokensPerDay <= 0 {
		c.TokensPerDay = 200_000
	}
	if c.BreakerFailures <= 0 {
		c.BreakerFailures = 3
	}
	if c.BreakerCooldown <= 0 {
		c.BreakerCooldown = 30 * time.Second
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ChatModel == "" {
		c.ChatModel = "gpt-4o-mini"
	}
	return c
}

// Client calls the endpoint with retries, a circuit breaker and a daily token budget.
type Client struct {
	cfg Config
	oa  *openai.Client

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	day       string
	spent     int
}

// New builds a client; it does not contact the endpoint.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	c := &Client{cfg: cfg}
	oc.HTTPClient = &retrying{http: cfg.HTTP, retries: cfg.Retries}
	c.oa = openai.NewClientWithConfig(oc)
	return c
}

// Available reports whether the endpoint may be used now: the circuit is closed and the
// day's budget is not spent.
func (c *Client) Available() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Now()
	return !now.Before(c.openUntil) && c.spentToday(now) < c.cfg.TokensPerDay
}

// spentToday is the day's count, read from Usage when the day turns (or at the first
// call after a start). The caller holds c.mu.
func (c *Client) spentToday(now time.Time) int {
	if d := now.UTC().Format("2006-01-02"); d != c.day {
		c.day, c.spent = d, 0
		if c.cfg.Usage != nil {
			if n, err := c.cfg.Usage.Spent(d); err == nil {
				c.spent = n
			}
		}
	}
	return c.spent
}

// ErrUnavailable is returned while the circuit is open or the budget spent.
var ErrUnavailable = apperr.Errorf(apperr.Unavailable, "the AI assistant is unavailable for now; search works as usual")

// Chat sends a system and a user message and returns the answer, of at most
// MaxAnswerTokens.
func (c *Client) Chat(ctx context.Context, system, user string) (string, error) {
	return c.Complete(ctx, system, user, c.cfg.MaxAnswerTokens)
}

// ChatModel is the chat model's name, recorded with what it generates.
func (c *Client) ChatModel() string { return c.cfg.ChatModel }

// Complete is Chat with its own cap on the answer's tokens (at most MaxAssistTokens).
func (c *Client) Complete(ctx context.Context, system, user string, maxTokens int) (string, error) {
	maxTokens = min(maxTokens, c.cfg.MaxAssistTokens)
	if !c.Available() {
		return "", ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.oa.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		//lint:ignore SA1019 max_tokens is the field OpenAI-compatible servers (llama.cpp, vLLM, Ollama) read; max_completion_tokens is OpenAI's alone
		Model: c.cfg.ChatModel, MaxTokens: maxTokens, Temperature: 0,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	})
	if err == nil && len(resp.Choices) == 0 {
		err = errors.New("the answer has no choices")
	}
	c.record(ctx, err, resp.Usage.TotalTokens)
	if err != nil {
		return "", apperr.Errorf(apperr.Unavailable, "the AI endpoint failed: %v", err)
	}
	return resp.Choices[0].Message.Content, nil
}

// Stream is Chat with the answer passed to emit as it is generated; it returns the whole.
func (c *Client) Stream(ctx context.Context, system, user string, emit func(string)) (string, error) {
	if !c.Available() {
		return "", ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	st, err := c.oa.CreateChatCompletionStream(ctx, openai.ChatCompletionRequest{
		//lint:ignore SA1019 as above: the field every compatible server reads
		Model: c.cfg.ChatModel, MaxTokens: c.cfg.MaxAnswerTokens, Temperature: 0, Stream: true,
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	})
	var b strings.Builder
	tokens := 0
	if err == nil {
		defer st.Close()
		for {
			resp, rerr := st.Recv()
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				err = rerr
				break
			}
			if resp.Usage != nil {
				tokens = resp.Usage.TotalTokens
			}
			for _, ch := range resp.Choices {
				if d := ch.Delta.Content; d != "" {
					b.WriteString(d)
					emit(d)
				}
			}
		}
	}
	if tokens == 0 {
		// A server that does not report usage in streams is counted roughly, so the cap holds.
		tokens = (len(system) + len(user) + b.Len()) / 4
	}
	c.record(ctx, err, tokens)
	if err != nil {
		return "", apperr.Errorf(apperr.Unavailable, "the AI endpoint failed: %v", err)
	}
	return b.String(), nil
}

// EmbedModel is the embedding model, empty when semantic search is off.
func (c *Client) EmbedModel() string { return c.cfg.EmbedModel }

// Embed returns one vector per text, in order.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.cfg.EmbedModel == "" {
		return nil, apperr.Errorf(apperr.Invalid, "no embedding model is configured (KB_EMBED_MODEL)")
	}
	if !c.Available() {
		return nil, ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.oa.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(c.cfg.EmbedModel)})
	if err == nil && len(resp.Data) != len(texts) {
		err = fmt.Errorf("%d embeddings for %d texts", len(resp.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if err == nil && (d.Index < 0 || d.Index >= len(texts) || len(d.Embedding) == 0) {
			err = fmt.Errorf("embedding %d is malformed", d.Index)
		}
		if err == nil {
			out[d.Index] = d.Embedding
		}
	}
	c.record(ctx, err, resp.Usage.TotalTokens)
	if err != nil {
		return nil, apperr.Errorf(apperr.Unavailable, "the AI endpoint failed: %v", err)
	}
	return out, nil
}

// Budget is the day's tokens and the cap on one answer.
func (c *Client) Budget() (perDay, perAnswer int) { return c.cfg.TokensPerDay, c.cfg.MaxAnswerTokens }

// record counts a call's tokens (also on the meter of ctx, for the share of the client
// asking) and opens the circuit after enough failures in a row.
func (c *Client) record(ctx context.Context, err error, tokens int) {
	count(ctx, tokens)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Now()
	c.spentToday(now)
	c.spent += tokens
	if c.cfg.Usage != nil && tokens > 0 {
		// Best effort: a failed write costs at most this call's tokens after a restart.
		c.cfg.Usage.Add(c.day, tokens)
	}
	if err == nil {
		c.failures = 0
		return
	}
	c.failures++
	if c.failures >= c.cfg.BreakerFailures {
		c.openUntil = now.Add(c.cfg.BreakerCooldown)
		c.failures = 0
	}
}

// retrying is the HTTP doer under go-openai: it retries 429 and 5xx answers, waiting
// what Retry-After asks (or a doubling backoff), within the request's context.
type retrying struct {
	http    *http.Client
	retries int
}

func (r *retrying) Do(req *http.Request) (*http.Response, error) {
	wait := 500 * time.Millisecond
	for attempt := 0; ; attempt++ {
		resp, err := r.http.Do(req)
		if err != nil || attempt == r.retries || req.GetBody == nil && req.Body != nil ||
			(resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500) {
			return resp, err
		}
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			wait = d
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		select {
		case <-req.Context().Done():
			return nil, fmt.Errorf("waiting to retry: %w", req.Context().Err())
		case <-time.After(wait):
		}
		wait *= 2
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
	}
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
