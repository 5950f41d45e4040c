package main

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/uclg-digital-cities/kb/internal/admin"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/assess"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// backend is the knowledge base as a command sees it: opened directly when no server
// holds the data dir, or reached over the running server's admin socket.
type backend interface {
	Search(ctx context.Context, req search.Request) (*app.SearchResult, error)
	Get(ctx context.Context, id string) (*practices.Practice, error)
	ImportWithProgress(ctx context.Context, ps []*practices.Practice, mode store.PutMode, progress index.Progress) (app.ImportReport, error)
	Export(ctx context.Context, w io.Writer, format string) error
	Reindex(ctx context.Context, progress index.Progress) (app.ReindexReport, error)
	Recommend(ctx context.Context, p recommend.Profile) (*recommend.Result, error)
	Assess(ctx context.Context, a assess.Answers) (*assess.Result, error)
	SavedAssessment(ctx context.Context, token string) (*assess.Result, error)
	AddUser(email, role, password string) (auth.UserInfo, error)
	Users() ([]auth.UserInfo, error)
	SetDisabled(email string, disabled bool) (auth.UserInfo, error)
	RemoveUser(email string) error
	CreateToken(email, name string) (string, auth.TokenInfo, error)
	Tokens() ([]auth.TokenInfo, error)
	RevokeToken(id string) error
	Audit(ctx context.Context, q audit.Query) ([]audit.Entry, error)
	Backup(ctx context.Context, w io.Writer) error
	Close() error
}

// lockWait is how long a command waits for the store's lock before it looks for a server.
const lockWait = 250 * time.Millisecond

// openBackend opens dataDir directly, or reaches the server that holds it.
func openBackend(ctx context.Context, e env, dataDir string, noSeed bool) (backend, error) {
	a, err := app.Open(ctx, app.Config{DataDir: dataDir, LockTimeout: lockWait, NoSeed: noSeed, Progress: progressBar(e, "indexing")})
	if errors.Is(err, store.ErrLocked) {
		return admin.Dial(ctx, dataDir)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
