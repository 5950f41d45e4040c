package review

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Span is one run of a word diff: text both sides share, or text only one side has.
type Span struct {
	Op   string `json:"op"` // "=" kept, "-" removed, "+" added
	Text string `json:"text"`
}

// wordDiff lists the words that changed between two texts, with the text around them, so
// that a reader sees which words of a paragraph moved rather than two whole paragraphs.
// The texts are cut into words, spaces and punctuation, each token diffed as one symbol
// (go-diff's Myers diff with its semantic clean-up, on runes standing for tokens).
func wordDiff(a, b string) []Span {
	table := map[string]rune{}
	var tokens []string
	encode := func(s string) []rune {
		var out []rune
		for _, tok := range words(s) {
			r, ok := table[tok]
			if !ok {
				r = symbol(len(tokens))
				table[tok] = r
				tokens = append(tokens, tok)
			}
			out = append(out, r)
		}
		return out
	}
	ra, rb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // an exact diff: texts are bounded by the practice's limits
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(ra, rb, false))
	byRune := make(map[rune]string, len(tokens))
	for tok, r := range table {
		byRune[r] = tok
	}
	var out []Span
	for _, d := range diffs {
		var b strings.Builder
		for _, r := range d.Text {
			b.WriteString(byRune[r])
		}
		text := b.String()
		op := "="
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = "-"
		case diffmatchpatch.DiffInsert:
			op = "+"
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text
			continue
		}
		out = append(out, Span{Op: op, Text: text})
	}
	return out
}

// symbol is the rune that stands for the i-th distinct token, skipping the surrogates,
// which are no runes.
func symbol(i int) rune {
	if i >= 0xD800 {
		i += 0x800
	}
	return rune(i)
}

// words cuts a text into words (letters and digits), runs of space, and single other
// characters; joined again they give the text back.
func words(s string) []string {
	var out []string
	start, kind := 0, -1
	for i, r := range s {
		k := 2 // punctuation: a token of its own
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			k = 0
		case unicode.IsSpace(r):
			k = 1
		}
		if i > start && (k != kind || k == 2) {
			out = append(out, s[start:i])
			start = i
		}
		kind = k
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
