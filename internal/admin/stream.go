package admin

import (
	"io"
	"net/http"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// copyStream copies a streamed answer, then fails if the server's trailers say the
// stream stopped short.
func copyStream(w io.Writer, resp *http.Response) error {
	if _, err := io.Copy(w, resp.Body); err != nil {
		return err
	}
	if code := resp.Trailer.Get(server.TrailerErrorCode); code != "" {
		return &apperr.Error{Code: code, Message: resp.Trailer.Get(server.TrailerErrorMessage)}
	}
	return nil
}
