package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
)

// registerPeers adds the admin's management of peers and their harvest status, and the
// coordinators' queue of harvested practices waiting for review.
// A harvest outlasts any request: POST …/sync starts it as a job and answers 202 with
// the job, which GET /api/v1/jobs/ID follows (pages, records received and applied).
func registerPeers(api *gin.RouterGroup, svc *federation.Service, js Jobs) {
	admin := api.Group("/peers", requireRole(auth.RoleAdmin))
	admin.GET("", func(c *gin.Context) {
		ps, err := svc.Peers()
		respond(c, http.StatusOK, gin.H{"peers": ps}, err)
	})
	admin.POST("", func(c *gin.Context) {
		var in federation.NewPeer
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		p, err := svc.Add(c.Request.Context(), in)
		respond(c, http.StatusCreated, p, err)
	})
	admin.GET("/:name", func(c *gin.Context) {
		p, err := svc.Peer(c.Param("name"))
		if err != nil {
			writeError(c, err)
			return
		}
		body := gin.H{"peer": p}
		if rep, running := svc.Progress(p.Name); running {
			body["harvest"] = rep
		}
		c.JSON(http.StatusOK, body)
	})
	admin.DELETE("/:name", func(c *gin.Context) {
		vals, err := queryParams(c, "confirm")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		confirm := intParam(vals, "confirm", fields)
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("bad parameters", fields))
			return
		}
		r, err := svc.Remove(c.Request.Context(), c.Param("name"), confirm)
		respond(c, http.StatusOK, r, err)
	})
	admin.POST("/:name/sync", func(c *gin.Context) {
		name := c.Param("name")
		if _, err := svc.Peer(name); err != nil {
			writeError(c, err)
			return
		}
		if _, running := svc.Progress(name); running {
			writeError(c, apperr.Errorf(apperr.Conflict, "a harvest of %s is already running", name))
			return
		}
		id, err := js.Start("harvest", func(ctx context.Context, progress func(int, int)) (any, error) {
			return svc.SyncWithProgress(ctx, name, progress)
		})
		if err != nil {
			writeError(c, err)
			return
		}
		info, err := js.Get(id)
		c.Header("Location", "/api/v1/jobs/"+id)
		respond(c, http.StatusAccepted, jobBody(info), err)
	})
	api.GET("/jobs/:id", requireRole(auth.RoleAdmin), func(c *gin.Context) {
		info, err := js.Get(c.Param("id"))
		respond(c, http.StatusOK, jobBody(info), err)
	})
	admin.POST("/:name/pause", func(c *gin.Context) {
		var in struct {
			Paused bool `json:"paused"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		p, err := svc.Pause(c.Param("name"), in.Paused)
		respond(c, http.StatusOK, p, err)
	})
	dups := api.Group("/peer-duplicates", requireRole(auth.RoleCoordinator))
	dups.GET("", func(c *gin.Context) {
		vals, err := queryParams(c, "state")
		if err != nil {
			writeError(c, err)
			return
		}
		state := vals.Get("state")
		if state != "" && state != federation.DuplicateOpen && state != federation.DuplicateConfirmed && state != federation.DuplicateDismissed {
			writeError(c, apperr.InvalidFields("bad parameters", map[string]string{"state": "must be open, confirmed or dismissed"}))
			return
		}
		ds, err := svc.Duplicates(state)
		respond(c, http.StatusOK, gin.H{"duplicates": ds}, err)
	})
	dups.POST("/:id/:held/:decision", func(c *gin.Context) {
		decision := c.Param("decision")
		if decision != "confirm" && decision != "dismiss" {
			writeError(c, apperr.Errorf(apperr.NotFound, "no decision %q: confirm or dismiss", decision))
			return
		}
		d, err := svc.DecideDuplicate(c.Request.Context(), actor(c), c.Param("id"), c.Param("held"), decision == "confirm")
		respond(c, http.StatusOK, d, err)
	})
	queue := api.Group("/peer-queue", requireRole(auth.RoleCoordinator))
	queue.GET("", func(c *gin.Context) {
		ps, err := svc.Queued()
		respond(c, http.StatusOK, gin.H{"practices": ps}, err)
	})
	queue.POST("/:id/accept", func(c *gin.Context) {
		// A draft from a repository that is not kb is completed by the body's fields.
		var done federation.Completion
		if err := bindOptionalJSON(c, &done); err != nil {
			writeError(c, err)
			return
		}
		p, err := svc.Accept(c.Request.Context(), actor(c), c.Param("id"), done)
		respond(c, http.StatusOK, p, err)
	})
	queue.POST("/:id/reject", func(c *gin.Context) {
		p, err := svc.Decide(c.Request.Context(), actor(c), c.Param("id"), false)
		respond(c, http.StatusOK, p, err)
	})
}
