package web

import (
	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// TextOriginal is the value of ?text= that shows a practice's original text rather than
// its translation into the reader's language.
const TextOriginal = "original"

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

// textOf reads the practice in the interface's language: every language a practice is
// translated into is one of the interface's.
func textOf(c *gin.Context, p *practices.Practice, reader string) practiceText {
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
