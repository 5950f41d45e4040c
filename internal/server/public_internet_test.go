package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// publicServer runs the API on a loopback test server with cfg's other settings.
func publicServer(t *testing.T, cfg server.Config) string {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{DataDir: t.TempDir(), BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	cfg.Service, cfg.Review, cfg.Auth = a, a.Review, a.Auth
	srv := httptest.NewServer(server.New(cfg))
	t.Cleanup(srv.Close)
	return srv.URL
}

func post(t *testing.T, target, body string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// X-Forwarded-For names the client only when a configured proxy sends it: otherwise any
// client could pose as a new one to every rate limit.
func TestForwardedForOnlyFromTrustedProxies(t *testing.T) {
	once := server.Limits{Submissions: server.Rate{Every: time.Hour, Burst: 1}}
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	loopback, err := server.ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil || len(loopback) != 2 || loopback[0].String() != "127.0.0.1/32" {
		t.Fatalf("parse: %v %v", loopback, err)
	}

	base := publicServer(t, server.Config{Limits: once})
	post(t, base+"/api/v1/submissions", `{}`, from("203.0.113.1"))
	if resp := post(t, base+"/api/v1/submissions", `{}`, from("203.0.113.2")); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("without trusted proxies a forged X-Forwarded-For passed as another client: %d", resp.StatusCode)
	}

	base = publicServer(t, server.Config{Limits: once, TrustedProxies: loopback})
	post(t, base+"/api/v1/submissions", `{}`, from("203.0.113.1"))
	if resp := post(t, base+"/api/v1/submissions", `{}`, from("203.0.113.1")); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("behind a trusted proxy the same client was not limited: %d", resp.StatusCode)
	}
	if resp := post(t, base+"/api/v1/submissions", `{}`, from("203.0.113.2")); resp.StatusCode == http.StatusTooManyRequests {
		t.Errorf("behind a trusted proxy another client was limited as the proxy")
	}
}
