package server

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// ErrorBody is the shape of every error the API returns.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Fields names each bad input.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// writeError renders err; internal errors are logged with their cause and shown to the
// user only as a generic message with the request id.
func writeError(c *gin.Context, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = apperr.Errorf(apperr.TooLarge, "the request body is larger than %d bytes", tooLarge.Limit)
	}
	e := apperr.As(err)
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	detail := ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}
	switch e.Code {
	case apperr.Internal:
		logger(c).Error("internal error", "err", err)
		detail = ErrorDetail{Code: apperr.Internal, Message: "internal error (request " + requestID(c) + ")"}
	case apperr.DiskFull, apperr.Damaged: // shown, and the operator must hear of it too
		logger(c).Error(e.Message, "err", err)
	}
	c.AbortWithStatusJSON(apperr.HTTPStatus(e.Code), ErrorBody{Error: detail})
}

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}
