package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A background loop that panics is logged with its stack and started again; it never
// takes the process down.
func TestABackgroundLoopThatPanicsStartsAgain(t *testing.T) {
	defer func(d time.Duration) { loopRestart = d }(loopRestart)
	loopRestart = time.Millisecond
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	again := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		restartOnPanic(ctx, log, "harvests", func(ctx context.Context) {
			runs++
			if runs == 1 {
				panic("a peer sent nonsense")
			}
			close(again)
			<-ctx.Done()
		})
	})
	<-again
	cancel()
	wg.Wait()
	out := logs.String()
	if runs != 2 || !strings.Contains(out, "loop=harvests") || !strings.Contains(out, "a peer sent nonsense") || !strings.Contains(out, "serve_test.go") {
		t.Fatalf("runs %d, log:\n%s", runs, out)
	}
}

// openTestServe builds kb serve on a fresh data dir from the flags given, on a free port.
func openTestServe(t *testing.T, flags ...string) *serveMain {
	t.Helper()
	e := env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &syncBuffer{}, getenv: func(string) string { return "" }}
	cfg, err := parseServeFlags(e, append([]string{"--data", t.TempDir(), "--addr", "127.0.0.1:0", "--harvest-tick", "0", "--digest-every", "0"}, flags...))
	if err != nil {
		t.Fatal(err)
	}
	m, err := openServe(context.Background(), e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Close waits for the background work before it closes the store: a loop still busy
// when the server is told to stop finds the store open to the end.
func TestCloseWaitsForTheBackgroundWorkBeforeTheStoreCloses(t *testing.T) {
	m := openTestServe(t)
	started := make(chan struct{})
	var reads, failed atomic.Int32
	m.loops = append(m.loops, loop{"slow writer", func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		// Still working after the stop: each read must find the store open.
		for range 20 {
			if _, err := m.app.Store.Count(); err != nil {
				failed.Add(1)
			}
			reads.Add(1)
			time.Sleep(5 * time.Millisecond)
		}
	}})
	m.Run(context.Background())
	<-started
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if reads.Load() != 20 || failed.Load() != 0 {
		t.Fatalf("the loop had read %d times when Close returned, %d of them from a closed store", reads.Load(), failed.Load())
	}
	// The probe would have seen a closed store.
	if _, err := m.app.Store.Count(); err == nil {
		t.Fatal("the store still answers after Close")
	}
}

// --base-url reaches every absolute link: the pages' canonical and Open Graph URLs, the
// feed, OAI-PMH, and the mails to contributors, never the address the server listens on.
func TestTheBaseURLMakesEveryAbsoluteLink(t *testing.T) {
	const base = "https://kb.example.org"
	m := openTestServe(t, "--base-url", base+"/")
	m.Run(context.Background())
	t.Cleanup(func() { m.Close() })
	listen := "http://" + m.ln.Addr().String()
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(listen + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	for path, want := range map[string]string{
		"/practices/bilbao-geobilbao": `<link rel="canonical" href="` + base + `/practices/bilbao-geobilbao">`,
		"/feed.atom":                  base + "/practices/",
		"/oai?verb=Identify":          "<baseURL>" + base + "/oai</baseURL>",
	} {
		if body := get(path); !strings.Contains(body, want) || strings.Contains(body, listen) {
			t.Errorf("%s does not link from the base URL (want %q):\n%.2000s", path, want, body)
		}
	}
	submission := `{"practice":{"title":"Solar kiosks for phone charging in markets","summary":"The town installed solar kiosks where traders charge phones for free.",
		"city":"Kisumu","country":"KE","areas":["economy"],"body":"Kiosks with solar panels in three markets."},
		"contact":{"name":"Amina Otieno","role":"ICT officer","email":"amina@example.org"},"consent_to_publish":true}`
	resp, err := http.Post(listen+"/api/v1/submissions", "application/json", strings.NewReader(submission))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusAccepted {
		t.Fatalf("submission: %d", resp.StatusCode)
	}
	mail, err := m.app.Review.Outbox(context.Background(), 10)
	if err != nil || len(mail) == 0 {
		t.Fatalf("outbox %v %v", mail, err)
	}
	if !strings.Contains(mail[0].Body, base+"/") || strings.Contains(mail[0].Body, listen) {
		t.Fatalf("the mail does not link from the base URL:\n%s", mail[0].Body)
	}
}
