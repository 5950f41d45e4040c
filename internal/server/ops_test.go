package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// /metrics is served on the public address only to the configured token, and on the
// admin socket, with the public server's figures.
func TestMetricsNeedTheTokenOrTheAdminSocket(t *testing.T) {
	open, a := newEngine(t)
	if w := do(t, open, "GET", "/metrics", ""); w.Code != 404 {
		t.Fatalf("/metrics without a configured token: %d", w.Code)
	}
	m := server.NewMetrics(a)
	cfg := server.Config{Service: a, Review: a.Review, Auth: a.Auth, MetricsToken: "scrape-secret", Metrics: m}
	public, local := server.New(cfg), server.NewAdmin(cfg, a, jobs.New(nil))
	do(t, public, "GET", "/api/v1/search?q=wifi", "")
	for auth, want := range map[string]int{"": 401, "Bearer wrong": 401, "Basic scrape-secret": 401, "Bearer scrape-secret": 200} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		public.ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("/metrics with %q: %d, want %d", auth, w.Code, want)
		}
	}
	w := do(t, local, "GET", "/metrics", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `kb_http_requests_total{method="GET",route="/api/v1/search",status="200"} 1`) {
		t.Fatalf("the admin socket's /metrics: %d %.300s", w.Code, w.Body.String())
	}
}

func TestMetricsAndReadiness(t *testing.T) {
	_, a := newEngine(t)
	e := server.NewAdmin(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Metrics: server.NewMetrics(a)}, a, jobs.New(nil))
	do(t, e, "GET", "/api/v1/search?q=wifi", "")
	// A peer that answers when added, then goes away.
	peer := fedtest.Start(t, "metropolis.example.org")
	if _, err := a.Peers.Add(t.Context(), federation.NewPeer{Name: "metropolis", URL: peer.Endpoint}); err != nil {
		t.Fatal(err)
	}
	peer.Stop()
	a.Peers.Sync(t.Context(), "metropolis") // nothing listens there now: one failure
	w := do(t, e, "GET", "/metrics", "")
	if w.Code != 200 {
		t.Fatalf("metrics: %d", w.Code)
	}
	for _, want := range []string{
		`kb_http_requests_total{method="GET",route="/api/v1/search",status="200"} 1`,
		`kb_http_request_duration_seconds_bucket{method="GET",route="/api/v1/search"`,
		"kb_practices 39", "kb_index_documents 39", "kb_index_lag_changes 0", `kb_submissions{state="submitted"} 0`,
		"process_resident_memory_bytes", "kb_index_bytes",
		`kb_peer_failures{peer="metropolis"} 1`, `kb_peer_last_success_timestamp_seconds{peer="metropolis"} 0`, `kb_peer_records_received_total{peer="metropolis"} 0`,
	} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if w := do(t, e, "GET", "/readyz", ""); w.Code != 200 {
		t.Errorf("readyz: %d %s", w.Code, w.Body.String())
	}
}

// Under overload the server sheds expensive requests with 503 and Retry-After, and keeps
// answering cheap ones. The load runs on loopback, bounded in count.
func TestOverloadShedsExpensiveRequestsOnly(t *testing.T) {
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	srv := httptest.NewServer(server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth,
		Shedding: server.Shedding{Concurrent: 1, Wait: time.Microsecond}}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}, Timeout: 20 * time.Second}
	get := func(path string) (int, string) {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			return 0, ""
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	var mu sync.Mutex
	counts := map[int]int{}
	cheap := map[int]int{}
	retryAfter := ""
	var wg sync.WaitGroup
	for c := 0; c < 24; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				status, ra := get("/api/v1/search?q=digital+services+public+transport+students")
				cs, _ := get([]string{"/healthz", "/api/v1/practices/bilbao-geobilbao", "/api/v1/sessions"}[(c+i)%3])
				mu.Lock()
				counts[status]++
				cheap[cs]++
				if ra != "" {
					retryAfter = ra
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	t.Logf("expensive: %v; cheap: %v", counts, cheap)
	if counts[503] == 0 || retryAfter != "1" {
		t.Errorf("nothing was shed (or no Retry-After): %v", counts)
	}
	if counts[200] == 0 {
		t.Errorf("no expensive request got through: %v", counts)
	}
	if cheap[200] != 240 {
		t.Errorf("cheap requests failed under load: %v", cheap)
	}
}
