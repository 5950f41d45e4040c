package index_test

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/index"
)

// wordTexts are texts with what the filters treat specially: possessives, elisions,
// stop words, accents, numbers, mixed case, words cut at punctuation.
var wordTexts = []string{
	"The city's residents' Wi-Fi: l'école, d'Alembert, qu'il; São Paulo's 3.5% (1,000 people) e.g. COVID-19",
	"Las ciudades y los ciudadanos: ¡Bogotá, Medellín! Niños/niñas — educación à distance, l'hôpital",
	"Ação social: crianças, idosos e famílias; Brasília, Curitiba e Belo Horizonte",
	"",
	"   ",
	"the THE The a of and",
	"東京 ソウル 서울 naïve café coöperation İstanbul ǅ",
	"students student studies studying studied Students' STUDENT's",
	"a.b 1,000.50 1,000. a:b 1:2 1;2 a;b x_y _ __ _1_ a'b 1'2 a'1 a.1 1.a a..b .5 e.g. 3.5% a1.5 1a.b a_.b\r\n\tz",
	"Bogotá's e.g. niño\u00a0niña l’école \u0301abc a\u0301b 東京 カタカナ straße 1,5€ x\u2028y",
}

// piecesOf maps each byte of s to one of the characters the word boundaries treat apart
// (ASCII ones mostly, which highlighting cuts without the tokenizer, and a few others:
// letters with accents, a combining mark, a right quote, CJK, a no-break space), for the
// fuzzer to explore the texts highlighting reads.
func piecesOf(s string) string {
	pieces := []string{"a", "b", "X", "Y", "0", "1", "_", ".", ":", "'", ",", ";", " ", " ", "\n", "\t", "-", "!", "\"", "%",
		"é", "ñ", "\u0301", "\u2019", "東", "カ", "\u00a0", "ß"}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString(pieces[int(s[i])%len(pieces)])
	}
	return b.String()
}

// Highlighting remembers what the filters made of each word; it must find the same
// terms, positions and offsets as the analyzer, the first time and from memory, for
// every language and for an analyzer whose filters make several tokens of one word.
func TestWordsAsTheAnalyzerMakesThem(t *testing.T) {
	texts := slices.Clone(wordTexts)
	err := fs.WalkDir(corpus.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		data, err := corpus.FS.ReadFile(path)
		texts = append(texts, string(data))
		return err
	})
	if err != nil || len(texts) < len(wordTexts)+30 {
		t.Fatalf("corpus texts: %d, %v", len(texts), err)
	}
	for _, analyzer := range []string{"kb_en", "kb_es", "kb_fr", "kb_pt", "kb_exact", "kb_suggest"} {
		for round := range 2 {
			for _, text := range texts {
				mine, analyzers, err := index.WordsBothWays(analyzer, text)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(mine, analyzers) {
					t.Fatalf("%s, round %d, %.60q:\n%v\nthe analyzer's\n%v", analyzer, round, text, mine, analyzers)
				}
			}
		}
	}
}

func FuzzWordsAsTheAnalyzerMakesThem(f *testing.F) {
	for _, s := range wordTexts {
		f.Add(s, uint8(0))
	}
	analyzers := []string{"kb_en", "kb_es", "kb_fr", "kb_pt", "kb_suggest"}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		analyzer := analyzers[int(which)%len(analyzers)]
		for _, text := range []string{text, piecesOf(text), piecesOf(text)} {
			mine, theirs, err := index.WordsBothWays(analyzer, text)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(mine, theirs) {
				t.Fatalf("%s %q:\n%v\nthe analyzer's\n%v", analyzer, text, mine, theirs)
			}
		}
	})
}
