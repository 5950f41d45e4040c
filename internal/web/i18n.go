package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Languages of the interface.
var Languages = i18n.Languages

const langCookie = "kb_lang"

// countries lists the countries with their names in lang, in lang's alphabetical order.
func countries(cat *i18n.Catalog, lang string, all []practices.Country) []practices.Country {
	out := make([]practices.Country, len(all))
	for i, x := range all {
		if n := cat.Country(lang, x.Code); n != "" {
			x.Name = n
		}
		out[i] = x
	}
	col := collate.New(language.MustParse(lang))
	slices.SortFunc(out, func(a, b practices.Country) int { return col.CompareString(a.Name, b.Name) })
	return out
}

// negotiate picks the interface language: ?lang= (remembered in a cookie), then the
// cookie, then the browser's Accept-Language.
func negotiate(c *gin.Context) string {
	if l := c.Query("lang"); i18n.IsLanguage(l) {
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if l, err := c.Cookie(langCookie); err == nil && i18n.IsLanguage(l) {
		return l
	}
	return i18n.Accepted(c.GetHeader("Accept-Language"))
}

// langLink is one entry of the language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// langLinks builds the language switch for the current page.
func langLinks(c *gin.Context, current string) []langLink {
	var out []langLink
	for _, l := range Languages {
		q := url.Values{}
		for k, v := range c.Request.URL.Query() {
			if k != "lang" {
				q[k] = v
			}
		}
		q.Set("lang", l.Code)
		out = append(out, langLink{Code: l.Code, Name: l.Name, URL: c.Request.URL.Path + "?" + q.Encode(), Current: l.Code == current})
	}
	return out
}
