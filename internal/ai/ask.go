package ai

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Retriever finds the published practices most relevant to a question. Only what it
// returns is ever sent to the endpoint: never submissions or contributors' contacts.
type Retriever interface {
	Retrieve(ctx context.Context, question string, limit int) ([]*practices.Practice, error)
}

// Chatter is the endpoint's chat completion.
type Chatter interface {
	Chat(ctx context.Context, system, user string) (string, error)
}

// Answer is a grounded answer: every citation is a practice that was retrieved and given
// to the model. Grounded is false when the knowledge base has nothing that answers.
type Answer struct {
	Answer    string     `json:"answer"`
	Citations []Citation `json:"citations"`
	Grounded  bool       `json:"grounded"`
}

// Citation names a practice an answer rests on.
type Citation struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Asker answers questions from the practices only, within each client's rate of
// questions and share of the day's tokens (whichever door the question comes through).
type Asker struct {
	retriever Retriever
	chat      Chatter
	shares    *shares
	// Questions limits each client's questions; Share is the part of the day's tokens
	// one client may spend.
	Questions *limit.Limiter
	Share     float64
}

// NewAsker builds an Asker with the default limits.
func NewAsker(r Retriever, c Chatter) *Asker {
	return &Asker{retriever: r, chat: c, shares: newShares(), Questions: limit.New(DefaultQuestionRate, "questions"), Share: DefaultClientShare}
}

// Available reports whether the endpoint may be used now, so that pages hide the
// assistant while it is failing or its daily budget is spent.
func (a *Asker) Available() bool { return Available(a.chat) }

// Available reports whether x, when it can tell (as a Client does), may be used now.
func Available(x any) bool {
	if c, ok := x.(interface{ Available() bool }); ok {
		return c.Available()
	}
	return true
}

// Limits on what one question sends.
const (
	maxQuestion  = 500
	askPractices = 6
	excerptRunes = 1500
	noAnswer     = "NO_ANSWER"
)

// NothingFound is the answer when no practice answers the question.
const NothingFound = "The knowledge base has no practice that answers this question. Try other words, or search."

const systemPrompt = `You help staff of cities and local governments learn from good practices of other cities.
Answer the question using ONLY the practices given below, in the language of the question, in at most three short paragraphs.
After every claim, cite the practice it comes from by its id in square brackets, for example [barcelona-3d-printed-ppe].
Never use knowledge that is not in the practices. If they do not answer the question, reply exactly ` + noAnswer + `.`

var citation = regexp.MustCompile(`\[([a-z0-9]+(?:-[a-z0-9]+)*)\]`)

// dropped stands where a citation of a practice not given was: a space, which no
// citation holds, so that what surrounds it cannot close up into another ("[[x]y]").
const dropped = " "

// cites reports whether a bracketed text is a citation: an id in brackets, no longer than
// ids are (a longer run of letters in brackets is left as text, here and while streaming).
func cites(m string) bool {
	return len(m) <= longestID && citation.FindString(m) == m
}

// Ask answers a question, or says that nothing answers it.
func (a *Asker) Ask(ctx context.Context, question string) (Answer, error) {
	return a.AskStream(ctx, question, nil)
}

// Streamer is a Chatter that can pass the answer on as it is generated.
type Streamer interface {
	Stream(ctx context.Context, system, user string, emit func(string)) (string, error)
}

// AskStream is Ask passing the answer to emit as it is generated (when the endpoint can
// stream), with made-up citations and a refusal held back: what is emitted is what the
// grounded answer says, and the Answer returned is the final word.
func (a *Asker) AskStream(ctx context.Context, question string, emit func(string)) (Answer, error) {
	question = strings.TrimSpace(question)
	switch n := utf8.RuneCountInString(question); {
	case n == 0:
		return Answer{}, apperr.InvalidFields("no question", map[string]string{"question": "is required"})
	case n > maxQuestion:
		return Answer{}, apperr.InvalidFields("the question is too long", map[string]string{"question": fmt.Sprintf("is %d characters, at most %d", n, maxQuestion)})
	}
	if _, err := a.Questions.Take(ctx); err != nil {
		return Answer{}, err
	}
	ps, err := a.retriever.Retrieve(ctx, question, askPractices)
	if err != nil {
		return Answer{}, err
	}
	if len(ps) == 0 {
		return Answer{Answer: NothingFound, Citations: []Citation{}}, nil
	}
	user := prompt(question, ps)
	if client := limit.Client(ctx); client != "" {
		perDay, perAnswer := 200_000, 700
		if b, ok := a.chat.(budgeted); ok {
			perDay, perAnswer = b.Budget()
		}
		// The most a question may cost: its prompt (about four bytes a token) and the
		// longest answer.
		settle, err := a.shares.reserve(client, (len(systemPrompt)+len(user))/4+perAnswer, int(a.Share*float64(perDay)))
		if err != nil {
			return Answer{}, err
		}
		var m *meter
		ctx, m = withMeter(ctx)
		defer func() { settle(m.read()) }()
	}
	var text string
	if st, ok := a.chat.(Streamer); ok && emit != nil {
		f := newCiteFilter(ps, emit)
		text, err = st.Stream(ctx, systemPrompt, user, f.write)
		f.flush()
	} else {
		text, err = a.chat.Chat(ctx, systemPrompt, user)
	}
	if err != nil {
		return Answer{}, err
	}
	return ground(text, ps), nil
}

