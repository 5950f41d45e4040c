package server

import (
	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// respond renders v with a status, or the error.
func respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(status, v)
}

// actor names the principal of a request in the audit log.
func actor(c *gin.Context) string {
	if p := principal(c); p != nil {
		return p.Email
	}
	return "anonymous"
}

// apiLanguage is the language an API answer says its sentences in: ?lang=, else the best
// of Accept-Language among the interface's, else English. The answer varies with it.
func apiLanguage(c *gin.Context) string {
	c.Writer.Header().Add("Vary", "Accept-Language")
	if l := c.Query("lang"); i18n.IsLanguage(l) {
		return l
	}
	return i18n.Accepted(c.GetHeader("Accept-Language"))
}

// readerLanguage is the language a reader asked to read texts in, with ?lang= or
// Accept-Language; asked is false when they asked for none, and the texts are then the
// originals.
func readerLanguage(c *gin.Context) (lang string, asked bool) {
	lang = apiLanguage(c)
	return lang, i18n.IsLanguage(c.Query("lang")) || c.GetHeader("Accept-Language") != ""
}

// inReadersLanguage gives each hit in the language its reader asked for, when the
// practice has a translation into it.
func inReadersLanguage(c *gin.Context, hits []app.SearchHit) {
	if lang, asked := readerLanguage(c); asked {
		for i := range hits {
			hits[i] = hits[i].In(lang)
		}
	}
}

// apiCatalog is the language of the answer and the catalogues to say it with.
func apiCatalog(c *gin.Context) (string, *i18n.Catalog, error) {
	cat, err := i18n.Embedded()
	return apiLanguage(c), cat, err
}
