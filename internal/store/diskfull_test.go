package store_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/web"
)

// noSpace is the error bbolt's commit returns when the disk is full: the file's WriteAt.
func noSpace() error { return &os.PathError{Op: "write", Path: "kb.db", Err: syscall.ENOSPC} }

// A full disk is injected with the store's test-only write fault; a real one cannot be
// made here (no tmpfs to fill), and bbolt returns the file's error from its commit as is.
func TestAFullDiskAnswers507AndIsNotReadyUntilAWriteSucceeds(t *testing.T) {
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost})
	pages, err := web.New(web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Geo: a.Geo, BaseURL: "http://kb.example.org", NetworkName: "Test network"})
	if err != nil {
		t.Fatal(err)
	}
	a.Review.Submissions = limit.New(limit.Rate{Every: time.Millisecond, Burst: 100}, "submissions")
	srv := httptest.NewServer(server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Pages: pages, MetricsToken: "test-metrics"}))
	defer srv.Close()
	call := func(method, path, ctype, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		req.AddCookie(&http.Cookie{Name: "kb_csrf", Value: "test-csrf-token-of-32-characters-or-more"})
		if path == "/metrics" {
			req.Header.Set("Authorization", "Bearer test-metrics")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	submit := func() (int, string) {
		return call("POST", "/api/v1/submissions", "application/json", `{"practice":{"title":"Disk case","summary":"S","city":"Bilbao","country":"ES","areas":["data"],"body":"B"},"contact":{"name":"N","email":"n@example.org"},"consent_to_publish":true}`)
	}
	gauge := func() string {
		_, body := call("GET", "/metrics", "", "")
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "kb_store_disk_full ") {
				return l
			}
		}
		t.Fatal("no kb_store_disk_full in /metrics")
		return ""
	}

	if code, body := call("GET", "/readyz", "", ""); code != 200 || gauge() != "kb_store_disk_full 0" {
		t.Fatalf("before: readyz %d %s, %s", code, body, gauge())
	}
	store.SetWriteFault(a.Store, noSpace)
	code, body := submit()
	if code != http.StatusInsufficientStorage || !strings.Contains(body, `"code":"disk_full"`) || !strings.Contains(body, "disk is full") {
		t.Fatalf("a write on a full disk: %d %s", code, body)
	}
	form := url.Values{"csrf_token": {"test-csrf-token-of-32-characters-or-more"}, "action": {"draft"}, "title": {"Disk case"}}
	code, body = call("POST", "/submit", "application/x-www-form-urlencoded", form.Encode())
	if code != http.StatusInsufficientStorage || !strings.Contains(body, "The server&#39;s disk is full: nothing was saved") {
		t.Fatalf("the form on a full disk: %d %s", code, body)
	}
	code, body = call("GET", "/readyz", "", "")
	if code != 503 || !strings.Contains(body, "the disk is full") || !strings.Contains(body, "no space left on device") {
		t.Fatalf("readyz on a full disk: %d %s", code, body)
	}
	if code, _ := call("GET", "/healthz", "", ""); code != 200 {
		t.Fatalf("healthz on a full disk: %d (the process is alive)", code)
	}
	if g := gauge(); g != "kb_store_disk_full 1" {
		t.Fatalf("metrics on a full disk: %s", g)
	}
	// Reads still work.
	if code, body := call("GET", "/api/v1/practices/montevideo-wifi-abc", "", ""); code != 200 {
		t.Fatalf("a read on a full disk: %d %s", code, body)
	}

	store.SetWriteFault(a.Store, nil)
	if code, body := submit(); code != 201 {
		t.Fatalf("a write once space is back: %d %s", code, body)
	}
	if code, body := call("GET", "/readyz", "", ""); code != 200 || gauge() != "kb_store_disk_full 0" {
		t.Fatalf("after a write succeeded: readyz %d %s, %s", code, body, gauge())
	}

	// With no write coming (a node out of rotation gets none), readiness itself tries one.
	store.SetWriteFault(a.Store, func() error { return &os.PathError{Op: "write", Path: "kb.db", Err: syscall.EDQUOT} })
	if code, _ := submit(); code != http.StatusInsufficientStorage {
		t.Fatalf("over quota: %d", code)
	}
	store.SetWriteFault(a.Store, nil)
	store.SetProbeInterval(a.Store, 0)
	if code, body := call("GET", "/readyz", "", ""); code != 200 {
		t.Fatalf("readiness did not find the space back: %d %s", code, body)
	}
}