// citeFilter passes a streamed answer on, holding back a bracket until it closes (to
// drop the citation of a practice not given) and the start until it cannot be the
// refusal.
type citeFilter struct {
	given   map[string]bool
	emit    func(string)
	pending strings.Builder
	started bool
}

func newCiteFilter(ps []*practices.Practice, emit func(string)) *citeFilter {
	f := &citeFilter{given: map[string]bool{}, emit: emit}
	for _, p := range ps {
		f.given[p.ID] = true
	}
	return f
}

// longestID bounds a citation, brackets included (ids have at most 120 characters); an
// open bracket is held that long while streaming.
const longestID = 122

func (f *citeFilter) write(delta string) {
	f.pending.WriteString(delta)
	s := f.pending.String()
	if !f.started {
		if strings.HasPrefix(noAnswer, strings.TrimSpace(s)) || strings.HasPrefix(strings.TrimSpace(s), noAnswer) {
			return // might be, or is, the refusal: the final answer will say
		}
		f.started = true
	}
	// A citation ends at a ']' and starts at the last '[' before it (ids hold no
	// brackets), as the matches of ground's pattern do.
	var out strings.Builder
	for {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			open := strings.LastIndexByte(s, '[')
			if open < 0 || len(s)-open > longestID {
				out.WriteString(s) // no bracket that can still become a citation
				s = ""
			} else {
				out.WriteString(s[:open])
				s = s[open:] // wait for the bracket to close
			}
			break
		}
		open := strings.LastIndexByte(s[:end], '[')
		if open < 0 {
			out.WriteString(s[:end+1])
			s = s[end+1:]
			continue
		}
		out.WriteString(s[:open])
		if m := s[open : end+1]; !cites(m) || f.given[m[1:end-open]] {
			out.WriteString(m)
		} else {
			out.WriteString(dropped)
		}
		s = s[end+1:]
	}
	f.pending.Reset()
	f.pending.WriteString(s)
	if out.Len() > 0 {
		f.emit(out.String())
	}
}

// flush emits what is still held once the answer is complete (never the refusal).
func (f *citeFilter) flush() {
	if s := f.pending.String(); f.started && s != "" {
		f.emit(s)
	}
}

func prompt(question string, ps []*practices.Practice) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Question: %s\n\nPractices:\n", question)
	for _, p := range ps {
		body := p.Body
		if utf8.RuneCountInString(body) > excerptRunes {
			body = string([]rune(body)[:excerptRunes]) + "…"
		}
		fmt.Fprintf(&b, "\n[%s] %s (%s, %s)\n%s\n%s\n", p.ID, p.Title, p.City, p.Country, p.Summary, body)
	}
	return b.String()
}

// ground keeps the citations of practices that were given, drops any other bracketed id
// the model made up, and refuses an answer that rests on none.
func ground(text string, ps []*practices.Practice) Answer {
	given := map[string]*practices.Practice{}
	for _, p := range ps {
		given[p.ID] = p
	}
	cited := []Citation{}
	seen := map[string]bool{}
	text = citation.ReplaceAllStringFunc(text, func(m string) string {
		if !cites(m) {
			return m
		}
		id := m[1 : len(m)-1]
		p, ok := given[id]
		if !ok {
			return dropped
		}
		if !seen[id] {
			seen[id] = true
			cited = append(cited, Citation{ID: id, Title: p.Title})
		}
		return m
	})
	text = strings.TrimSpace(text)
	if strings.Contains(text, noAnswer) || len(cited) == 0 {
		return Answer{Answer: NothingFound, Citations: []Citation{}}
	}
	return Answer{Answer: text, Citations: cited, Grounded: true}
}
