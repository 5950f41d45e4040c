// Package server is the HTTP face of the knowledge base: the Gin engines that serve the JSON
// API, OAI-PMH, the thesaurus, health, metrics and the web pages, and the admin socket.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// Config configures an engine.
type Config struct {
	// Service is the knowledge base; Review its submission workflow, Auth its accounts.
	Service *app.App
	Review  *review.Service
	Auth    *auth.Service
	// Peers, when set, adds the management of harvested peers; their harvests run as
	// jobs of Jobs (a registry of the engine's own when nil; kb serve passes the one it
	// waits for at shutdown).
	Peers *federation.Service
	Jobs  Jobs
	// Ask, when set (an AI endpoint is configured), answers questions at /api/v1/ask.
	Ask Asker
	// OAI, when set, serves OAI-PMH at /oai.
	OAI    http.Handler
	Logger *slog.Logger
	// Thesaurus, when set, is served as SKOS (Turtle) at /skos.ttl.
	Thesaurus *thesaurus.Thesaurus
	// Findings, when set, serves the study's figures at /api/v1/findings.
	Findings *findings.Findings
	// MaxBody caps request bodies (bytes) on the public engine.
	MaxBody int64
	// Limits are the per-address rates; zero values take DefaultLimits.
	Limits Limits
	// SecureCookies marks the session cookie Secure and sends Strict-Transport-Security
	// (when served over TLS).
	SecureCookies bool
	// TrustedProxies are the addresses of the reverse proxies whose X-Forwarded-For and
	// X-Real-IP name the client; from anyone else those headers are ignored, so that the
	// rate limits see the client, and a client cannot pose as another. Default none.
	TrustedProxies []netip.Prefix
	// BaseURL is the public root of the site (scheme://host[:port]); absolute links in
	// answers are made from it, never from the request's Host.
	BaseURL string
	// Pages, when set, adds the HTML pages to the public engine; expensive marks the
	// pages that share the pool of places of expensive requests. Unknown addresses
	// outside the API get their error page.
	Pages interface {
		Register(e *gin.Engine, expensive gin.HandlerFunc)
		NotFound(c *gin.Context)
	}
	// Shedding bounds expensive requests and every request's time; zero values take
	// defaults.
	Shedding Shedding
	// BodyTimeout bounds how long a client may take to send a request's body on the
	// public engine; zero takes DefaultBodyTimeout.
	BodyTimeout time.Duration
	// CrossOrigin refuses state-changing requests a browser sends from another origin;
	// the pages are given the same one. Nil takes one that trusts no other origin.
	CrossOrigin *http.CrossOriginProtection
	// MetricsToken, when set, serves /metrics on the public engine to requests bearing
	// it; without it /metrics is served on the admin socket only.
	MetricsToken string
	// Metrics, when set, are the metrics both engines count in and serve (the admin
	// socket's /metrics then shows the public server's); nil makes each its own.
	Metrics *Metrics
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR prefixes
// ("10.0.0.0/8, 192.0.2.7"); an address stands for itself alone.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR prefix such as 10.0.0.0/8", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// metrics are the configured ones, or the engine's own.
func (cfg Config) metrics() *Metrics {
	switch {
	case cfg.Metrics != nil:
		return cfg.Metrics
	case cfg.Service == nil: // no figures to show
		return NewMetrics(nil)
	}
	return NewMetrics(cfg.Service)
}

// DefaultMaxBody is the body cap when Config.MaxBody is zero.
const DefaultMaxBody = 1 << 20

func init() { gin.SetMode(gin.ReleaseMode) }

// newEngine makes an engine with the middleware every request goes through; outer ones
// (the public engine's representations) run outside the recovery, which answers for a
// handler that panics.
func newEngine(cfg Config, maxBody int64, m *Metrics, outer ...gin.HandlerFunc) *gin.Engine {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := gin.New()
	trusted := make([]string, len(cfg.TrustedProxies))
	for i, p := range cfg.TrustedProxies {
		trusted[i] = p.String()
	}
	if err := e.SetTrustedProxies(trusted); err != nil {
		panic(err) // prefixes always parse
	}
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true // c.Done/c.Err follow the request's context
	e.Use(withRequestID(log), securityHeaders(cfg.SecureCookies), m.observe(), accessLog())
	e.Use(outer...)
	e.Use(recovery(), limitBody(maxBody), timeout(cfg.Shedding.withDefaults().Timeout))
	e.NoRoute(noSuchPage)
	e.NoMethod(func(c *gin.Context) {
		if allow := c.Writer.Header().Get("Allow"); strings.Contains(allow, http.MethodGet) {
			c.Header("Allow", allow+", "+http.MethodHead)
		}
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{
			Code: apperr.Invalid, Message: "method " + method(c) + " is not allowed on " + c.Request.URL.Path,
		}})
	})
	return e
}

