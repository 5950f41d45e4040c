package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A city officer in Spanish, and one in Portuguese, search in their language, read a
// practice, get recommendations, submit a case with a mistake and track it: every page in
// their language, checked for accessibility and at 360 px.
func TestBrowserJourneysInSpanishAndPortuguese(t *testing.T) {
	t.Parallel() // a tab of its own in the shared browser, a site of its own
	base, _ := site(t)
	ctx := browser(t)
	for _, j := range []struct {
		lang, query    string
		beaches        []string // the translated titles of the two beach practices
		practiceNotice string
		reason         string
		heading        string
		badEmail       string // in the example address the error gives
		status         string
	}{
		{"es", "control de aforo en playas",
			[]string{"Control del aforo con técnicas de inteligencia artificial", "Sistema de información sobre el nivel de ocupación de las playas"},
			"traducción del equipo de la base de conocimiento", "aborda su área débil «Educación y formación» (gravedad: alta)",
			"Recomendadas para una ciudad de 55.000 habitantes en Argentina", "nombre@", "enviado, pendiente de revisión"},
		{"pt", "lotação das praias",
			[]string{"Controle de lotação com técnicas de inteligência artificial", "Sistema de informação sobre o nível de ocupação das praias"},
			"tradução da equipe da base de conhecimento", "trata da sua área frágil «Educação e formação» (gravidade: alta)",
			"Recomendadas para uma cidade de 55.000 habitantes em Argentina", "nome@", "enviado, à espera de revisão"},
	} {
		name := func(page string) string { return page + "-" + j.lang }
		run(t, ctx, chromedp.Navigate(base+"/?lang="+j.lang), chromedp.WaitVisible(chromedp.CSS("h1")))
		if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != j.lang {
			t.Errorf("%s: page language %q", j.lang, lang)
		}

		// Search in one's language: the beach practices first, in it, with reasons in it.
		run(t, ctx, chromedp.SendKeys(chromedp.CSS("#q"), j.query), chromedp.Submit(chromedp.CSS("#q")), chromedp.WaitVisible(chromedp.CSS(".hit")))
		if first := text(t, ctx, ".hit h3"); !slices.Contains(j.beaches, first) {
			t.Errorf("%s: first hit %q", j.lang, first)
		}
		if lang := eval[string](t, ctx, `document.querySelector(".hit h3").lang`); lang != j.lang {
			t.Errorf("%s: the first card is in %q", j.lang, lang)
		}
		if why := eval[string](t, ctx, `document.querySelector(".hit details.why").textContent`); strings.Contains(why, "matched") {
			t.Errorf("%s: why it matched, in English: %q", j.lang, why)
		}
		inspect(t, ctx, name("search"))

		// The practice, translated, saying whose translation it is.
		run(t, ctx, chromedp.Click(chromedp.CSS(".hit h3 a")), chromedp.WaitVisible(chromedp.CSS("article.practice")))
		if h1 := text(t, ctx, "h1"); !slices.Contains(j.beaches, h1) {
			t.Errorf("%s: practice heading %q", j.lang, h1)
		}
		if notice := eval[string](t, ctx, `document.body.textContent`); !strings.Contains(notice, j.practiceNotice) {
			t.Errorf("%s: no notice of the team's translation", j.lang)
		}
		inspect(t, ctx, name("practice"))

		// Recommendations, with numbers and countries as the language writes them.
		run(t, ctx, chromedp.Navigate(base+"/recommend"), chromedp.WaitVisible(chromedp.CSS("form.recform")),
			chromedp.SetValue(chromedp.CSS("#country"), "AR"), chromedp.SendKeys(chromedp.CSS("#population"), "55000"),
			chromedp.Click(chromedp.CSS(`input[name="weak_areas"][value="education"]`)), chromedp.SetValue(chromedp.CSS("#sev-education"), "high"),
			chromedp.Submit(chromedp.CSS("#population")), chromedp.WaitVisible(chromedp.CSS("#recommendations")))
		if h := text(t, ctx, "#recs-h"); h != j.heading {
			t.Errorf("%s: recommendations heading %q", j.lang, h)
		}
		if reasons := text(t, ctx, "#recommendations .reasons"); !strings.Contains(reasons, j.reason) {
			t.Errorf("%s: reasons %q", j.lang, reasons)
		}
		inspect(t, ctx, name("recommend"))

		// A case with a mistake comes back with it said in the language, then goes.
		run(t, ctx, chromedp.Navigate(base+"/submit"), chromedp.WaitVisible(chromedp.CSS("form.submitform")),
			chromedp.SendKeys(chromedp.CSS("#title"), "Clases por la radio municipal"),
			chromedp.SetValue(chromedp.CSS("#summary"), "La ciudad emitió clases escolares por la radio municipal."),
			chromedp.SetValue(chromedp.CSS("#city"), "Villa Gesell"), chromedp.SetValue(chromedp.CSS("#country"), "AR"),
			chromedp.Click(chromedp.CSS(`input[name="areas"][value="education"]`)),
			chromedp.SetValue(chromedp.CSS("#body"), "## Qué se hizo\nClases por la radio cada mañana."),
			chromedp.SetValue(chromedp.CSS("#contact_name"), "Rosa Pérez"),
			chromedp.SendKeys(chromedp.CSS("#contact_email"), "no es un correo"),
			chromedp.Click(chromedp.CSS(`input[name="consent"]`)),
			chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".errorsummary")))
		if e := text(t, ctx, "#err-contact_email"); !strings.Contains(e, j.badEmail) {
			t.Errorf("%s: the error beside the email %q", j.lang, e)
		}
		inspect(t, ctx, name("submit-errors"))
		run(t, ctx, chromedp.SetValue(chromedp.CSS("#contact_email"), "rosa@example.org"),
			chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#tracking-link")))
		trackURL := text(t, ctx, "#tracking-link")

		// Its tracking page.
		run(t, ctx, chromedp.Navigate(trackURL), chromedp.WaitVisible(chromedp.CSS("#status")))
		if st := text(t, ctx, "#status"); st != j.status {
			t.Errorf("%s: tracking status %q", j.lang, st)
		}
		inspect(t, ctx, name("track"))
	}
	if opened := dialogsOf(t); len(opened) > 0 {
		t.Errorf("dialogs opened: %v", opened)
	}
}
