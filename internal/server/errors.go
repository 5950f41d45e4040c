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

// ErrorDetail says what went wrong; Fields names each bad input. Message and Fields are
// in the language asked for (?lang=, Accept-Language), English by default; Code and
// Problems (each field's code and values) are the same in every language.
type ErrorDetail struct {
	Code     string                    `json:"code"`
	Message  string                    `json:"message"`
	Fields   map[string]string         `json:"fields,omitempty"`
	Problems map[string]apperr.Problem `json:"problems,omitempty"`
	// Detail is the error's own English sentence when Message, in another language, can
	// say only what its code means.
	Detail string `json:"detail,omitempty"`
}

// in says the detail in lang: the status's message and each field's problem from the
// catalogues; English keeps the error's own, more technical, sentences.
func (d *ErrorDetail) in(c *gin.Context, e *apperr.Error, status int) {
	lang, cat, err := apiCatalog(c)
	if lang == "en" || err != nil {
		return
	}
	if e.Says != nil {
		d.Message = cat.Say(lang, *e.Says)
	} else {
		d.Message, d.Detail = cat.T(lang, "error."+strconv.Itoa(status)), e.Message
	}
	fields := map[string]string{}
	for k, v := range d.Fields {
		fields[k] = v
		if p, ok := d.Problems[k]; ok {
			fields[k] = cat.Problem(lang, k, p.Code, p.Args)
		}
	}
	if len(fields) > 0 {
		d.Fields = fields
	}
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
	status := apperr.HTTPStatus(e.Code)
	detail := ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields, Problems: e.Problems}
	detail.in(c, e, status)
	switch e.Code {
	case apperr.Internal:
		logger(c).Error("internal error", "err", err)
		detail = ErrorDetail{Code: apperr.Internal, Message: "internal error (request " + requestID(c) + ")"}
	case apperr.DiskFull, apperr.Damaged: // shown, and the operator must hear of it too
		logger(c).Error(e.Message, "err", err)
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: detail})
}

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}
