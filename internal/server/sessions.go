package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/review"
)

func registerSessions(api *gin.RouterGroup, svc *review.Service) {
	api.GET("/sessions", func(c *gin.Context) {
		vals, err := queryParams(c, "open")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		open := boolParam(vals, "open", fields)
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("the request is not valid", fields))
			return
		}
		ss, err := svc.Sessions(c.Request.Context(), open)
		respond(c, http.StatusOK, gin.H{"sessions": ss}, err)
	})
	api.GET("/sessions/:id", func(c *gin.Context) {
		s, err := svc.Session(c.Request.Context(), c.Param("id"))
		respond(c, http.StatusOK, s, err)
	})
	save := func(c *gin.Context) {
		var in review.Session
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		in.ID = c.Param("id") // empty when creating
		status := http.StatusOK
		if in.ID == "" {
			status = http.StatusCreated
		}
		s, err := svc.SaveSession(c.Request.Context(), actor(c), in)
		respond(c, status, s, err)
	}
	api.POST("/sessions", requireRole(auth.RoleCoordinator), save)
	api.PUT("/sessions/:id", requireRole(auth.RoleCoordinator), save)
}
