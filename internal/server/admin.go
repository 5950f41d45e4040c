package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// maxImportBody caps an import sent over the admin socket.
const maxImportBody = 1 << 30

// Import modes on the wire.
const (
	ModeKeep = "keep" // keep the versions and dates of the records (restoring an export)
	ModeNew  = "new"  // stamp new versions (importing a corpus)
)

// AdminService is what the admin socket adds to the API: *app.App, or in tests one that
// holds an import back to show what a client does meanwhile.
type AdminService interface {
	ImportWithProgress(ctx context.Context, ps []*practices.Practice, mode store.PutMode, progress index.Progress) (app.ImportReport, error)
	Export(ctx context.Context, w io.Writer, format string) error
	Reindex(ctx context.Context, progress index.Progress) (app.ReindexReport, error)
	Backup(ctx context.Context, w io.Writer) error
	Check(ctx context.Context) (store.CheckReport, error)
}

// Jobs runs long operations in the background, beyond a request's time limit.
type Jobs interface {
	Start(kind string, fn jobs.Func) (string, error)
	Get(id string) (jobs.Info, error)
}

// JobBody is a job as the admin socket shows it: Result is the job's own document (an
// import's counts, a reindex's), Error why it failed.
type JobBody struct {
	ID      string          `json:"id"`
	Kind    string          `json:"kind"`
	State   jobs.State      `json:"state"`
	Done    int             `json:"done"`
	Total   int             `json:"total"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *ErrorDetail    `json:"error,omitempty"`
	Started time.Time       `json:"started"`
	Ended   time.Time       `json:"ended,omitzero"`
}

func jobBody(info jobs.Info) JobBody {
	b := JobBody{ID: info.ID, Kind: info.Kind, State: info.State, Done: info.Done, Total: info.Total, Started: info.Started, Ended: info.Ended}
	if info.Result != nil {
		b.Result, _ = json.Marshal(info.Result)
	}
	if info.Err != nil {
		e := apperr.As(info.Err)
		b.Error = &ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}
		if e.Code == apperr.Internal {
			// The registry logged the cause, with the job's id.
			b.Error = &ErrorDetail{Code: apperr.Internal, Message: "internal error (job " + info.ID + "; the cause is in the server's log)"}
		}
	}
	return b
}

// registerAdmin adds the routes the CLI reaches over the admin socket while a server
// holds the store. They are never registered on the public engine. Import and reindex
// outlast any request's time limit: each starts a job and answers 202 at once, and the
// CLI follows the job at /admin/v1/jobs/ID until it ends.
func registerAdmin(g *gin.RouterGroup, svc AdminService, js Jobs) {
	registerCheck(g, svc)
	start := func(c *gin.Context, kind string, fn jobs.Func) {
		id, err := js.Start(kind, fn)
		if err != nil {
			writeError(c, err)
			return
		}
		info, err := js.Get(id)
		c.Header("Location", "/admin/v1/jobs/"+id)
		respond(c, http.StatusAccepted, jobBody(info), err)
	}
	g.POST("/import", func(c *gin.Context) {
		mode := store.NewVersion
		switch c.Query("mode") {
		case ModeKeep:
			mode = store.KeepVersion
		case ModeNew, "":
		default:
			writeError(c, apperr.InvalidFields("bad import mode", map[string]string{"mode": "must be keep or new"}))
			return
		}
		ps, err := practices.ReadJSONL("request", c.Request.Body)
		if err != nil {
			writeError(c, apperr.InvalidFields("the import is not valid", map[string]string{"body": err.Error()}))
			return
		}
		start(c, "import", func(ctx context.Context, progress func(int, int)) (any, error) {
			return svc.ImportWithProgress(ctx, ps, mode, progress)
		})
	})
	g.POST("/reindex", func(c *gin.Context) {
		start(c, "reindex", func(ctx context.Context, progress func(int, int)) (any, error) {
			return svc.Reindex(ctx, progress)
		})
	})
	g.GET("/jobs/:id", func(c *gin.Context) {
		info, err := js.Get(c.Param("id"))
		respond(c, http.StatusOK, jobBody(info), err)
	})
	g.GET("/export", func(c *gin.Context) {
		announceStreamError(c)
		c.Status(http.StatusOK)
		if err := svc.Export(c.Request.Context(), c.Writer, c.Query("format")); err != nil {
			streamError(c, err)
		}
	})
	g.GET("/backup", func(c *gin.Context) {
		announceStreamError(c)
		c.Header("Content-Type", "application/octet-stream")
		c.Status(http.StatusOK)
		if err := svc.Backup(c.Request.Context(), c.Writer); err != nil {
			logger(c).Error("backup failed", "err", err)
			streamError(c, err)
		}
	})
}
