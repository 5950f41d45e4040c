package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/review"
)

// trackingHeader carries a contributor's tracking token.
const trackingHeader = "X-Tracking-Token"

func access(c *gin.Context) review.Access {
	return review.Access{Principal: principal(c), Token: c.GetHeader(trackingHeader)}
}

// receipt adds to the service's receipt the contributor's tracking page, when the pages
// are served.
type receipt struct {
	*review.Receipt
	TrackingURL string `json:"tracking_url,omitempty"`
}

// registerSubmissions adds the contributors' routes; trackBase, when set, is the base
// URL of the tracking pages (BASE/track/). The service limits new submissions per
// client, for this door and the pages' alike.
func registerSubmissions(api *gin.RouterGroup, svc ReviewService, expensive gin.HandlerFunc, trackBase string) {
	api.POST("/submissions", expensive, func(c *gin.Context) {
		var in review.Input
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		r, err := svc.Create(c.Request.Context(), in)
		if err != nil {
			writeError(c, err)
			return
		}
		out := receipt{Receipt: r}
		if trackBase != "" {
			out.TrackingURL = trackBase + r.TrackingToken
		}
		c.JSON(http.StatusCreated, out)
	})
	api.POST("/submissions/duplicates", expensive, func(c *gin.Context) {
		var in review.Input
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		d, err := svc.Duplicates(c.Request.Context(), in)
		respond(c, http.StatusOK, gin.H{"duplicates": d}, err)
	})
	// The link of the mail asking a contributor to confirm their address.
	api.POST("/submissions/confirm", func(c *gin.Context) {
		var in struct {
			Token string `json:"token"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		s, err := svc.ConfirmAddress(c, in.Token)
		respond(c, http.StatusOK, s, err)
	})
	api.GET("/submissions/:id", func(c *gin.Context) {
		s, err := svc.Get(c.Request.Context(), c.Param("id"), access(c))
		respond(c, http.StatusOK, s, err)
	})
	api.PUT("/submissions/:id", func(c *gin.Context) {
		var in review.Input
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		s, err := svc.Update(c.Request.Context(), c.Param("id"), access(c), in)
		respond(c, http.StatusOK, s, err)
	})
	api.POST("/submissions/:id/withdraw", func(c *gin.Context) {
		s, err := svc.Withdraw(c.Request.Context(), c.Param("id"), access(c))
		respond(c, http.StatusOK, s, err)
	})
}
