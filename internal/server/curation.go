package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// registerCuration adds the coordinators' changes to published practices, and the
// public version history.
func registerCuration(api *gin.RouterGroup, svc *review.Service) {
	coord := requireRole(auth.RoleCoordinator)
	api.PUT("/practices/:id", coord, func(c *gin.Context) {
		var p practices.Practice
		if err := bindJSON(c, &p); err != nil {
			writeError(c, err)
			return
		}
		out, err := svc.Edit(c.Request.Context(), actor(c), c.Param("id"), p)
		respond(c, http.StatusOK, out, err)
	})
	// An admin puts any practice right, harvested or not, origin and all.
	api.POST("/practices/:id/repair", requireRole(auth.RoleAdmin), func(c *gin.Context) {
		var p practices.Practice
		if err := bindJSON(c, &p); err != nil {
			writeError(c, err)
			return
		}
		out, err := svc.Repair(c, actor(c), c.Param("id"), p)
		respond(c, http.StatusOK, out, err)
	})
	api.POST("/practices/:id/revert", coord, func(c *gin.Context) {
		var in struct {
			Version int `json:"version"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		out, err := svc.Revert(c.Request.Context(), actor(c), c.Param("id"), in.Version)
		respond(c, http.StatusOK, out, err)
	})
	api.POST("/practices/:id/merge", coord, func(c *gin.Context) {
		var in struct {
			Into string `json:"into"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		out, err := svc.Merge(c.Request.Context(), actor(c), c.Param("id"), in.Into)
		respond(c, http.StatusOK, out, err)
	})
	api.POST("/practices/:id/archive", coord, func(c *gin.Context) {
		var in struct {
			Archived bool `json:"archived"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		out, err := svc.Archive(c.Request.Context(), actor(c), c.Param("id"), in.Archived)
		respond(c, http.StatusOK, out, err)
	})
	api.POST("/practices/:id/feature", coord, func(c *gin.Context) {
		var in struct {
			Featured bool `json:"featured"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		err := svc.Feature(c.Request.Context(), actor(c), c.Param("id"), in.Featured)
		respond(c, http.StatusOK, gin.H{"id": c.Param("id"), "featured": in.Featured}, err)
	})
	api.GET("/practices/:id/diff", func(c *gin.Context) {
		vals, err := queryParams(c, "from", "to")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		from, to := intParam(vals, "from", fields), intParam(vals, "to", fields)
		if from < 1 || to < 1 {
			fields["from"] = "from and to must both be version numbers (1 or more)"
		}
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("the request is not valid", fields))
			return
		}
		d, err := svc.CompareVersions(c.Request.Context(), c.Param("id"), from, to)
		respond(c, http.StatusOK, d, err)
	})
}

// registerVersions adds the public version history of practices.
func registerVersions(api *gin.RouterGroup, svc *app.App) {
	api.GET("/practices/:id/versions", func(c *gin.Context) {
		vs, err := svc.Versions(c.Request.Context(), c.Param("id"))
		respond(c, http.StatusOK, gin.H{"id": c.Param("id"), "versions": vs}, err)
	})
	api.GET("/practices/:id/versions/:version", func(c *gin.Context) {
		v, err := strconv.Atoi(c.Param("version"))
		if err != nil || v < 1 {
			writeError(c, apperr.InvalidFields("the request is not valid", map[string]string{"version": "must be a version number (1 or more)"}))
			return
		}
		p, err := svc.Version(c.Request.Context(), c.Param("id"), v)
		respond(c, http.StatusOK, p, err)
	})
}
