package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/assess"
	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// registerAssessments adds self-assessments; linkBase, when set, is the base URL of the
// pages that open a saved one (BASE/assess/).
func registerAssessments(api *gin.RouterGroup, svc *app.App, expensive gin.HandlerFunc, linkBase string) {
	api.POST("/assessments", expensive, func(c *gin.Context) {
		var in assess.Answers
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		res, err := svc.Assess(c.Request.Context(), in)
		if err != nil {
			writeError(c, err)
			return
		}
		say(c, res)
		status := http.StatusOK
		if res.Token != "" {
			status = http.StatusCreated
			if linkBase != "" {
				res.Link = linkBase + res.Token
			}
		}
		c.JSON(status, res)
	})
	// A saved one, by its link's token in a header: a path would put it in logs.
	api.GET("/assessments/saved", expensive, func(c *gin.Context) {
		token := c.GetHeader("X-Assessment-Token")
		if token == "" {
			writeError(c, apperr.InvalidFields("no link token", map[string]string{"X-Assessment-Token": "is required: the token of the private link"}))
			return
		}
		res, err := svc.SavedAssessment(c.Request.Context(), token)
		if err == nil {
			say(c, res)
		}
		respond(c, http.StatusOK, res, err)
	})
}

// say writes the reasons in the request's language, as the recommendations do.
func say(c *gin.Context, res *assess.Result) {
	if cat, err := i18n.Embedded(); err == nil {
		res.SayIn(cat, apiLanguage(c))
	}
}
