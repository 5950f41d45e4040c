package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// bindJSON decodes a JSON request body strictly: a body that is not JSON, a field the
// type does not have, or a value of the wrong type is an invalid error naming the field.
func bindJSON(c *gin.Context, v any) error {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return unreadable(err)
	}
	return decodeStrict(data, v)
}

// decodeStrict is bindJSON on a body already read.
func decodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return apperr.InvalidFields("a JSON body is required", map[string]string{"body": "is empty"})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return apperr.InvalidFields("the request body is not valid", map[string]string{field: fmt.Sprintf("must be %s, not %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)})
	case errors.As(err, &syntaxErr):
		return apperr.InvalidFields("the request body is not valid JSON", map[string]string{"body": fmt.Sprintf("%s (at byte %d)", syntaxErr.Error(), syntaxErr.Offset)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.InvalidFields("the request body has an unknown field", map[string]string{field: "is not a field of this request"})
	default:
		return apperr.InvalidFields("the request body is not valid", map[string]string{"body": err.Error()})
	}
}

// unreadable says why a body could not be read: one over the cap stays itself (a 413 in
// writeError), a read deadline too; one whose chunked encoding is malformed or that
// breaks off is the client's error, named.
func unreadable(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	why := err.Error() // net/http's own words: "malformed chunked encoding", "invalid byte in chunk length"
	if errors.Is(err, io.ErrUnexpectedEOF) {
		why = "ends before its announced length or last chunk (unexpected EOF)"
	}
	return apperr.InvalidFields("the request body could not be read", map[string]string{"body": why})
}

// bindOptionalJSON is bindJSON for a body that may be left out: an empty one leaves v
// as it is.
func bindOptionalJSON(c *gin.Context, v any) error {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return unreadable(err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(data))
	return bindJSON(c, v)
}

func jsonKind(kind string) string {
	switch kind {
	case "int", "int64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "map", "struct":
		return "an object"
	case "bool":
		return "true or false"
	}
	return kind
}
