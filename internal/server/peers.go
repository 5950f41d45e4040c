package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// PeerService is the harvesting side of the exchange between networks.
type PeerService interface {
	Add(ctx context.Context, n federation.NewPeer) (*federation.Peer, error)
	Peers() ([]federation.Peer, error)
	Remove(ctx context.Context, name string, confirm int) (federation.Removal, error)
	Sync(ctx context.Context, name string) (federation.Report, error)
	Queued() ([]practices.Practice, error)
	Decide(ctx context.Context, actor, id string, accept bool) (*practices.Practice, error)
	Pause(name string, paused bool) (*federation.Peer, error)
	Duplicates(state string) ([]federation.Duplicate, error)
	DecideDuplicate(ctx context.Context, actor, id, heldID string, confirm bool) (*federation.Duplicate, error)
}

// registerPeers adds the admin's management of peers and their harvest status, and the
// coordinators' queue of harvested practices waiting for review.
func registerPeers(api *gin.RouterGroup, svc PeerService) {
	if svc == nil {
		return
	}
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
		rep, err := svc.Sync(c.Request.Context(), c.Param("name"))
		if err != nil && rep.Peer != "" {
			// The harvest ran and failed at the peer: the report says how far it came.
			c.JSON(http.StatusBadGateway, gin.H{"error": ErrorDetail{Code: apperr.Unavailable, Message: err.Error()}, "report": rep})
			return
		}
		respond(c, http.StatusOK, rep, err)
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
		p, err := svc.Decide(c.Request.Context(), actor(c), c.Param("id"), true)
		respond(c, http.StatusOK, p, err)
	})
	queue.POST("/:id/reject", func(c *gin.Context) {
		p, err := svc.Decide(c.Request.Context(), actor(c), c.Param("id"), false)
		respond(c, http.StatusOK, p, err)
	})
}
