package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// unlimited lifts the per-address rates, for tests that send many requests from one
// (submissions and logins are limited by their services: set app.Review.Submissions to
// nil).
var unlimited = server.Limits{Expensive: server.NoLimit}

func openApp(t testing.TB) *app.App {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost})
	return a
}

// The request of issue #16 that ended the process: a page so large that page × limit
// overflowed past the window check, and the evaluator panicked inside the answer cache's
// shared computation. It is a 400 naming the page, and the server answers on.
func TestHugePageIsA400AndTheServerLivesOn(t *testing.T) {
	a := openApp(t)
	srv := httptest.NewServer(server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth}))
	defer srv.Close()
	get := func(target string) (int, server.ErrorBody) {
		t.Helper()
		resp, err := srv.Client().Get(srv.URL + target)
		if err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		defer resp.Body.Close()
		var body server.ErrorBody
		data, _ := io.ReadAll(resp.Body)
		json.Unmarshal(data, &body)
		return resp.StatusCode, body
	}
	for target, field := range map[string]string{
		"/api/v1/search?q=water&page=9223372036854775807":           "page",
		"/api/v1/search?q=water&page=99999999999999999999":          "page",
		"/api/v1/search?q=water&limit=9223372036854775807":          "limit",
		"/api/v1/search?q=water&page=9223372036854775807&limit=100": "page",
		"/api/v1/suggest?q=wa&limit=9223372036854775807":            "limit",
	} {
		status, body := get(target)
		if status != http.StatusBadRequest || body.Error.Fields[field] == "" {
			t.Errorf("%s: %d %+v, want a 400 naming %s", target, status, body.Error, field)
		}
	}
	if status, _ := get("/healthz"); status != http.StatusOK {
		t.Fatalf("healthz after the requests: %d", status)
	}
	if status, _ := get("/api/v1/search?q=water"); status != http.StatusOK {
		t.Fatalf("a search after the requests: %d", status)
	}
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
