package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/review"
)

func registerReview(api *gin.RouterGroup, svc *review.Service, expensive gin.HandlerFunc) {
	g := api.Group("/review", requireRole(auth.RoleCoordinator))
	g.GET("/submissions", func(c *gin.Context) {
		vals, err := queryParams(c, "status", "session", "area", "older_than_days")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		days := intParamIn(vals, "older_than_days", 0, 0, 36500, fields) // a century: days × 24 h stays in a Duration
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("the request is not valid", fields))
			return
		}
		q := review.Queue{Status: vals.Get("status"), SessionID: vals.Get("session"), Area: vals.Get("area"), OlderThan: time.Duration(days) * 24 * time.Hour}
		subs, err := svc.List(c.Request.Context(), q)
		respond(c, http.StatusOK, gin.H{"submissions": subs}, err)
	})
	g.POST("/submissions/:id/decision", func(c *gin.Context) {
		var d review.Decision
		if err := bindJSON(c, &d); err != nil {
			writeError(c, err)
			return
		}
		r, err := svc.Decide(c.Request.Context(), c.Param("id"), principal(c), d)
		respond(c, http.StatusOK, r, err)
	})
	g.POST("/submissions/:id/assist", expensive, func(c *gin.Context) {
		sub, err := svc.Assist(c.Request.Context(), c.Param("id"), principal(c))
		respond(c, http.StatusOK, sub, err)
	})
}
