package server

import (
	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Trailers that say a streamed answer (an export, a backup) failed after its first bytes
// were sent with a 200: without them the command saw a well-formed, short body and took
// it for the whole, e.g. an export stopped by a damaged practice.
const (
	TrailerErrorCode    = "Kb-Error-Code"
	TrailerErrorMessage = "Kb-Error-Message"
)

func announceStreamError(c *gin.Context) {
	c.Header("Trailer", TrailerErrorCode+", "+TrailerErrorMessage)
}

// streamError reports err as the JSON error when nothing was sent yet, else in the
// trailers.
func streamError(c *gin.Context, err error) {
	if !c.Writer.Written() {
		writeError(c, err)
		return
	}
	e := apperr.As(err)
	msg := e.Message
	if e.Code == apperr.Internal {
		logger(c).Error("internal error", "err", err)
		msg = "internal error (request " + requestID(c) + ")"
	}
	c.Writer.Header().Set(TrailerErrorCode, e.Code)
	c.Writer.Header().Set(TrailerErrorMessage, msg)
}
