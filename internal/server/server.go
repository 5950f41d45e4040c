// Package server is the HTTP face of the knowledge base: a Gin engine with the JSON API
// under /api/v1, health checks, the OpenAPI document, and (on the local admin socket
// only) the admin routes.
package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
)

// Service is what the handlers need from the knowledge base.
type Service interface {
	Search(ctx context.Context, req index.Request) (*app.SearchResult, error)
	Get(ctx context.Context, id string) (*practices.Practice, error)
	Similar(ctx context.Context, id string, limit int) (*app.SimilarResult, error)
	Suggest(ctx context.Context, q string, limit int) (*app.SuggestResult, error)
	Recommend(ctx context.Context, p recommend.Profile) (*recommend.Result, error)
	Ready(ctx context.Context) error
}

// AdminService adds what the admin socket offers.
type AdminService interface {
	Service
	Import(ctx context.Context, ps []*practices.Practice, mode practices.PutMode) (app.ImportReport, error)
	Export(ctx context.Context, w io.Writer, format string) error
	Reindex(ctx context.Context, progress index.Progress) error
}

// Config configures an engine.
type Config struct {
	Service Service
	Logger  *slog.Logger
	// MaxBody caps request bodies (bytes) on the public engine.
	MaxBody int64
}

// DefaultMaxBody is the body cap when Config.MaxBody is zero.
const DefaultMaxBody = 1 << 20

func init() { gin.SetMode(gin.ReleaseMode) }

func newEngine(cfg Config, maxBody int64) *gin.Engine {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true // c.Done/c.Err follow the request's context
	e.Use(withRequestID(log), accessLog(), recovery(), limitBody(maxBody))
	e.NoRoute(func(c *gin.Context) {
		writeError(c, apperr.Errorf(apperr.NotFound, "no such page: %s", c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{
			Code: apperr.Invalid, Message: "method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path,
		}})
	})
	return e
}

// New builds the public engine.
func New(cfg Config) *gin.Engine {
	max := cfg.MaxBody
	if max == 0 {
		max = DefaultMaxBody
	}
	e := newEngine(cfg, max)
	registerHealth(e, cfg.Service)
	api := e.Group("/api/v1")
	registerOpenAPI(api)
	registerSearch(api, cfg.Service)
	registerSuggest(api, cfg.Service)
	registerPractices(api, cfg.Service)
	registerRecommendations(api, cfg.Service)
	return e
}

// NewAdmin builds the engine served on the owner-only admin socket: the public API plus
// the admin routes that the CLI uses while a server holds the store.
func NewAdmin(cfg Config, svc AdminService) *gin.Engine {
	cfg.Service = svc
	e := newEngine(cfg, maxImportBody)
	registerHealth(e, svc)
	api := e.Group("/api/v1")
	registerSearch(api, svc)
	registerPractices(api, svc)
	registerRecommendations(api, svc)
	registerAdmin(e.Group("/admin/v1"), svc)
	return e
}
