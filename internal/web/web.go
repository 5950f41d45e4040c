// Package web serves the knowledge base as HTML pages: server-rendered, usable without
// JavaScript, in every interface language.
package web

// Handlers bind a form, call one service and render a template; the services are the ones
// the JSON API uses.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/frontend"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/index/explain"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/lru"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/render"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// Config configures the pages.
type Config struct {
	// Service is the knowledge base the pages read; Review its submission workflow,
	// Accounts the coordinators', Peers the networks it harvests.
	Service  *app.App
	Review   *review.Service
	Accounts *auth.Service
	Peers    *federation.Service
	// Jobs runs the harvests started from the peers page (a registry of the pages' own
	// when nil; kb serve passes the one the API's harvests and shutdown share).
	Jobs Jobs
	// Ask, when set, adds the "ask the knowledge base" page.
	Ask Asker
	Geo *practices.Geography
	// Findings is the study's figures for /findings (the embedded ones when nil).
	Findings *findings.Findings
	// BaseURL is the public root of the site (scheme://host[:port], no trailing slash):
	// every absolute URL (permalinks, JSON-LD, the feed, tracking links, the sitemap) is
	// made from it. Required: the request's Host is the client's to choose.
	BaseURL string
	// Network names the network that runs the knowledge base, and its public contact.
	NetworkName, NetworkEmail string
	SecureCookies             bool
	Logger                    *slog.Logger
	// CrossOrigin refuses forms a browser posts from another origin; the API's engine
	// shares it. Nil takes one that trusts no other origin.
	CrossOrigin *http.CrossOriginProtection
}

// Pages holds the parsed templates and catalogues.
type Pages struct {
	cfg       Config
	templates map[string]map[string]*template.Template // language → name → template
	catalog   *i18n.Catalog
	md        *render.Renderer

	mu       sync.Mutex
	harvests map[string]string // peer → the job harvesting it, started from the page
	outcomes *lru.Cache[string, outcome]
	receipts *lru.Cache[string, keptReceipt]
	shorts   shortLinks
}

