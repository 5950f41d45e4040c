package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Completer is the endpoint's chat completion with a cap on the answer's tokens.
type Completer interface {
	Complete(ctx context.Context, system, user string, maxTokens int) (string, error)
	ChatModel() string
}

// Assistant suggests the metadata of a submitted case, and translates it into English,
// for a coordinator to take or leave. It is only ever called when a coordinator asks.
type Assistant struct {
	chat Completer
	now  func() time.Time
}

// NewAssistant builds an Assistant.
func NewAssistant(c Completer) *Assistant { return &Assistant{chat: c, now: time.Now} }

// Available reports whether the endpoint may be used now.
func (a *Assistant) Available() bool { return Available(a.chat) }

// Limits on what one request sends and asks for.
const (
	assistBodyRunes  = 6000
	assistMaxTokens  = 4000
	maxSuggestedTags = 8
)

var assistPrompt = `You help the coordinators of a network of cities to index a good practice submitted by a city.
Read the case and reply with ONE JSON object and nothing else, with these keys:
"language": the ISO 639-1 code of the language the case is written in;
"areas": the areas of governance the case belongs to, ids among: ` + ids(practices.Areas) + `;
"crises": the crisis types it responds to, ids among: ` + ids(practices.Crises) + ` (empty if none);
"target_groups": the groups it serves, ids among: ` + ids(practices.TargetGroups) + ` (empty if none);
"tags": at most 8 short lowercase English keywords with dashes, e.g. "digital-divide";
"summary": a summary of the case in exactly two sentences, in the language of the case;
"translation": when the case is not in English, {"title","summary","body"} translated into English (body in Markdown, keeping every figure and name as written); null when it is in English.
Use only what the case says. Never invent figures, names or results.`

func ids(v practices.Vocabulary) string { return strings.Join(v.IDs(), ", ") }

// Suggest asks the endpoint about one case. Only the case's own text goes out: the
// practice type holds no contact details, and nothing else is read.
func (a *Assistant) Suggest(ctx context.Context, p practices.Practice) (*practices.Suggestions, error) {
	body, partial := p.Body, false
	if utf8.RuneCountInString(body) > assistBodyRunes {
		body, partial = string([]rune(body)[:assistBodyRunes]), true
	}
	user := fmt.Sprintf("Title: %s\nCity: %s (%s)\nDeclared language: %s\nSummary: %s\n\n%s", p.Title, p.City, p.Country, p.Language(), p.Summary, body)
	text, err := a.chat.Complete(ctx, assistPrompt, user, assistMaxTokens)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Language     string   `json:"language"`
		Areas        []string `json:"areas"`
		Crises       []string `json:"crises"`
		TargetGroups []string `json:"target_groups"`
		Tags         []string `json:"tags"`
		Summary      string   `json:"summary"`
		Translation  *struct {
			Title, Summary, Body string
		} `json:"translation"`
	}
	if err := json.Unmarshal([]byte(jsonObject(text)), &raw); err != nil {
		return nil, apperr.Said(apperr.Unavailable, "the assistant's answer was not the JSON asked for; ask again", i18n.Say("assist.error.answer"))
	}
	s := &practices.Suggestions{
		MachineGenerated: true, Model: a.chat.ChatModel(), Generated: a.now().UTC(),
		Language:     orLanguage(raw.Language, p.Language()),
		Areas:        known(raw.Areas, practices.Areas),
		Crises:       known(raw.Crises, practices.Crises),
		TargetGroups: known(raw.TargetGroups, practices.TargetGroups),
		Tags:         tags(raw.Tags),
		Summary:      clip(strings.TrimSpace(raw.Summary), practices.MaxSummary),
	}
	if t := raw.Translation; t != nil && s.Language != "en" && strings.TrimSpace(t.Title) != "" {
		s.Translation = &practices.Translation{
			Language: "en", Title: clip(strings.TrimSpace(t.Title), practices.MaxTitle),
			Summary: clip(strings.TrimSpace(t.Summary), practices.MaxSummary), Body: clip(strings.TrimSpace(t.Body), practices.MaxBody),
			Machine: true, Model: s.Model, Generated: s.Generated, Partial: partial,
		}
	}
	return s, nil
}

// jsonObject takes the object out of an answer that wraps it in a code fence or words.
func jsonObject(text string) string {
	start, end := strings.Index(text, "{"), strings.LastIndex(text, "}")
	if start < 0 || end < start {
		return text
	}
	return text[start : end+1]
}

func orLanguage(got, declared string) string {
	got = strings.ToLower(strings.TrimSpace(got))
	if practices.Languages.Has(got) {
		return got
	}
	return declared
}

// known keeps the terms of a vocabulary, once each, dropping what the model made up.
func known(in []string, v practices.Vocabulary) []string {
	out := []string{}
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if v.Has(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// tags turns the model's keywords into valid tags.
func tags(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		t := practices.Slug(s, 40)
		if t == "" || seen[t] || len(out) == maxSuggestedTags {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func clip(s string, runes int) string {
	if utf8.RuneCountInString(s) <= runes {
		return s
	}
	return string([]rune(s)[:runes])
}
