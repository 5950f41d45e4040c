package asking

import (
	"maps"
	"reflect"
	"slices"
	"testing"
)

// Asking phrases are found in each language, accents and case aside; a word also used
// outside a phrase is not among those only the phrases hold.
func TestFindAskingPhrases(t *testing.T) {
	for _, lang := range []string{"en", "es", "fr", "pt"} {
		if len(patterns[lang]) == 0 || askers[lang] == "" {
			t.Errorf("no asking phrases for %s", lang)
		}
	}
	for _, c := range []struct {
		lang, q string
		asked   []string
		only    []string
	}{
		{"en", "How can we keep older people in touch during a lockdown?", []string{"how can we"}, []string{"can", "how", "we"}},
		{"en", "what can a city do to help students without internet", []string{"what can a city do to"}, []string{"a", "can", "city", "do", "to", "what"}},
		{"en", "is there a way to count trees", []string{"is there a way to"}, []string{"a", "is", "there", "to", "way"}},
		{"en", "beaches full every morning: what have other cities done?", []string{"what have other cities done"}, []string{"cities", "done", "have", "other", "what"}},
		{"es", "¿Cómo podemos ayudar a las familias?", []string{"cómo podemos"}, []string{"como", "podemos"}},
		{"es", "que puede hacer el ayuntamiento para reducir colas", []string{"que puede hacer el ayuntamiento para"}, []string{"ayuntamiento", "el", "hacer", "para", "puede", "que"}},
		{"fr", "Comment pouvons-nous soutenir les agents ?", []string{"comment pouvons nous"}, []string{"comment", "nous", "pouvons"}},
		{"fr", "que peut faire une mairie pour les commerçants", []string{"que peut faire une mairie pour"}, []string{"faire", "mairie", "peut", "pour", "que", "une"}},
		{"pt", "como podemos evitar aglomerações", []string{"como podemos"}, []string{"como", "podemos"}},
		{"pt", "o que a prefeitura pode fazer para os idosos", []string{"o que a prefeitura pode fazer para"}, []string{"a", "fazer", "o", "para", "pode", "prefeitura", "que"}},
		// The language not known: every language's phrases are looked for.
		{"", "comment savoir quelles aides", []string{"comment savoir"}, []string{"comment", "savoir"}},
		// A language's phrases only: French asking is not English asking.
		{"en", "comment savoir quelles aides", nil, nil},
		// Words also used outside the phrase are not only the phrase's.
		{"en", "how can we help people who can not travel", []string{"how can we help"}, []string{"help", "how", "we"}},
		// Nothing but asking: every word is the phrase's.
		{"en", "how can we?", []string{"how can we"}, []string{"can", "how", "we"}},
		{"en", "help local shops with discounts", nil, nil},
		{"de", "how can we help", nil, nil},
	} {
		asked, only := Find(c.lang, c.q)
		if got := slices.Sorted(maps.Keys(only)); !reflect.DeepEqual(asked, c.asked) || !slices.Equal(got, c.only) {
			t.Errorf("%s %q: asked %q, only %q; want %q, %q", c.lang, c.q, asked, got, c.asked, c.only)
		}
	}
}

func TestPatternsCompile(t *testing.T) {
	parts := compilePattern("how (can|could) (we|a city)? do (to)?")
	if len(parts) != 5 || !parts[2].optional || parts[1].optional || len(parts[2].alts) != 2 || !reflect.DeepEqual(parts[2].alts[1], []string{"a", "city"}) {
		t.Fatalf("parts %+v", parts)
	}
	if end := longestMatch(parts, folded(words("How could a city do")), 0); end != 5 {
		t.Errorf("matched to %d, want 5", end)
	}
	if end := longestMatch(parts, folded(words("how could")), 0); end != -1 {
		t.Errorf("an incomplete phrase matched to %d", end)
	}
}
