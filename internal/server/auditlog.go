package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/review"
)

const (
	defaultPage = 50
	maxPage     = 500
)

// registerAuditLog adds the audit log and the notification outbox, for coordinators.
func registerAuditLog(api *gin.RouterGroup, svc *app.App, rev *review.Service) {
	coord := requireRole(auth.RoleCoordinator)
	api.GET("/audit", coord, func(c *gin.Context) {
		vals, err := queryParams(c, "limit", "before", "target")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		q := audit.Query{Limit: pageLimit(intParamOr(vals, "limit", defaultPage, fields), fields), Before: uint64(max(0, intParam(vals, "before", fields))), Target: vals.Get("target")}
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("the request is not valid", fields))
			return
		}
		es, err := svc.Audit(c.Request.Context(), q)
		respond(c, http.StatusOK, gin.H{"entries": es}, err)
	})
	api.GET("/outbox", coord, func(c *gin.Context) {
		vals, err := queryParams(c, "limit")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		n := pageLimit(intParamOr(vals, "limit", defaultPage, fields), fields)
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("the request is not valid", fields))
			return
		}
		ns, err := rev.Outbox(c.Request.Context(), n)
		respond(c, http.StatusOK, gin.H{"notifications": ns}, err)
	})
}

// pageLimit checks a page size.
func pageLimit(n int, fields map[string]string) int {
	if n < 1 || n > maxPage {
		fields["limit"] = "must be between 1 and 500"
	}
	return n
}
