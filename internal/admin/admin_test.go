package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/admin"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// serveAdmin serves the admin socket of a fresh data dir with a request time limit of one
// nanosecond: anything done within a request is cut at once, so whatever completes
// completed as a job.
func serveAdmin(t *testing.T) (*app.App, *admin.Client, *jobs.Registry) {
	return serveAdminOf(t, func(a *app.App) server.AdminService { return a })
}

// serveAdminOf serves the admin routes of the service svc makes of the app, with a
// time limit per request that no request keeps to, so that only jobs can finish.
func serveAdminOf(t *testing.T, svc func(*app.App) server.AdminService) (*app.App, *admin.Client, *jobs.Registry) {
	return serveAdminWithin(t, svc, time.Nanosecond)
}

// serveAdminWithin serves the admin routes with a time limit per request.
func serveAdminWithin(t *testing.T, svc func(*app.App) server.AdminService, limit time.Duration) (*app.App, *admin.Client, *jobs.Registry) {
	t.Helper()
	data := apptest.SeededDir(t, "", "")
	a, err := app.Open(context.Background(), app.Config{DataDir: data, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	reg := jobs.New(nil)
	ln, err := admin.Listen(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Service: a, Review: a.Review, Auth: a.Auth, Shedding: server.Shedding{Timeout: limit}}
	srv := &http.Server{Handler: server.NewAdmin(cfg, svc(a), reg)}
	go srv.Serve(ln)
	c, err := admin.Dial(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		srv.Close()
		if err := reg.Close(context.Background()); err != nil {
			t.Error(err)
		}
		a.Close()
	})
	return a, c, reg
}

// copies makes n new practices from the embedded corpus.
func copies(t *testing.T, a *app.App, n int) []*practices.Practice {
	t.Helper()
	ps, err := practices.ReadCorpus(corpus.FS, ".", a.Geo)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*practices.Practice, n)
	for i := range out {
		p := *ps[i%len(ps)]
		p.ID, p.URI = fmt.Sprintf("%s-copy-%d", p.ID, i), "" // a case of this node, not the study's
		p.Title = fmt.Sprintf("Zebracopy %d: %s", i, p.Title)
		out[i] = &p
	}
	return out
}

// An online import and a reindex run as jobs that no request's time limit cuts; the
// client follows them to the end and reports the true counts.
func TestImportAndReindexRunAsJobsBeyondTheRequestTimeout(t *testing.T) {
	a, c, _ := serveAdmin(t)
	var seen []int
	report, err := c.ImportWithProgress(context.Background(), copies(t, a, 100), store.NewVersion, func(done, total int) {
		if total != 200 {
			t.Errorf("progress total %d, want 200 (writes, then the index)", total)
		}
		seen = append(seen, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if report.Added != 100 || report.Updated != 0 || report.IndexError != "" {
		t.Fatalf("import: %+v", report)
	}
	if len(seen) == 0 || seen[len(seen)-1] != 200 {
		t.Fatalf("progress seen: %v", seen)
	}
	res, err := a.Search(context.Background(), search.Request{Query: "zebracopy", Limit: 1})
	if err != nil || res.Total != 100 {
		t.Fatalf("the imported practices are not all searchable: %v %v", res, err)
	}
	rr, err := c.Reindex(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rr.Practices != 139 || rr.Indexed != 139 {
		t.Fatalf("reindex: %+v", rr)
	}
}

// A job that fails keeps the error the service gave, with its fields.
func TestAFailedImportJobNamesWhatIsWrong(t *testing.T) {
	a, c, _ := serveAdmin(t)
	ps := copies(t, a, 3)
	ps[1].Country = "XX"
	_, err := c.ImportWithProgress(context.Background(), ps, store.NewVersion, nil)
	e := apperr.As(err)
	if e.Code != apperr.Invalid || !strings.Contains(e.Fields[ps[1].ID], "country") {
		t.Fatalf("want an invalid error naming %s's country, got %v", ps[1].ID, err)
	}
	if n, _ := a.Store.Count(); n != 39 {
		t.Fatalf("a refused import wrote: %d practices", n)
	}
}

// gatedImport holds every import until release is closed, having told its progress.
type gatedImport struct {
	*app.App
	release chan struct{}
}

func (g gatedImport) ImportWithProgress(ctx context.Context, ps []*practices.Practice, mode store.PutMode, progress index.Progress) (app.ImportReport, error) {
	progress(1, 2)
	<-g.release
	return g.App.ImportWithProgress(ctx, ps, mode, progress)
}

// An import the store refuses (a practice taking an identity another holds) says why,
// with the refusal's code, never as an internal error.
func TestARefusedImportSaysWhy(t *testing.T) {
	a, c, _ := serveAdmin(t)
	ps := copies(t, a, 1)
	study, _ := a.Get(context.Background(), "bilbao-geobilbao")
	ps[0].URI = study.Identity(a.Namespace)
	_, err := c.ImportWithProgress(context.Background(), ps, store.NewVersion, nil)
	if apperr.Code(err) != apperr.Conflict || !strings.Contains(err.Error(), "bilbao-geobilbao") {
		t.Fatalf("want a conflict naming the practice that holds the identity, got %v", err)
	}
}

// A client that stops following a job leaves it running, and says so.
func TestAJobOutlivesTheClientThatStoppedFollowingIt(t *testing.T) {
	release := make(chan struct{})
	a, c, reg := serveAdminOf(t, func(a *app.App) server.AdminService { return gatedImport{a, release} })
	ctx, cancel := context.WithCancel(context.Background())
	_, err := c.ImportWithProgress(ctx, copies(t, a, 20), store.NewVersion, func(int, int) { cancel() })
	msg := fmt.Sprint(err)
	start := strings.Index(msg, "goes on in the server (job ")
	if start < 0 {
		t.Fatalf("want the job's id in the error, got %v", err)
	}
	id, _, _ := strings.Cut(msg[start+len("goes on in the server (job "):], ")")
	close(release)
	info, err := reg.Wait(context.Background(), id)
	if err != nil || info.State != jobs.Done {
		t.Fatalf("the job after the client left: %+v %v", info, err)
	}
	if r, ok := info.Result.(app.ImportReport); !ok || r.Added != 20 {
		t.Fatalf("result %#v", info.Result)
	}
}

// kb search --explain through a running server: the socket's answer carries the reasons
// each hit matched, as the search in process does.
func TestSearchThroughTheSocketExplains(t *testing.T) {
	a, c, _ := serveAdminWithin(t, func(a *app.App) server.AdminService { return a }, 10*time.Second)
	req := search.Request{Query: "beach occupancy", Limit: 3, Explain: true}
	remote, err := c.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	local, err := a.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(remote.Hits) == 0 || len(remote.Hits[0].Explain) == 0 {
		t.Fatalf("no reasons through the socket: %+v", remote.Hits)
	}
	if remote.Hits[0].Explain[0].Text != local.Hits[0].Explain[0].Text {
		t.Fatalf("through the socket %q, in process %q", remote.Hits[0].Explain[0].Text, local.Hits[0].Explain[0].Text)
	}
	req.Explain = false
	if plain, _ := c.Search(context.Background(), req); len(plain.Hits[0].Explain) != 0 {
		t.Fatalf("reasons without --explain: %+v", plain.Hits[0].Explain)
	}
}
