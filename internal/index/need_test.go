package index

import (
	"reflect"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/index/schema"
)

// The asking phrases are set aside in every language the index reads; the words that say
// what is asked stay, also those used inside a phrase, and a query that is nothing but
// asking stays whole.
func TestAskingPhrasesAreSetAside(t *testing.T) {
	cases := []struct {
		lang, q string
		asked   []string
		kept    []string
	}{
		{"en", "How can we keep older people in touch during a lockdown?", []string{"how can we"}, []string{"keep", "older", "people", "in", "touch", "during", "a", "lockdown"}},
		{"es", "que puede hacer el ayuntamiento para reducir colas", []string{"que puede hacer el ayuntamiento para"}, []string{"reducir", "colas"}},
		{"fr", "Comment pouvons-nous soutenir les agents ?", []string{"comment pouvons nous"}, []string{"soutenir", "les", "agents"}},
		{"pt", "o que a prefeitura pode fazer para os idosos", []string{"o que a prefeitura pode fazer para"}, []string{"os", "idosos"}},
		{"", "comment savoir quelles aides", []string{"comment savoir"}, []string{"quelles", "aides"}},
		{"en", "how can we help people who can not travel", []string{"how can we help"}, []string{"can", "people", "who", "not", "travel"}},
		{"en", "how can we?", nil, []string{"how", "can", "we"}},
		{"en", "help local shops with discounts", nil, []string{"help", "local", "shops", "with", "discounts"}},
	}
	questions := map[string]bool{}
	for _, c := range cases {
		pq, asked := withoutAsking(c.lang, c.q, parseQuery(c.q))
		if !reflect.DeepEqual(asked, c.asked) || !reflect.DeepEqual(pq.words, c.kept) {
			t.Errorf("%s %q: asked %q, kept %q; want %q, %q", c.lang, c.q, asked, pq.words, c.asked, c.kept)
		}
		questions[c.lang] = questions[c.lang] || c.asked != nil
	}
	for _, lang := range schema.Languages {
		if !questions[lang] {
			t.Errorf("no question in %s: give it asking phrases (internal/asking) and a case here", lang)
		}
	}
}
