package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
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
			"method", c.Request.Method,
			"path", c.Request.URL.Path,
			"status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
		)
	}
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
