package server

import (
	"github.com/gin-gonic/gin"

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

// apiCatalog is the language of the answer and the catalogues to say it with.
func apiCatalog(c *gin.Context) (string, *i18n.Catalog, error) {
	cat, err := i18n.Embedded()
	return apiLanguage(c), cat, err
}
