package i18n_test

import (
	"encoding/json"
	"fmt"
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

// golang.org/x/text formats no dates, so each language's long date is a pattern and
// month names of its catalogue (formats.json): they write every month as CLDR's long
// date format of the language does (CLDR, gregorian calendar, dateFormatLength "long": en-001
// "d MMMM y", es and pt "d 'de' MMMM 'de' y", fr "d MMMM y"), with its wide month names
// in the format context, typed here from CLDR. French writes the first of the month
// "1er", as French typography does, where CLDR has no ordinal.
func TestDatesAsCLDRWritesThem(t *testing.T) {
	cat, err := i18n.LoadCatalog(frontend.FS)
	if err != nil {
		t.Fatal(err)
	}
	months := map[string][]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		"pt": {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	}
	long := map[string]string{"en": "%d %s %d", "es": "%d de %s de %d", "fr": "%d %s %d", "pt": "%d de %s de %d"}
	for _, l := range i18n.Languages {
		for m, name := range months[l.Code] {
			for _, day := range []int{12, 28} {
				at := time.Date(2026, time.Month(m+1), day, 0, 0, 0, 0, time.UTC)
				if got, want := cat.Date(l.Code, at), fmt.Sprintf(long[l.Code], day, name, 2026); got != want {
					t.Errorf("%s: %q, CLDR writes %q", l.Code, got, want)
				}
			}
		}
	}
	first := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "1 December 2026", "es": "1 de diciembre de 2026", "fr": "1er décembre 2026", "pt": "1 de dezembro de 2026"} {
		if got := cat.Date(lang, first); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := cat.Date("es", time.Date(12026, 1, 2, 0, 0, 0, 0, time.UTC)); got != "2 de enero de 12026" { // a year is never grouped
		t.Errorf("a year: %q", got)
	}
}
