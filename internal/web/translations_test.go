package web_test

import (
	"html"
	"strings"
	"testing"
)

// The practice page shows the reader's language when the case is translated into it, says
// it is the team's translation, not yet checked by the network, names the original's
// language and links to it.
func TestPracticePageInTheReadersLanguage(t *testing.T) {
	base, _ := site(t)
	const path = "/practices/barcelona-3d-printed-ppe"
	cases := []struct {
		accept, ui, text, title, notice, result string
	}{
		{"es-ES,es;q=0.9", "es", "es", "Fabricación de equipos de protección individual (PPE)", "Esta es una traducción del equipo de la base de conocimiento, aún no revisada por la red. El original está en inglés.", "más de 24.000"},
		{"fr-FR", "fr", "fr", "", "Ceci est une traduction de l'équipe de la base de connaissances, pas encore vérifiée par le réseau. L'original est en anglais.", "24 000"},
		{"pt-BR,pt;q=0.9", "pt", "pt", "", "Esta é uma tradução da equipe da base de conhecimento, ainda não revisada pela rede. O original está em inglês.", "mais de 24.000 materiais produzidos"},
	}
	for _, tc := range cases {
		_, body := get(t, base, path, map[string]string{"Accept-Language": tc.accept})
		text := html.UnescapeString(body)
		if !strings.Contains(body, `<html lang="`+tc.ui+`">`) || !strings.Contains(body, `<article class="practice" lang="`+tc.text+`">`) {
			t.Errorf("%s: not an interface in %s with the text in %s", tc.accept, tc.ui, tc.text)
		}
		if tc.title != "" && !strings.Contains(text, "<h1>"+tc.title) {
			t.Errorf("%s: the translated title is not the heading", tc.accept)
		}
		if !strings.Contains(strings.Join(strings.Fields(text), " "), tc.notice) {
			t.Errorf("%s: no notice %q", tc.accept, tc.notice)
		}
		if !strings.Contains(text, tc.result) {
			t.Errorf("%s: the translated results (%q) are not shown", tc.accept, tc.result)
		}
		if !strings.Contains(body, `href="`+path+`?text=original" hreflang="en"`) {
			t.Errorf("%s: no link to the original", tc.accept)
		}
		if strings.Contains(text, "<h1>Manufacture of personal protective") {
			t.Errorf("%s: the English title is the heading", tc.accept)
		}
	}
	// The original, asked for: in English, saying so, with a link back to the translation.
	_, body := get(t, base, path+"?text=original", map[string]string{"Accept-Language": "es"})
	if !strings.Contains(body, `<html lang="es">`) || !strings.Contains(body, `<article class="practice" lang="en">`) ||
		!strings.Contains(html.UnescapeString(body), "Está leyendo el texto original, en inglés.") || !strings.Contains(body, `href="`+path+`" hreflang="es"`) {
		t.Errorf("the original asked for by a Spanish reader:\n%s", body)
	}
	// An English reader gets the original, without a notice.
	_, body = get(t, base, path, map[string]string{"Accept-Language": "en"})
	if !strings.Contains(body, `<article class="practice" lang="en">`) || strings.Contains(body, `class="notice translated"`) || strings.Contains(body, "Fabricación de equipos") {
		t.Errorf("the English page shows a translation")
	}
}

// A Spanish search shows each card's Spanish title and a Spanish snippet.
func TestSearchCardsInTheReadersLanguage(t *testing.T) {
	base, _ := site(t)
	_, body := get(t, base, "/search?q=wifi", map[string]string{"Accept-Language": "es"})
	text := html.UnescapeString(body)
	if !strings.Contains(text, `<h3 lang="es"><a href="/practices/montevideo-wifi-abc">Despliegue de conectividad en varias zonas de la ciudad (wifi ABC)</a></h3>`) {
		t.Fatalf("no Spanish title on the card:\n%s", body)
	}
	if strings.Contains(text, "Deployment of connectivity in various regions") || !strings.Contains(body, `<p class="snippet" lang="es">`) {
		t.Errorf("the card shows English or no Spanish snippet")
	}
	_, body = get(t, base, "/search?q=wifi", map[string]string{"Accept-Language": "en"})
	if !strings.Contains(html.UnescapeString(body), "Deployment of connectivity in various regions of the city") {
		t.Errorf("an English reader does not get the English title")
	}
}
