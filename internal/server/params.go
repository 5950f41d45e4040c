package server

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// queryParams parses the query string strictly: a malformed query string or a parameter
// the route does not know is a 400 that names it, so that a typo such as ?contry=ES is
// not silently ignored.
func queryParams(c *gin.Context, allowed ...string) (url.Values, error) {
	vals, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, apperr.InvalidFields("the query string is malformed", map[string]string{"query": err.Error()})
	}
	bad := map[string]string{}
	for name := range vals {
		switch {
		case name == "lang": // every endpoint takes it: the language of its sentences
			if !i18n.IsLanguage(vals.Get(name)) {
				bad[name] = "must be one of: " + strings.Join(i18n.Codes(), ", ")
			}
		case !slices.Contains(allowed, name):
			bad[name] = "is not a parameter of this endpoint; known parameters: " + strings.Join(allowed, ", ")
		}
	}
	if len(bad) > 0 {
		return nil, apperr.InvalidFields("unknown parameters", bad)
	}
	return vals, nil
}

// intParam reads an optional integer parameter; absent is 0.
func intParam(vals url.Values, name string, fields map[string]string) int {
	return intParamOr(vals, name, 0, fields)
}

// intParamOr reads an optional integer parameter; absent is def.
func intParamOr(vals url.Values, name string, def int, fields map[string]string) int {
	s := vals.Get(name)
	if _, set := vals[name]; !set {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fields[name] = "must be a whole number"
		return 0
	}
	return n
}

// intParamIn reads an optional integer parameter that must lie in lo..hi; absent is def.
// A number too large for an int is out of range like any other, not "not a number".
func intParamIn(vals url.Values, name string, def, lo, hi int, fields map[string]string) int {
	if _, set := vals[name]; !set {
		return def
	}
	n, err := strconv.Atoi(vals.Get(name))
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		fields[name] = "must be a whole number"
	case err != nil || n < lo || n > hi:
		fields[name] = fmt.Sprintf("must be between %d and %d", lo, hi)
	default:
		return n
	}
	return def
}

// boolParam reads an optional flag: 1/true/yes or 0/false/no; absent is false.
func boolParam(vals url.Values, name string, fields map[string]string) bool {
	switch strings.ToLower(vals.Get(name)) {
	case "", "0", "false", "no":
		return false
	case "1", "true", "yes":
		return true
	default:
		fields[name] = "must be 1 or 0"
		return false
	}
}
