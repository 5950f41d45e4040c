package web

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// resultsHeading is a body's own "Results" section, in any of the texts' languages.
var resultsHeading = regexp.MustCompile(`(?im)^#{2,3}[ \t]+(results|resultados|résultats|resultats)[ \t]*#*[ \t]*$`)

// resultsOnce shows a practice's results once. When its body has a Results section, the
// figures listed in the front matter open that section instead of standing in a section
// of their own above it; otherwise they keep theirs. It returns the body to render and
// the results still to show apart.
func resultsOnce(body string, results []string) (string, []string) {
	loc := resultsHeading.FindStringIndex(body)
	if loc == nil || len(results) == 0 {
		return body, results
	}
	var list strings.Builder
	list.WriteString("\n\n")
	for _, r := range results {
		list.WriteString("- " + markdownText(r) + "\n")
	}
	return body[:loc[1]] + list.String() + strings.TrimLeft(body[loc[1]:], "\n") + "\n", nil
}

// markdownText keeps an item of text from being read as Markdown.
var markdownText = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, "`", "\\`", "#", `\#`).Replace

// studyYear is the year of the study the seeded cases come from: the date they carry
// is the study's, not the day a node imported them.
const studyYear = 2021

// practiceDate is the date a practice page gives as the case's own: the study's year for
// the study's cases, else the day it was first published here (a contributed case: the
// day it was accepted).
type practiceDate struct {
	Year int
	Day  time.Time
}

func (p *Pages) dateOf(ctx context.Context, pr *practices.Practice) practiceDate {
	if pr.Study() {
		return practiceDate{Year: studyYear}
	}
	vs, err := p.cfg.Service.Versions(ctx, pr.ID)
	if err != nil || len(vs) == 0 {
		return practiceDate{Day: pr.UpdatedAt}
	}
	return practiceDate{Day: vs[0].UpdatedAt}
}

// ISO is the date as schema.org takes it.
func (d practiceDate) ISO() string {
	if d.Year != 0 {
		return time.Date(d.Year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")
	}
	return d.Day.UTC().Format("2006-01-02")
}

// description is a practice's summary cut for a link preview, at a word.
func description(s string) string {
	const max = 200
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := string([]rune(s)[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// shortCode is a practice's short permalink, /p/CODE: a few letters of a hash of its
// id, so that it stays the same for as long as the id does.
func shortCode(id string) string {
	h := sha256.Sum256([]byte(id))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:])[:7])
}

// shortLinks maps the short codes to the ids of the practices published here. It is
// built at the first short link followed, and again when a code is not in it and a
// practice was published or changed since: a full walk of the store is not for every
// request.
type shortLinks struct {
	mu    sync.Mutex
	ids   map[string]string
	built time.Time
}

func (p *Pages) shortID(ctx context.Context, code string) (string, error) {
	s := &p.shorts
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.ids[code]; ok || s.ids != nil && !p.changedSince(ctx, s.built) {
		return id, nil
	}
	built := time.Now()
	ids := map[string]string{}
	err := p.cfg.Service.Published(ctx, func(id string, _ time.Time) bool {
		ids[shortCode(id)] = id
		return true
	})
	if err != nil {
		return "", err
	}
	s.ids, s.built = ids, built
	return ids[code], nil
}

// changedSince reports whether the newest practice changed after t.
func (p *Pages) changedSince(ctx context.Context, t time.Time) bool {
	res, err := p.cfg.Service.Search(ctx, search.Request{Limit: 1, Latest: true})
	if err != nil || len(res.Hits) == 0 {
		return err != nil
	}
	pr, err := p.cfg.Service.Get(ctx, res.Hits[0].ID)
	return err != nil || !pr.UpdatedAt.Before(t.Add(-time.Second)) // the store keeps whole seconds
}

// short answers a short permalink with a redirect to the practice it stands for.
func (p *Pages) short(c *gin.Context) {
	id, err := p.shortID(c.Request.Context(), c.Param("code"))
	if err == nil && id == "" {
		err = apperr.Errorf(apperr.NotFound, "%s", p.catalog.T(negotiate(c), "error.nopage"))
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusMovedPermanently, "/practices/"+id)
}
