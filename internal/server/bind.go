package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// bindJSON decodes a JSON request body strictly: a body that is not JSON, a field the
// type does not have, or a value of the wrong type is an invalid error naming the field.
func bindJSON(c *gin.Context, v any) error {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return err // too large: writeError maps it to 413
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return apperr.InvalidFields("a JSON body is required", map[string]string{"body": "is empty"})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
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