// New parses every template and catalogue once, so that a broken template fails the
// start, not a request.
func New(cfg Config) (*Pages, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.NetworkName == "" {
		cfg.NetworkName = "kb"
	}
	if cfg.Jobs == nil {
		cfg.Jobs = jobs.New(cfg.Logger)
	}
	if cfg.BaseURL == "" {
		return nil, errors.New("web: a base URL is required: every absolute link is made from it")
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.CrossOrigin == nil {
		cfg.CrossOrigin = http.NewCrossOriginProtection()
	}
	if cfg.Findings == nil {
		f, err := app.LoadFindings()
		if err != nil {
			return nil, err
		}
		cfg.Findings = f
	}
	cat, err := i18n.Embedded()
	if err != nil {
		return nil, err
	}
	p := &Pages{cfg: cfg, catalog: cat, md: render.New(), templates: map[string]map[string]*template.Template{},
		harvests: map[string]string{}, outcomes: lru.New[string, outcome](maxOutcomes), receipts: newReceipts()}
	// The workflow writes its mails from the pages' catalogues, so that a contributor's
	// mails speak the language of the pages they used.
	if cfg.Review != nil {
		cfg.Review.UseMessages(MailMessages(cat))
	}
	pages, err := fs.Glob(frontend.FS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// One set per language, whose functions write dates, numbers and countries as it does.
	for _, l := range Languages {
		base, err := template.New("base").Funcs(p.funcs(l.Code)).ParseFS(frontend.FS, "templates/layout/*.html")
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		p.templates[l.Code] = map[string]*template.Template{}
		for _, file := range pages {
			t, err := template.Must(base.Clone()).ParseFS(frontend.FS, file)
			if err != nil {
				return nil, fmt.Errorf("templates: %w", err)
			}
			p.templates[l.Code][strings.TrimSuffix(path.Base(file), ".html")] = t
		}
	}
	return p, nil
}

// Register adds the pages and static files to an engine; expensive guards the pages
// that search.
func (p *Pages) Register(e *gin.Engine, expensive gin.HandlerFunc) {
	static, _ := fs.Sub(frontend.FS, "static")
	e.GET("/static/*file", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		c.FileFromFS(c.Param("file"), http.FS(static))
	})
	e.GET("/favicon.ico", func(c *gin.Context) { // where browsers look without a link
		c.Header("Cache-Control", "public, max-age=86400")
		c.FileFromFS("favicon.ico", http.FS(static))
	})
	e.GET("/robots.txt", p.robots)
	e.GET("/sitemap.xml", expensive, p.sitemap)
	g := e.Group("", p.crossOrigin(), p.identify(), p.caching(), p.csrf())
	p.registerPublic(g, expensive)
	p.registerFindings(g, expensive)
	p.registerAbout(g)
	p.registerAssess(g, expensive)
	p.registerAsk(g, expensive)
	p.registerSubmit(g, expensive)
	p.registerCoordinator(g.Group("", p.requireLogin(), private))
}

// NotFound answers an address that is no page with the error page, in the visitor's
// language.
func (p *Pages) NotFound(c *gin.Context) {
	c.Header("Vary", "Accept-Language, Cookie")
	p.render(c, http.StatusNotFound, "error", map[string]any{"Status": http.StatusNotFound, "Message": p.catalog.T(negotiate(c), "error.nopage")})
}

// page is what every template gets.
type page struct {
	Lang    string
	Langs   []langLink
	User    *auth.Principal
	CSRF    string
	Path    string
	Network string
	// AskOn shows the link to the assistant: only with an AI endpoint, and not while it
	// fails.
	AskOn bool
	// Waiting is, for a coordinator, how many submissions wait for a decision.
	Waiting int
	Data    any
	cat     *i18n.Catalog
}

// T translates a message key for the page's language.
func (pg *page) T(key string, args ...any) string { return pg.cat.T(pg.Lang, key, args...) }

// TForeign translates a message whose arguments are names in another language, lang (a
// study's title, its publisher's name): each is marked with it, so that a reader's
// tools, and the test that nothing is left in English, know it for what it is.
func (pg *page) TForeign(key, lang string, args ...any) template.HTML {
	marks := make([]any, len(args))
	for i := range args {
		marks[i] = fmt.Sprintf("⟦%d⟧", i)
	}
	out := template.HTMLEscapeString(pg.cat.T(pg.Lang, key, marks...))
	for i, a := range args {
		out = strings.Replace(out, fmt.Sprintf("⟦%d⟧", i), `<span lang="`+template.HTMLEscapeString(lang)+`">`+template.HTMLEscapeString(fmt.Sprint(a))+`</span>`, 1)
	}
	return template.HTML(out)
}

func (p *Pages) newPage(c *gin.Context, data any) *page {
	lang := negotiate(c)
	pg := &page{Lang: lang, Langs: langLinks(c, lang), User: user(c), CSRF: c.GetString(ctxCSRF), Path: c.Request.URL.RequestURI(), Network: p.cfg.NetworkName, AskOn: p.cfg.Ask != nil && p.cfg.Ask.Available(), Data: data, cat: p.catalog}
	if pg.User.Can(auth.RoleCoordinator) {
		pg.Waiting = p.cfg.Review.Waiting(c.Request.Context())
	}
	return pg
}

// render executes a page template.
func (p *Pages) render(c *gin.Context, status int, name string, data any) {
	pg := p.newPage(c, data)
	t, ok := p.templates[pg.Lang][name]
	if !ok {
		p.fail(c, fmt.Errorf("no template %q", name))
		return
	}
	// Rendered in full before anything is sent, so a failing template gives an error
	// page rather than half a page with a success status.
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", pg); err != nil {
		p.cfg.Logger.Error("render page", "template", name, "err", err)
		if name != "error" {
			p.fail(c, apperr.Wrap(err, "render page"))
		}
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fail renders an error page in the visitor's language; internal errors are logged,
// never shown. A coordinator also gets the error's own English sentence when the page
// says it otherwise.
func (p *Pages) fail(c *gin.Context, err error) {
	e := apperr.As(err)
	status := apperr.HTTPStatus(e.Code)
	lang := negotiate(c)
	msg, detail := p.errorText(lang, e), ""
	if lang != "en" && e.Says == nil && user(c) != nil {
		detail = e.Message
	}
	switch {
	case e.Code == apperr.Internal:
		// The route, not the path, which may hold a tracking token.
		p.cfg.Logger.Error("page failed", "route", c.FullPath(), "err", err)
		msg, detail = "", ""
	case e.Code == apperr.DiskFull, e.Code == apperr.Damaged: // shown, and the operator must hear of it too
		p.cfg.Logger.Error("page failed", "route", c.FullPath(), "err", err)
	case e.RetryAfter > 0:
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
		msg, detail = p.retryMessage(c, e.RetryAfter), ""
	}
	p.render(c, status, "error", map[string]any{"Status": status, "Message": msg, "Detail": detail})
	c.Abort()
}

// errorText says an error in lang: its own sentence of the catalogues when it has one,
// or what is wrong with each field when the fields say it as problems; in English, the
// sentence it carries; otherwise what its code means, or what is wrong with each field.
func (p *Pages) errorText(lang string, e *apperr.Error) string {
	switch {
	case e.Says != nil:
		return p.catalog.Say(lang, *e.Says)
	case len(e.Problems) > 0: // what is wrong with each field, said as forms say it
		return p.fieldList(lang, e)
	case lang == "en":
		return e.Message
	case len(e.Fields) > 0:
		return p.fieldList(lang, e)
	}
	return p.catalog.T(lang, "error.detail."+e.Code)
}

// refusal is an error the pages say from the catalogues: the message key with args.
func (p *Pages) refusal(code, key string, args ...any) error {
	values := make([]i18n.Arg, len(args))
	for i, a := range args {
		values[i] = i18n.Value(a)
	}
	return apperr.Said(code, p.catalog.T("en", key, args...), i18n.Say(key, values...))
}

// retryMessage says, in the visitor's language, when to try again.
func (p *Pages) retryMessage(c *gin.Context, d time.Duration) string {
	switch secs := int(math.Ceil(d.Seconds())); {
	case secs >= 120:
		return p.catalog.T(negotiate(c), "error.retry.minutes", (secs+59)/60)
	case secs > 1:
		return p.catalog.T(negotiate(c), "error.retry.seconds", secs)
	}
	return p.catalog.T(negotiate(c), "error.retry.moment")
}

func (p *Pages) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"markdown": p.md.Markdown,
		// fragments come from the index: text escaped, only <mark> added.
		"fragment": func(s string) template.HTML { return template.HTML(s) },
		"join":     strings.Join,
		"date":     func(t time.Time) string { return p.catalog.Date(lang, t) },
		"datetime": func(t time.Time) string { return p.catalog.DateTime(lang, t) },
		"num":      func(n any) string { return p.catalog.Number(lang, n) },
		"why":      func(r explain.Reason) string { return r.In(p.catalog, lang) },
		"reading":  func(r *search.Reading) []string { return r.In(p.catalog, lang) },
		// country names a country by its code in the page's language.
		"country": func(code string) string {
			if n := p.catalog.Country(lang, code); n != "" {
				return n
			}
			if c, ok := p.cfg.Geo.Country(code); ok {
				return c.Name
			}
			return code
		},
		"add": func(a, b int) int { return a + b },
		"mul": func(a, b int) int { return a * b },
		"jsonld": func(v any) template.JS {
			data, _ := json.Marshal(v)
			return template.JS(data)
		},
		"vocab":      vocab,
		"changeview": changeview,
		"contains":   slices.Contains[[]string],
		"ordered":    ordered,
		"dict":       dict,
	}
}

// dict makes a map of key, value pairs, to pass several values to a template.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict wants key, value pairs, got %d values", len(pairs))
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", pairs[i])
		}
		m[k] = pairs[i+1]
	}
	return m, nil
}

// countries lists the countries for a form's choice, named and sorted in the visitor's
// language.
func (p *Pages) countries(c *gin.Context) []practices.Country {
	return countries(p.catalog, negotiate(c), p.cfg.Geo.Countries())
}

// vocab lists the ids of a vocabulary, for forms and filters.
func vocab(name string) []string {
	switch name {
	case "areas":
		return practices.Areas.IDs()
	case "crises":
		return practices.Crises.IDs()
	case "groups":
		return practices.TargetGroups.IDs()
	case "resources":
		return practices.Resources.IDs()
	case "statuses":
		return practices.Statuses.IDs()
	case "languages":
		return practices.Languages.IDs()
	case "levels":
		return practices.Levels.IDs()
	case "regions":
		return practices.Regions.IDs()
	}
	panic("no vocabulary " + name) // a template error, caught by the template tests
}
