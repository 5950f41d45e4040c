// Package highlight finds where a query's terms stand in a stored text, as the fields'
// analyzers and Bleve's fuzzy matching would, and cleans the snippets Bleve cuts from it.
package highlight

import (
	"regexp"
	"strings"
	"unicode"
)

// A snippet is a fragment of stored text with the matches in <mark>, HTML-escaped. The
// body is Markdown, and Bleve's fragmenter cuts at a byte count: a snippet could start
// inside a word ("…hools closed") or a figure ("…000 students" of "186 000"), and show
// "## What was done". Clean reads as a person would: the Markdown's marks gone,
// and an edge cut by the fragmenter moved back to the nearest whole word that is not part
// of a number.

const ellipsis = "…"

var (
	mdLineStart = regexp.MustCompile(`^\s*(?:#{1,6}\s+|(?:&gt;\s*)+|[-*+]\s+|\d+[.)]\s+)`)
	mdHeading   = regexp.MustCompile(`^\s*#{1,6}\s`)
	mdLink      = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)?`)
	mdLinkTail  = regexp.MustCompile(`\]\([^)]*\)?`)
	mdEmphasis  = regexp.MustCompile(`\*{1,3}|_{2,3}|~~|` + "`+")
	mdHashes    = regexp.MustCompile(`(^|\s)#+(\s|$)`)
	mdUnderline = regexp.MustCompile(`(^|[\s(])_+|_+([\s).,;:!?]|$)`)
)

// Clean is a snippet without Markdown, cut at whole words (see above).
func Clean(s string) string {
	s, cutStart := strings.CutPrefix(s, ellipsis)
	s, cutEnd := strings.CutSuffix(s, ellipsis)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		// A heading between two paragraphs ("What was done") reads as a stray sentence in
		// a snippet: it goes, unless it holds the match.
		if mdHeading.MatchString(l) && !strings.Contains(l, "<mark>") {
			continue
		}
		lines = append(lines, mdLineStart.ReplaceAllString(l, ""))
	}
	s = strings.Join(lines, " ")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdLinkTail.ReplaceAllString(s, "")
	s = strings.NewReplacer("[", "", "]", "").Replace(s)
	s = mdEmphasis.ReplaceAllString(s, "")
	s = mdUnderline.ReplaceAllString(s, "$1$2")
	s = mdHashes.ReplaceAllString(s, "$1$2")
	words := strings.Fields(s)
	if len(words) == 0 {
		return ""
	}
	// The word at a cut may be a piece of one; then any figure beside it may be a piece of
	// a figure written with spaces. A word holding a match is kept whatever it is.
	// A cut word holding a match keeps the match and loses the piece beside it.
	if cutStart {
		if i := strings.Index(words[0], "<mark>"); i > 0 {
			words[0] = words[0][i:]
		}
		words = dropWhile(words, 1, isFigure)
	}
	if cutEnd {
		last := words[len(words)-1]
		if i := strings.LastIndex(last, "</mark>"); i >= 0 && i+len("</mark>") < len(last) {
			words[len(words)-1] = last[:i+len("</mark>")]
		}
		words = reverse(dropWhile(reverse(words), 1, isFigure))
	}
	if len(words) == 0 {
		return ""
	}
	out := strings.Join(words, " ")
	if cutStart {
		out = ellipsis + out
	}
	if cutEnd {
		out = strings.TrimRight(out, ",;:(") + ellipsis
	}
	return out
}

// dropWhile drops the first n words, then those that satisfy more, stopping at a match.
func dropWhile(words []string, n int, more func(string) bool) []string {
	for i := 0; len(words) > 1 && !strings.Contains(words[0], "<mark>") && (i < n || more(words[0])); i++ {
		words = words[1:]
	}
	return words
}

func reverse(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[len(words)-1-i] = w
	}
	return out
}

// isFigure reports whether a word is (a piece of) a figure: digits with the separators
// of the four languages' numbers, a sign or a percent.
func isFigure(w string) bool {
	digits := 0
	for _, r := range w {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune(".,%+-–()€$:;'", r):
		default:
			return false
		}
	}
	return digits > 0
}
