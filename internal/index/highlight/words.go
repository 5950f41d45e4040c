package highlight

import (
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Words analyses text as a language's analyzer does, but runs the token filters
// (possessives, lower case, stop words, folding, stemming) once per distinct word and
// remembers what they made of it. Highlighting reads each hit's stored text again, and
// the filters were half of that: a quarter of a one-word search (pprof). Every filter of
// kb's analyzers maps one token to at most one without looking at its neighbours, so a
// word's term does not depend on where it stands; a word for which that does not hold
// makes the text go through the analyzer itself. A test compares both.
type Words struct {
	analyzer  analysis.Analyzer
	tokenizer analysis.Tokenizer
	filters   []analysis.TokenFilter

	unicode bool // the tokenizer is Bleve's unicode one: ASCII text is cut by cutASCII

	mu      sync.RWMutex
	words   map[string]analysedWord // token type, then the word as the tokenizer cut it
	scratch sync.Pool               // *wordScratch
}

type analysedWord struct {
	term    string
	dropped bool // a stop word
	complex bool // the filters did more than change or drop it
}

// maxWords bounds the words remembered per analyzer: past it, new words are analysed
// each time; the most frequent come first. At most a few megabytes.
const maxWords = 1 << 15

// Word is one analysed token.
type Word struct {
	Term       string
	Pos        int // from 1
	Start, End int // bytes of the text
}

// NewWords analyses text as a does.
func NewWords(a analysis.Analyzer) *Words {
	w := &Words{analyzer: a, words: map[string]analysedWord{}}
	// Char filters change the text before it is cut: nothing to remember per word.
	if d, ok := a.(*analysis.DefaultAnalyzer); ok && len(d.CharFilters) == 0 {
		w.tokenizer, w.filters = d.Tokenizer, d.TokenFilters
		_, w.unicode = d.Tokenizer.(*unicode.UnicodeTokenizer)
	}
	return w
}

// Analyse returns the words of text with their terms, positions and offsets, as the
// analyzer's tokens.
func (w *Words) Analyse(text []byte) []Word {
	if w.tokenizer == nil {
		return WordsOf(w.analyzer.Analyze(text))
	}
	sc, _ := w.scratch.Get().(*wordScratch)
	if sc == nil {
		sc = &wordScratch{}
	}
	defer w.scratch.Put(sc)
	cuts := w.cut(text, sc.cuts[:0])
	analysed := slices.Grow(sc.analysed[:0], len(cuts))[:len(cuts)]
	sc.cuts, sc.analysed = cuts, analysed
	keyOf := func(c cut) []byte {
		sc.key = append(append(sc.key[:0], byte(c.typ)), c.term...)
		return sc.key
	}
	missed := sc.missed[:0] // cuts whose word is not remembered yet
	w.mu.RLock()
	for i, c := range cuts {
		var ok bool
		if analysed[i], ok = w.words[string(keyOf(c))]; !ok {
			missed = append(missed, i)
		}
	}
	w.mu.RUnlock()
	sc.missed = missed
	if len(missed) > 0 {
		for _, i := range missed {
			c := cuts[i]
			analysed[i] = w.filter(&analysis.Token{Term: c.term, Start: c.start, End: c.end, Position: c.pos, Type: c.typ})
		}
		w.mu.Lock()
		for _, i := range missed {
			if len(w.words) < maxWords {
				w.words[string(keyOf(cuts[i]))] = analysed[i]
			}
		}
		w.mu.Unlock()
	}
	out := make([]Word, 0, len(cuts))
	for i, c := range cuts {
		switch aw := analysed[i]; {
		case aw.complex:
			return WordsOf(w.analyzer.Analyze(text))
		case !aw.dropped:
			out = append(out, Word{Term: aw.term, Pos: c.pos, Start: c.start, End: c.end})
		}
	}
	return out
}

// wordScratch is what analyse reuses from one text to the next.
type wordScratch struct {
	cuts     []cut
	analysed []analysedWord
	missed   []int
	key      []byte
}

// cut is one token as the tokenizer cuts it, before the filters.
type cut struct {
	term       []byte
	start, end int
	pos        int
	typ        analysis.TokenType
}

// cut appends the tokens of text to into. With Bleve's unicode tokenizer, text is cut
// at ASCII white space, which always separates words (no rule of Unicode's word
// boundaries joins across it; a combining mark after it stays outside any word either
// way): ASCII pieces by cutASCII, the others by the tokenizer. Other tokenizers, and
// text that is not valid UTF-8, go through the tokenizer whole.
func (w *Words) cut(text []byte, into []cut) []cut {
	if !w.unicode || !utf8.Valid(text) {
		for _, t := range w.tokenizer.Tokenize(text) {
			into = append(into, cut{term: t.Term, start: t.Start, end: t.End, pos: t.Position, typ: t.Type})
		}
		return into
	}
	pos := 1
	for start := 0; start < len(text); {
		if asciiSpace(text[start]) {
			start++
			continue
		}
		end, ascii := start, true
		for ; end < len(text) && !asciiSpace(text[end]); end++ {
			ascii = ascii && text[end] < utf8.RuneSelf
		}
		if ascii {
			into, pos = cutASCII(text, start, end, pos, into)
		} else {
			for _, t := range w.tokenizer.Tokenize(text[start:end]) {
				into = append(into, cut{term: t.Term, start: start + t.Start, end: start + t.End, pos: pos, typ: t.Type})
				pos++
			}
		}
		start = end
	}
	return into
}

func asciiSpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }

// cutASCII cuts text[from:to], ASCII, into words as Bleve's unicode tokenizer does
// (Unicode's word boundaries, UAX #29, as github.com/blevesearch/segment implements
// them), which spent a quarter of the time of highlighting: letters, digits and
// underscores run together, and a colon joins two letters, a comma or semicolon two
// digits, a full stop or an apostrophe either. A word without letters is a number. The
// words are numbered from pos on; it returns the next number. A fuzz test compares it
// with the tokenizer.
func cutASCII(text []byte, from, to, pos int, into []cut) ([]cut, int) {
	for i := from; i < to; {
		if !wordByte(text[i]) {
			i++
			continue
		}
		start, letters := i, false
		for i < to {
			c := text[i]
			switch {
			case isLetter(c):
				letters = true
			case isDigit(c) || c == '_':
			case i > start && i+1 < to && joins(text[i-1], c, text[i+1]):
				i++ // the joining mark; the next byte is taken below
				if isLetter(text[i]) {
					letters = true
				}
			default:
				goto done
			}
			i++
		}
	done:
		typ := analysis.AlphaNumeric
		if !letters && hasDigit(text[start:i]) {
			typ = analysis.Numeric
		}
		into = append(into, cut{term: text[start:i], start: start, end: i, pos: pos, typ: typ})
		pos++
	}
	return into, pos
}

func isLetter(c byte) bool   { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func wordByte(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }
func hasDigit(b []byte) bool { return slices.ContainsFunc(b, isDigit) }

// joins reports whether mark, between before and after, keeps them in one word.
func joins(before, mark, after byte) bool {
	switch mark {
	case ':':
		return isLetter(before) && isLetter(after)
	case ',', ';':
		return isDigit(before) && isDigit(after)
	case '.', '\'':
		return isLetter(before) && isLetter(after) || isDigit(before) && isDigit(after)
	}
	return false
}

// filter runs the token filters on one token alone.
func (w *Words) filter(t *analysis.Token) analysedWord {
	one := *t
	one.Term = append([]byte(nil), t.Term...) // filters may change the bytes in place
	stream := analysis.TokenStream{&one}
	for _, f := range w.filters {
		stream = f.Filter(stream)
	}
	switch {
	case len(stream) == 0:
		return analysedWord{dropped: true}
	case len(stream) > 1 || stream[0].Position != t.Position || stream[0].Start != t.Start || stream[0].End != t.End:
		return analysedWord{complex: true}
	}
	return analysedWord{term: string(stream[0].Term)}
}

// WordsOf is the words of an analyzer's tokens.
func WordsOf(tokens analysis.TokenStream) []Word {
	out := make([]Word, len(tokens))
	for i, t := range tokens {
		out[i] = Word{Term: string(t.Term), Pos: t.Position, Start: t.Start, End: t.End}
	}
	return out
}