func noSuchPage(c *gin.Context) {
	writeError(c, apperr.Errorf(apperr.NotFound, "no such page: %s", c.Request.URL.Path))
}

// routes registers every API resource on a group.
func routes(api *gin.RouterGroup, cfg Config, g *gate) {
	exp := g.expensive()
	registerSearch(api, cfg.Service, exp)
	registerSuggest(api, cfg.Service, exp)
	registerPractices(api, cfg.Service, exp)
	registerRecommendations(api, cfg.Service, exp)
	trackBase := ""
	if cfg.BaseURL != "" && cfg.Pages != nil {
		trackBase = strings.TrimSuffix(cfg.BaseURL, "/") + "/track/"
	}
	registerSubmissions(api, cfg.Review, exp, trackBase)
	assessBase := ""
	if trackBase != "" {
		assessBase = strings.TrimSuffix(cfg.BaseURL, "/") + "/assess/"
	}
	registerAssessments(api, cfg.Service, exp, assessBase)
	registerSessions(api, cfg.Review)
	registerReview(api, cfg.Review, exp)
	registerCuration(api, cfg.Review)
	registerAccounts(api, cfg.Auth, cfg.SecureCookies)
	registerAuditLog(api, cfg.Service, cfg.Review)
	if cfg.Peers != nil {
		js := cfg.Jobs
		if js == nil {
			js = jobs.New(cfg.Logger)
		}
		registerPeers(api, cfg.Peers, js)
	}
	if cfg.Ask != nil {
		registerAsk(api, cfg.Ask, exp)
	}
	if cfg.Findings != nil {
		registerFindings(api, cfg.Findings)
	}
}

// Engine is Gin's router answering HEAD wherever it answers GET: Gin routes by method
// alone, and a HEAD is a GET whose body is not sent.
type Engine struct{ *gin.Engine }

type headKey struct{}

func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// A copy goes through the routes as a GET; net/http still holds the HEAD request
		// and drops whatever body is written, after counting it for Content-Length.
		get := r.WithContext(context.WithValue(r.Context(), headKey{}, true))
		get.Method = http.MethodGet
		r = get
	}
	e.Engine.ServeHTTP(w, r)
}

// method is the request's method as the client sent it, for logs and messages.
func method(c *gin.Context) string {
	if c.Request.Context().Value(headKey{}) != nil {
		return http.MethodHead
	}
	return c.Request.Method
}

// New builds the public engine.
func New(cfg Config) *Engine {
	max := cfg.MaxBody
	if max == 0 {
		max = DefaultMaxBody
	}
	m := cfg.metrics()
	g := newGate(cfg.Shedding.withDefaults(), m, cfg.Limits.withDefaults().Expensive)
	e := newEngine(cfg, max, m, representations())
	bodyTimeout := cfg.BodyTimeout
	if bodyTimeout == 0 {
		bodyTimeout = DefaultBodyTimeout
	}
	// Every request here comes from a client the limits count; on the admin socket none
	// does, so none applies there.
	e.Use(readBody(bodyTimeout), withClient())
	registerHealth(e, cfg.Service)
	if cfg.MetricsToken != "" {
		e.GET("/metrics", bearerOnly(cfg.MetricsToken), m.handler())
	}
	cop := cfg.CrossOrigin
	if cop == nil {
		cop = http.NewCrossOriginProtection()
	}
	api := e.Group("/api/v1", crossOrigin(cop), identify(cfg.Auth), noStoreWhenAuthenticated())
	registerOpenAPI(api)
	routes(api, cfg, g)
	if cfg.OAI != nil {
		registerOAI(e, cfg.OAI, g.expensive())
	}
	if cfg.Thesaurus != nil {
		registerThesaurus(e, cfg.Thesaurus)
	}
	if cfg.Pages != nil {
		cfg.Pages.Register(e, g.expensive())
		e.NoRoute(func(c *gin.Context) {
			if strings.HasPrefix(c.Request.URL.Path, "/api/") {
				noSuchPage(c)
				return
			}
			cfg.Pages.NotFound(c)
		})
	}
	return &Engine{e}
}

// NewAdmin builds the engine served on the owner-only admin socket: the whole API, every
// request as the local admin, plus the routes the CLI uses while a server holds the store,
// whose long operations run as jobs of js.
func NewAdmin(cfg Config, svc AdminService, js Jobs) *Engine {
	m := cfg.metrics()
	e := newEngine(cfg, maxImportBody, m)
	registerHealth(e, cfg.Service)
	e.GET("/metrics", m.handler()) // reaching the socket proves the caller owns the data dir
	// The socket is its owner's: no rate holds the CLI back, and bodies (imports) stream.
	routes(e.Group("/api/v1", asLocalAdmin()), cfg, newGate(cfg.Shedding.withDefaults(), m, NoLimit))
	registerAdmin(e.Group("/admin/v1"), svc, js)
	return &Engine{e}
}
