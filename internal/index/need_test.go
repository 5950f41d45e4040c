package index

import (
	"reflect"
	"testing"
)

// Asking phrases are set aside in each language, accents and case aside; the words
// that say what is asked stay, and a query that is nothing but asking stays whole.
func TestAskingPhrasesAreSetAside(t *testing.T) {
	for _, lang := range Languages {
		if len(askingPatterns[lang]) == 0 || askers[lang] == "" {
			t.Errorf("no asking phrases for %s", lang)
		}
	}
	for _, c := range []struct {
		lang, q string
		asked   []string
		kept    []string
	}{
		{"en", "How can we keep older people in touch during a lockdown?", []string{"how can we"}, []string{"keep", "older", "people", "in", "touch", "during", "a", "lockdown"}},
		{"en", "what can a city do to help students without internet", []string{"what can a city do to"}, []string{"help", "students", "without", "internet"}},
		{"en", "is there a way to count trees", []string{"is there a way to"}, []string{"count", "trees"}},
		{"en", "beaches full every morning: what have other cities done?", []string{"what have other cities done"}, []string{"beaches", "full", "every", "morning"}},
		{"es", "¿Cómo podemos ayudar a las familias?", []string{"cómo podemos"}, []string{"ayudar", "a", "las", "familias"}},
		{"es", "que puede hacer el ayuntamiento para reducir colas", []string{"que puede hacer el ayuntamiento para"}, []string{"reducir", "colas"}},
		{"fr", "Comment pouvons-nous soutenir les agents ?", []string{"comment pouvons nous"}, []string{"soutenir", "les", "agents"}},
		{"fr", "que peut faire une mairie pour les commerçants", []string{"que peut faire une mairie pour"}, []string{"les", "commerçants"}},
		{"pt", "como podemos evitar aglomerações", []string{"como podemos"}, []string{"evitar", "aglomerações"}},
		{"pt", "o que a prefeitura pode fazer para os idosos", []string{"o que a prefeitura pode fazer para"}, []string{"os", "idosos"}},
		// The language not known: every language's phrases are looked for.
		{"", "comment savoir quelles aides", []string{"comment savoir"}, []string{"quelles", "aides"}},
		// Words also used outside the phrase stay.
		{"en", "how can we help people who can not travel", []string{"how can we help"}, []string{"can", "people", "who", "not", "travel"}},
		// Nothing but asking: left whole.
		{"en", "how can we?", nil, []string{"how", "can", "we"}},
		{"en", "help local shops with discounts", nil, []string{"help", "local", "shops", "with", "discounts"}},
	} {
		pq, asked := withoutAsking(c.lang, c.q, parseQuery(c.q))
		if !reflect.DeepEqual(asked, c.asked) || !reflect.DeepEqual(pq.words, c.kept) {
			t.Errorf("%s %q: asked %q, kept %q; want %q, %q", c.lang, c.q, asked, pq.words, c.asked, c.kept)
		}
	}
}

func TestPatternsCompile(t *testing.T) {
	parts := compilePattern("how (can|could) (we|a city)? do (to)?")
	if len(parts) != 5 || !parts[2].optional || parts[1].optional || len(parts[2].alts) != 2 || !reflect.DeepEqual(parts[2].alts[1], []string{"a", "city"}) {
		t.Fatalf("parts %+v", parts)
	}
	toks := foldedWords("How could a city do")
	if end := longestMatch(parts, toks, 0); end != 5 {
		t.Errorf("matched to %d, want 5", end)
	}
	if end := longestMatch(parts, foldedWords("how could"), 0); end != -1 {
		t.Errorf("an incomplete phrase matched to %d", end)
	}
}
