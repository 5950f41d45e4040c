package i18n_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/frontend"
	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// Counts take the plural form each language's rules ask for, numbers its digit grouping
// and decimal mark, dates its words and order, and the study's countries their names.
func TestCatalogueWritesAsEachLanguageDoes(t *testing.T) {
	cat, err := i18n.LoadCatalog(frontend.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "search.count", []any{1}, "1 practice found"},
		{"en", "search.count", []any{2}, "2 practices found"},
		{"en", "search.count", []any{0}, "0 practices found"},
		{"es", "search.count", []any{1}, "1 práctica encontrada"},
		{"es", "search.count", []any{0}, "0 prácticas encontradas"},
		{"fr", "search.count", []any{0}, "0 pratique trouvée"}, // French counts nought as one
		{"fr", "search.count", []any{1}, "1 pratique trouvée"},
		{"fr", "search.count", []any{2}, "2 pratiques trouvées"},
		{"pt", "search.count", []any{1}, "1 prática encontrada"},
		{"pt", "search.count", []any{3}, "3 práticas encontradas"},
		{"en", "remove.confirm", []any{"metropolis", 1}, "Remove metropolis and its 1 practice"},
		{"es", "remove.confirm", []any{"metropolis", 2}, "Quitar metropolis y sus 2 prácticas"},
		{"en", "rec.results", []any{60000, "Spain"}, "Recommended for a city of 60,000 inhabitants in Spain"},
		{"es", "rec.results", []any{60000, "España"}, "Recomendadas para una ciudad de 60.000 habitantes en España"},
		{"fr", "rec.results", []any{60000, "Espagne"}, "Recommandées pour une ville de 60\u00a0000 habitants en Espagne"},
		{"pt", "rec.results", []any{60000, "Espanha"}, "Recomendadas para uma cidade de 60.000 habitantes em Espanha"},
		{"en", "rec.score", []any{0.62}, "fit 0.62"},
		{"es", "rec.score", []any{0.62}, "ajuste 0,62"},
		{"fr", "rec.score", []any{0.62}, "adéquation 0,62"},
		{"pt", "rec.score", []any{0.62}, "adequação 0,62"},
	} {
		if got := cat.T(tc.lang, tc.key, tc.args...); got != tc.want {
			t.Errorf("%s %s %v: %q, want %q", tc.lang, tc.key, tc.args, got, tc.want)
		}
	}
	day := time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "1 March 2026, 09:05", "es": "1 de marzo de 2026, 09:05", "fr": "1er mars 2026 à 09:05", "pt": "1 de março de 2026, 09:05"} {
		if got := cat.DateTime(lang, day); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := cat.Date("fr", day.AddDate(0, 0, 11)); got != "12 mars 2026" {
		t.Errorf("fr: %q", got)
	}
	// The countries of the study's cities, in each language.
	want := map[string]string{
		"en": "Argentina Brazil China Colombia Spain Finland Iran Japan Mexico Uruguay",
		"es": "Argentina Brasil China Colombia España Finlandia Irán Japón México Uruguay",
		"fr": "Argentine Brésil Chine Colombie Espagne Finlande Iran Japon Mexique Uruguay",
		"pt": "Argentina Brasil China Colômbia Espanha Finlândia Irã Japão México Uruguai",
	}
	for lang, names := range want {
		var got []string
		for _, code := range strings.Fields("AR BR CN CO ES FI IR JP MX UY") {
			got = append(got, cat.Country(lang, code))
		}
		if strings.Join(got, " ") != names {
			t.Errorf("%s: %s", lang, strings.Join(got, " "))
		}
	}
	if cat.Country("es", "ZZ") != "" || cat.Country("es", "xx") != "" {
		t.Error("a code that names no country has a name")
	}
}

// A sentence stored as JSON says its numbers as it did before: a whole number is read
// back as the int %d takes, not JSON's float64.
func TestASentenceReadBackSaysItsNumbers(t *testing.T) {
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	said := i18n.Say("peers.reason.words", i18n.Value(62))
	data, _ := json.Marshal(said)
	var back i18n.Text
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got, want := cat.Say("fr", back), cat.Say("fr", said); got != want || strings.Contains(got, "float") {
		t.Errorf("read back: %q, want %q", got, want)
	}
	if v, _ := i18n.DecodeValue([]byte("0.5")); v != 0.5 {
		t.Errorf("0.5 read as %v", v)
	}
}
