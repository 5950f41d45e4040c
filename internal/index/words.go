package index

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
)

// wordAnalyzer analyses text as a language's analyzer does, but runs the token filters
// (possessives, lower case, stop words, folding, stemming) once per distinct word and
// remembers what they made of it. Highlighting reads each hit's stored text again, and
// the filters were half of that: a quarter of a one-word search (pprof). Every filter of
// kb's analyzers maps one token to at most one without looking at its neighbours, so a
// word's term does not depend on where it stands; a word for which that does not hold
// makes the text go through the analyzer itself. A test compares both.
type wordAnalyzer struct {
	analyzer  analysis.Analyzer
	tokenizer analysis.Tokenizer
	filters   []analysis.TokenFilter

	mu    sync.RWMutex
	words map[string]analysedWord // token type, then the word as the tokenizer cut it
}

type analysedWord struct {
	term    string
	dropped bool // a stop word
	complex bool // the filters did more than change or drop it
}

// maxWords bounds the words remembered per analyzer: past it, new words are analysed
// each time. kb's texts use a few tens of thousands.
const maxWords = 1 << 17

// word is one analysed token.
type word struct {
	term       string
	pos        int // from 1
	start, end int // bytes of the text
}

// newWordAnalyzers makes one per language analyzer of m.
func newWordAnalyzers(m mapping.IndexMapping) map[string]*wordAnalyzer {
	out := map[string]*wordAnalyzer{}
	for _, lang := range Languages {
		if a := m.AnalyzerNamed(analyzerName(lang)); a != nil {
			out[analyzerName(lang)] = newWordAnalyzer(a)
		}
	}
	return out
}

func newWordAnalyzer(a analysis.Analyzer) *wordAnalyzer {
	w := &wordAnalyzer{analyzer: a, words: map[string]analysedWord{}}
	// Char filters change the text before it is cut: nothing to remember per word.
	if d, ok := a.(*analysis.DefaultAnalyzer); ok && len(d.CharFilters) == 0 {
		w.tokenizer, w.filters = d.Tokenizer, d.TokenFilters
	}
	return w
}

// analyse returns the words of text with their terms, positions and offsets, as the
// analyzer's tokens.
func (w *wordAnalyzer) analyse(text []byte) []word {
	if w.tokenizer == nil {
		return wordsOf(w.analyzer.Analyze(text))
	}
	tokens := w.tokenizer.Tokenize(text)
	analysed := make([]analysedWord, len(tokens))
	var key []byte
	keyOf := func(t *analysis.Token) []byte {
		key = append(append(key[:0], byte(t.Type)), t.Term...)
		return key
	}
	var missed []int // tokens whose word is not remembered yet
	w.mu.RLock()
	for i, t := range tokens {
		var ok bool
		if analysed[i], ok = w.words[string(keyOf(t))]; !ok {
			missed = append(missed, i)
		}
	}
	w.mu.RUnlock()
	if len(missed) > 0 {
		for _, i := range missed {
			analysed[i] = w.filter(tokens[i])
		}
		w.mu.Lock()
		for _, i := range missed {
			if len(w.words) < maxWords {
				w.words[string(keyOf(tokens[i]))] = analysed[i]
			}
		}
		w.mu.Unlock()
	}
	out := make([]word, 0, len(tokens))
	for i, t := range tokens {
		switch aw := analysed[i]; {
		case aw.complex:
			return wordsOf(w.analyzer.Analyze(text))
		case !aw.dropped:
			out = append(out, word{term: aw.term, pos: t.Position, start: t.Start, end: t.End})
		}
	}
	return out
}

// filter runs the token filters on one token alone.
func (w *wordAnalyzer) filter(t *analysis.Token) analysedWord {
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

func wordsOf(tokens analysis.TokenStream) []word {
	out := make([]word, len(tokens))
	for i, t := range tokens {
		out[i] = word{term: string(t.Term), pos: t.Position, start: t.Start, end: t.End}
	}
	return out
}
