package ai

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Whatever the model streams, in whatever pieces, what is shown is what the grounded
// answer says: no citation of a practice that was not given ever appears.
func FuzzStreamedAnswer(f *testing.F) {
	f.Add("Cities did it [a-b]. Others [made-up] too [c].", uint8(3))
	f.Add("[x [made-up] [a-b]] [[c]]", uint8(1))
	f.Add("NO_ANSWER", uint8(2))
	f.Add("["+strings.Repeat("z", 130)+"] and [zz]", uint8(7))
	ps := []*practices.Practice{{ID: "a-b", Title: "A"}, {ID: "c", Title: "C"}}
	f.Fuzz(func(t *testing.T, text string, step uint8) {
		var shown strings.Builder
		cf := newCiteFilter(ps, func(s string) { shown.WriteString(s) })
		n := int(step%16) + 1
		for i := 0; i < len(text); i += n {
			cf.write(text[i:min(i+n, len(text))])
		}
		cf.flush()
		final := ground(text, ps)
		for _, out := range []string{shown.String(), final.Answer} {
			for _, m := range citation.FindAllString(out, -1) {
				if cites(m) && m != "[a-b]" && m != "[c]" {
					t.Fatalf("%q came out as %q, citing %s", text, out, m)
				}
			}
		}
		if final.Grounded && strings.TrimSpace(shown.String()) != final.Answer {
			t.Fatalf("streamed %q, grounded %q", shown.String(), final.Answer)
		}
	})
}

// completer answers with a fixed text.
type completer string

func (c completer) Complete(context.Context, string, string, int) (string, error) {
	return string(c), nil
}
func (completer) ChatModel() string { return "fuzz" }

// Whatever the model answers, suggestions are valid or refused with an error: terms from
// the vocabularies only, tags that are slugs, texts within their limits.
func FuzzSuggestionAnswer(f *testing.F) {
	f.Add(`{"language":"es","areas":["education","x"],"tags":["Digital Divide"],"summary":"Dos frases. Aquí.","translation":{"title":"T","summary":"S","body":"B"}}`)
	f.Add("```json\n{\"areas\": [\"data\"]}\n```")
	f.Add(`{"translation": "not an object"}`)
	f.Add(`}{`)
	p := practices.Practice{ID: "x", Title: "Caso", Summary: "Resumen", Body: "Texto", Languages: []string{"es"}}
	f.Fuzz(func(t *testing.T, answer string) {
		s, err := NewAssistant(completer(answer)).Suggest(context.Background(), p)
		if err != nil {
			return
		}
		for _, c := range []struct {
			terms []string
			vocab practices.Vocabulary
		}{{s.Areas, practices.Areas}, {s.Crises, practices.Crises}, {s.TargetGroups, practices.TargetGroups}} {
			for _, term := range c.terms {
				if !c.vocab.Has(term) {
					t.Fatalf("suggested %q, not in the vocabulary", term)
				}
			}
		}
		for _, tag := range s.Tags {
			if tag != practices.Slug(tag, 40) || tag == "" {
				t.Fatalf("suggested tag %q", tag)
			}
		}
		if !s.MachineGenerated || utf8.RuneCountInString(s.Summary) > practices.MaxSummary || !practices.Languages.Has(s.Language) {
			t.Fatalf("suggestions %+v", s)
		}
		if tr := s.Translation; tr != nil && (!tr.Machine || tr.Language != "en" || utf8.RuneCountInString(tr.Title) > practices.MaxTitle) {
			t.Fatalf("translation %+v", tr)
		}
	})
}
