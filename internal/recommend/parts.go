package recommend

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Part is one part of what a city needs: a sentence or clause of its need, or a phrase
// of another field kept as need because no vocabulary term says it (From names the field).
type Part struct {
	Text string `json:"text"`
	From string `json:"from"`
}

// Limits on splitting a need.
const (
	maxParts       = 5
	minPartWords   = 2 // a part with fewer content words joins its neighbour
	minClauseWords = 3 // an "and" splits a sentence only between two clauses this long
	fromNeed       = "need"
	fromWhole      = "whole"      // the need as written, searched beside its parts
	conjunctions   = `and|y|e|et` // en, es, pt (and es before i-), fr
)

// sentenceEnd ends a sentence or a clause of a list: . ! ? ; or a line break, followed by
// space (so that 0.5 or e.g. a URL does not split).
var sentenceEnd = regexp.MustCompile(`[.!?;]+(\s+|$)|\n+|\s+[-•·]\s+`)

// conjunction is "and" in the four languages, a comma before it allowed.
var conjunction = regexp.MustCompile(`(?i),?\s+(?:` + conjunctions + `)\s+`)

// splitNeed cuts a need into its parts: sentences and semicolon-separated clauses, then
// clauses joined by "and" (y, e, et) when each side is long enough to be a clause of its
// own ("doctors and pharmacies" stays one part). Parts too short to stand alone join the
// part before them.
func splitNeed(need string) []Part {
	var pieces []string
	for _, s := range sentenceEnd.Split(need, -1) {
		pieces = append(pieces, splitClauses(s)...)
	}
	var parts []Part
	for _, p := range pieces {
		p = strings.Trim(strings.Join(strings.Fields(p), " "), " ,:")
		switch {
		case p == "":
		case len(parts) > 0 && (contentWords(p) < minPartWords || len(parts) == maxParts):
			parts[len(parts)-1].Text += "; " + p
		default:
			parts = append(parts, Part{Text: p, From: fromNeed})
		}
	}
	if len(parts) > 1 && contentWords(parts[0].Text) < minPartWords {
		parts[1].Text = parts[0].Text + "; " + parts[1].Text
		parts = parts[1:]
	}
	return parts
}

// splitClauses splits a sentence at each conjunction with a clause on both sides.
func splitClauses(s string) []string {
	var out []string
next:
	for {
		for _, loc := range conjunction.FindAllStringIndex(s, -1) {
			if contentWords(s[:loc[0]]) >= minClauseWords && contentWords(s[loc[1]:]) >= minClauseWords {
				out = append(out, s[:loc[0]])
				s = s[loc[1]:]
				continue next
			}
		}
		return append(out, s)
	}
}

// contentWords counts the words of s that carry meaning.
func contentWords(s string) int { return len(contentWordList(s)) }

// contentWordList lists the words of s that carry meaning, lowercased: not the short
// function words of the four languages.
func contentWordList(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !functionWords[w] {
			out = append(out, w)
		}
	}
	return out
}

var functionWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the of in on at to for from with by and or but not no is are was were be been
		have has had our their its it this that these those we they who which what how can could do does
		el la los las lo un una unos unas de del en y e o u con por para que sus su se no es son nuestro nuestra
		le les un une des du de et ou dans sur pour par avec que qui nos notre leur leurs ne pas est sont
		o os a as um uma de do da dos das em no na nos nas e ou com por para que seus suas não é são nosso nossa`) {
		m[w], m[practices.Fold(w)] = true, true // as typed and with accents folded
	}
	return m
}()
