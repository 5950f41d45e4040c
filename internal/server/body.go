package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// DefaultBodyTimeout is how long a client may take to send a request's body when
// Config.BodyTimeout is zero: a megabyte at 100 KB/s.
const DefaultBodyTimeout = 10 * time.Second

// readBody reads a request's whole body (capped by limitBody) before any handler runs,
// under a read deadline. A place in the pool of expensive requests is taken only once
// the body is in: a client that sends its body a byte at a time holds its own
// connection only, and the deadline cuts it with a 408.
func readBody(timeout time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body == nil || c.Request.Body == http.NoBody {
			c.Next()
			return
		}
		rc := http.NewResponseController(c.Writer)
		// Not supported off a real connection (a ResponseRecorder): read without one.
		rc.SetReadDeadline(time.Now().Add(timeout))
		data, err := io.ReadAll(c.Request.Body)
		// Cleared, or the connection's background read would fail at the deadline while
		// the handler runs, and cancel the request.
		rc.SetReadDeadline(time.Time{})
		var tooLarge *http.MaxBytesError
		switch {
		case err == nil:
			c.Request.Body = io.NopCloser(bytes.NewReader(data))
			c.Next()
		case errors.As(err, &tooLarge):
			writeError(c, err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.Header("Connection", "close")
			writeError(c, apperr.Errorf(apperr.Timeout, "the request body did not arrive within %s", timeout))
		default:
			c.Header("Connection", "close")
			writeError(c, apperr.InvalidFields("the request body could not be read", map[string]string{"body": err.Error()}))
		}
	}
}
