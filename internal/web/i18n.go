package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"
)

// Languages of the interface: the network's working languages and Portuguese, spoken
// by a good part of its cities; English first, as the fallback for any missing message.
var Languages = []struct{ Code, Name string }{{"en", "English"}, {"es", "Español"}, {"fr", "Français"}, {"pt", "Português"}}

const langCookie = "kb_lang"

// Catalog holds the messages of every language.
type Catalog map[string]map[string]string

// LoadCatalog reads messages/LANG/*.json for every interface language. A language's
// messages are split by concern (core.json, one file per feature) so that work on two
// features does not meet in one file; a key defined in two files is an error.
func LoadCatalog(fsys fs.FS) (Catalog, error) {
	c := Catalog{}
	for _, l := range Languages {
		files, err := fs.Glob(fsys, "messages/"+l.Code+"/*.json")
		if err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("messages/%s: no catalogue", l.Code)
		}
		m := map[string]string{}
		from := map[string]string{}
		for _, f := range files {
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("messages: %w", err)
			}
			part := map[string]string{}
			if err := json.Unmarshal(data, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for k, v := range part {
				if prev, dup := from[k]; dup {
					return nil, fmt.Errorf("%s: key %q already in %s", f, k, prev)
				}
				m[k], from[k] = v, f
			}
		}
		c[l.Code] = m
	}
	return c, nil
}

// T returns the message key in lang, formatted with args; English when lang lacks it, and
// the key itself (visible, so tests catch it) when English lacks it too.
func (c Catalog) T(lang, key string, args ...any) string {
	msg, ok := c[lang][key]
	if !ok {
		if msg, ok = c["en"][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish, language.French, language.Portuguese})

// negotiate picks the interface language: ?lang= (remembered in a cookie), then the
// cookie, then the browser's Accept-Language.
func negotiate(c *gin.Context) string {
	if l := c.Query("lang"); isLanguage(l) {
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if l, err := c.Cookie(langCookie); err == nil && isLanguage(l) {
		return l
	}
	tags, _, _ := language.ParseAcceptLanguage(c.GetHeader("Accept-Language"))
	_, i, _ := matcher.Match(tags...)
	return Languages[i].Code
}

func isLanguage(l string) bool {
	for _, x := range Languages {
		if x.Code == l {
			return true
		}
	}
	return false
}

// langLink is one entry of the language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// langLinks builds the language switch for the current page.
func langLinks(c *gin.Context, current string) []langLink {
	var out []langLink
	for _, l := range Languages {
		q := url.Values{}
		for k, v := range c.Request.URL.Query() {
			if k != "lang" {
				q[k] = v
			}
		}
		q.Set("lang", l.Code)
		out = append(out, langLink{Code: l.Code, Name: l.Name, URL: c.Request.URL.Path + "?" + q.Encode(), Current: l.Code == current})
	}
	return out
}

// hasPrefix is used by templates to group message keys.
func hasPrefix(s, prefix string) bool { return strings.HasPrefix(s, prefix) }
