package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/limit"
)

const (
	ctxLogger    = "kb.logger"
	ctxRequestID = "kb.request_id"
	headerReqID  = "X-Request-Id"
)

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// withRequestID gives every request an id (kept from the client when sane), returns it
// in a header, and puts a logger carrying it in the context.
func withRequestID(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(headerReqID)
		if len(id) == 0 || len(id) > 64 {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Set(ctxLogger, base.With("request_id", id))
		c.Header(headerReqID, id)
		c.Next()
	}
}

// accessLog logs one line per request at the boundary.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		logger(c).Info("request",
			"method", method(c),
			"path", redactPath(c.Request.URL.Path),
			"status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
		)
	}
}

// withClient puts the client's key in the request's context, for the services that
// limit what one client may do (both the API and the pages go through here).
func withClient() gin.HandlerFunc {
	return func(c *gin.Context) {
		client := c.ClientIP()
		if client == "" {
			client = c.Request.RemoteAddr
		}
		c.Request = c.Request.WithContext(limit.WithClient(c.Request.Context(), limit.Key(client)))
		c.Next()
	}
}

// secretPaths are the paths whose next segment is a secret: a contributor's tracking
// token, the token of an address confirmation link, a saved self-assessment's link.
var secretPaths = []string{"/track/", "/confirm/", "/assess/"}

// redactPath hides the secret a path carries, keeping only its kind ("kbs_"), so that
// logs never hold a key to a submission. Headers (X-Tracking-Token, Authorization) are
// never logged.
func redactPath(path string) string {
	for _, prefix := range secretPaths {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok || rest == "" {
			continue
		}
		secret, tail, slash := strings.Cut(rest, "/")
		kind, _, _ := strings.Cut(secret, "_")
		if len(kind) >= len(secret) || len(kind) > 4 {
			kind = ""
		} else {
			kind += "_"
		}
		path = prefix + kind + "[redacted]"
		if slash {
			path += "/" + tail
		}
		return path
	}
	return path
}

// recovery turns a panic into a logged internal error, with its stack, instead of a
// dropped connection.
func recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		writeError(c, apperr.Panicked(rec))
	})
}

// limitBody caps request bodies; reading past the cap fails with a 413.
func limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			writeError(c, apperr.Errorf(apperr.TooLarge, "the request body is larger than %d bytes", max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// contentSecurityPolicy lets the pages load only this site's own scripts, styles, images
// and form targets, and nobody frame them: the pages have no inline script or style, so
// markup that slipped through escaping still could not run.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// securityHeaders sets on every response what keeps browsers strict with it; hsts (when
// served over TLS) tells them to come back over TLS only. Handlers may tighten the
// referrer policy.
func securityHeaders(hsts bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY") // frame-ancestors, for browsers that predate it
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		c.Next()
	}
}

// noStoreWhenAuthenticated keeps answers to a principal's or a contributor's requests
// out of every cache: they may carry contact details and submissions.
func noStoreWhenAuthenticated() gin.HandlerFunc {
	return func(c *gin.Context) {
		if principal(c) != nil || c.GetHeader(trackingHeader) != "" {
			c.Header("Cache-Control", "private, no-store")
		}
		c.Next()
	}
}
