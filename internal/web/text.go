package web

import (
	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// TextOriginal is the value of ?text= that shows a practice's original text rather than
// its translation into the reader's language.
const TextOriginal = "original"

// textLanguages are the languages a practice's text may be read in: the interface's and
// Portuguese, which has translations but no interface catalogue yet.
var textLanguages = []string{"en", "es", "fr", "pt"}

var textMatcher = language.NewMatcher([]language.Tag{language.English, language.Spanish, language.French, language.Portuguese})

// readerLanguage is the language the reader reads a practice's text in: the interface
// language they chose (?lang= or its cookie), else the best of Accept-Language among the
// languages of the texts, so that a Portuguese reader gets the Portuguese text with the
// interface in another language.
func readerLanguage(c *gin.Context, ui string) string {
	if isLanguage(c.Query("lang")) {
		return ui
	}
	if l, err := c.Cookie(langCookie); err == nil && isLanguage(l) {
		return ui
	}
	tags, _, _ := language.ParseAcceptLanguage(c.GetHeader("Accept-Language"))
	if _, i, conf := textMatcher.Match(tags...); conf != language.No {
		return textLanguages[i]
	}
	return ui
}

// translationIn returns the practice's translation into lang, if it has one and its
// original is in another language.
func translationIn(p *practices.Practice, lang string) *practices.Translation {
	if lang == p.Language() {
		return nil
	}
	for i := range p.Translations {
		if t := &p.Translations[i]; t.Language == lang && t.Title != "" {
			return t
		}
	}
	return nil
}

// practiceText is the text a practice page shows: its translation into the reader's
// language when there is one (unless the original was asked for), else the original.
type practiceText struct {
	Lang                  string
	Title, Summary, Body  string
	Results               []string
	Original              string // the original's language
	Translation           *practices.Translation
	OriginalURL, TransURL string
	OfferedTranslation    *practices.Translation // on the original, the reader's translation
}

func textOf(c *gin.Context, p *practices.Practice, ui string) practiceText {
	reader := readerLanguage(c, ui)
	self := "/practices/" + p.ID
	out := practiceText{Lang: p.Language(), Title: p.Title, Summary: p.Summary, Body: p.Body, Results: p.Results, Original: p.Language()}
	t := translationIn(p, reader)
	if t == nil {
		return out
	}
	if c.Query("text") == TextOriginal {
		out.OfferedTranslation, out.TransURL = t, self
		return out
	}
	out.Lang, out.Title, out.Summary, out.Body, out.Translation = t.Language, t.Title, t.Summary, t.Body, t
	out.OriginalURL = self + "?text=" + TextOriginal
	if len(t.Results) == len(p.Results) {
		out.Results = t.Results
	}
	return out
}
