package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// The pages say counts, numbers and countries in the visitor's language.
func TestPagesWriteNumbersAndCountriesInTheVisitorsLanguage(t *testing.T) {
	base, _ := site(t)
	_, body := get(t, base, "/search?q=Infoplatges&lang=es", nil)
	if !strings.Contains(body, "1 práctica encontrada") {
		t.Errorf("one result in Spanish: %s", regexp.MustCompile(`[0-9]+ prácticas? encontradas?`).FindString(body))
	}
	_, body = get(t, base, "/search?q=wifi&lang=fr", nil)
	text := html.UnescapeString(body)
	if !regexp.MustCompile(`[0-9]+ pratiques trouvées`).MatchString(text) || !strings.Contains(text, ", Mexique ·") || !strings.Contains(text, " Mexique <span class=\"count\">") {
		t.Errorf("French search: counts or countries not in French")
	}
	_, body = get(t, base, "/recommend?country=ES&population=60000&weak_areas=education&lang=es", nil)
	text = html.UnescapeString(body)
	if !strings.Contains(text, "Recomendadas para una ciudad de 60.000 habitantes en España") || !regexp.MustCompile(`ajuste [01],[0-9]{2}`).MatchString(text) {
		t.Errorf("Spanish recommendations: %s", regexp.MustCompile(`Recomendadas[^<]*`).FindString(text))
	}
	// The country choice is named and ordered in the visitor's language.
	_, body = get(t, base, "/submit?lang=pt", nil)
	text = html.UnescapeString(body)
	if !strings.Contains(text, `<option value="ES">Espanha</option>`) || strings.Index(text, ">Espanha<") > strings.Index(text, ">Estados Unidos<") {
		t.Errorf("Portuguese country choice is not in Portuguese order")
	}
}

// Why a hit matched, why a practice is recommended and what the peer cities share are
// said in the visitor's language.
func TestReasonsInTheVisitorsLanguage(t *testing.T) {
	base, _ := site(t)
	_, body := get(t, base, "/search?q=aforo+playas&lang=fr", nil)
	why, _ := find(t, body, "details", "class", "why")
	if !strings.Contains(why, "correspond à") || !strings.Contains(why, "par la notion « foule » (de « aforo »)") || strings.Contains(why, "matched") {
		t.Errorf("why it matched, in French: %q", why)
	}
	_, body = get(t, base, "/recommend?city=Montevideo&weak_areas=education&severity_education=high&lang=pt", nil)
	text := html.UnescapeString(body)
	if !strings.Contains(text, "trata da sua área frágil «Educação e formação» (gravidade: alta)") || strings.Contains(text, "addresses your weak area") {
		t.Errorf("reasons in Portuguese: %s", regexp.MustCompile(`<ul class="reasons"[^\n]*`).FindString(text))
	}
	if peers, _ := find(t, body, "ul", "class", "peers"); peers == "" || strings.Contains(peers, "same region") || strings.Contains(peers, "similar size") {
		t.Errorf("peer cities in Portuguese: %q", peers)
	}
}
