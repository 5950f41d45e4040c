package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// unlimited lifts the per-address rates, for tests that send many requests from one.
var unlimited = server.Limits{
	Submissions: server.Rate{Every: time.Nanosecond, Burst: 1 << 30},
	Logins:      server.Rate{Every: time.Nanosecond, Burst: 1 << 30},
}

func openApp(t testing.TB) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{DataDir: t.TempDir(), BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Searches that time out at once leave their computation to the answer cache, which
// outlives the handler: it must hold the request's context, never Gin's (which Gin
// reuses for the next request). Run with -race, this reported races before.
func TestSearchesThatTimeOutShareNoGinContext(t *testing.T) {
	a := openApp(t)
	srv := httptest.NewServer(server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Limits: unlimited,
		Shedding: server.Shedding{Timeout: time.Nanosecond, Concurrent: 64, Wait: time.Minute}}))
	defer srv.Close()
	queries := []string{"water", "digital+divide", "students", "wifi+buses", "health", "bicycles", "data", "tourism"}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	statuses := map[int]int{}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)); i <= 300; i = int(next.Add(1)) {
				q := queries[i%len(queries)]
				resp, err := client.Get(srv.URL + "/api/v1/search?q=" + q + "&page=" + []string{"1", "2", "3"}[i%3])
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for status, n := range statuses {
		if status != http.StatusOK && status != http.StatusServiceUnavailable {
			t.Errorf("%d searches answered %d", n, status)
		}
	}
	t.Logf("statuses: %v", statuses)
}
