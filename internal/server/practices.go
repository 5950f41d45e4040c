package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
)

func registerPractices(api *gin.RouterGroup, svc *app.App, expensive gin.HandlerFunc) {
	registerVersions(api, svc)
	api.GET("/practices/:id", func(c *gin.Context) {
		if _, err := queryParams(c); err != nil {
			writeError(c, err)
			return
		}
		// A merged practice answers with a permanent redirect to the one it became.
		if to, ok := svc.Redirect(c.Param("id")); ok {
			c.Redirect(http.StatusMovedPermanently, "/api/v1/practices/"+to)
			return
		}
		p, err := svc.Practice(c.Request.Context(), c.Param("id"))
		respond(c, http.StatusOK, p, err)
	})
	api.GET("/practices/:id/similar", expensive, func(c *gin.Context) {
		vals, err := queryParams(c, "limit")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		limit := intParamIn(vals, "limit", index.DefaultSimilar, 1, index.MaxSimilar, fields)
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("the request is not valid", fields))
			return
		}
		res, err := svc.Similar(c.Request.Context(), c.Param("id"), limit)
		if err != nil {
			writeError(c, err)
			return
		}
		inReadersLanguage(c, res.Similar)
		c.JSON(http.StatusOK, res)
	})
}
