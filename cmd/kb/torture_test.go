package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// TestMain lets the crash test run this binary as a server it can kill.
func TestMain(m *testing.M) {
	if args := os.Getenv("KB_TEST_CHILD"); args != "" {
		e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			os.Exit(2)
		}
		os.Exit(run(context.Background(), e, argv))
	}
	os.Exit(m.Run())
}

// studyAuthority makes a child the publisher of the study's cases, so that it may edit
// them.
var studyAuthority = []string{"--oai-namespace", "kb.localhost", "--study-authority", "kb.localhost"}

type child struct {
	cmd    *exec.Cmd
	base   string
	exited chan struct{} // closed when the process has ended
	stderr *syncBuffer
}

// startChild starts a server on data and waits until it is ready, or has ended. The
// address is found free and then released, so another process may take it first: the
// child then ends saying so, and it is started again on another. No deadline of its
// own: under load a restart may take long, and the test's timeout bounds it.
func startChild(t *testing.T, data string, extra ...string) *child {
	t.Helper()
	for attempt := 0; ; attempt++ {
		c, err := tryChild(data, extra...)
		if err == nil {
			return c
		}
		if !strings.Contains(err.Error(), "address already in use") || attempt == 4 {
			t.Fatalf("the server did not become ready: %v", err)
		}
	}
}

func tryChild(data string, extra ...string) (*child, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	argv, _ := json.Marshal(append([]string{"serve", "--data", data, "--addr", addr, "--log-format", "json", "--metrics-token", "torture-metrics"}, extra...))
	cmd.Env = append(os.Environ(), "KB_TEST_CHILD="+string(argv))
	c := &child{cmd: cmd, base: "http://" + addr, exited: make(chan struct{}), stderr: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = io.Discard, c.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { cmd.Wait(); close(c.exited) }()
	for {
		if resp, err := http.Get(c.base + "/readyz"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c, nil
			}
			if strings.Contains(string(body), "damaged") { // never ready: no use waiting
				c.kill()
				return nil, fmt.Errorf("the server says: %s", body)
			}
		}
		select {
		case <-c.exited:
			return nil, fmt.Errorf("the server ended: %s", tail(c.stderr.String(), 2000))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }

func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

// acked records what the server acknowledged.
type acked struct {
	mu          sync.Mutex
	submissions map[string]string // id → tracking token
	accepted    map[string]string // submission id → practice id
	versions    map[string]int    // practice id → least version acknowledged
}

// count is the number of edits acknowledged so far.
func (a *acked) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, v := range a.versions {
		n += v
	}
	return n
}

func TestCrashesLoseNothingAcknowledged(t *testing.T) {
	t.Parallel() // its servers restart and sleep between kills: the slow peer waits meanwhile
	rounds := 6
	if s := os.Getenv("KB_TORTURE_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		rounds = 2
	}
	data := seeded(t)
	if r := kbIn(t, "a long enough password\n", "user", "add", "--data", data, "--email", "c@example.org"); r.code != 0 {
		t.Fatal(r)
	}
	token := strings.TrimSpace(kb(t, "token", "create", "--data", data, "--email", "c@example.org").stdout)
	ack := &acked{submissions: map[string]string{}, accepted: map[string]string{}, versions: map[string]int{}}
	client := &http.Client{Timeout: 10 * time.Second}
	editable := []string{"bilbao-geobilbao", "montevideo-wifi-abc", "tequila-real-time-destination-capacity"}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	for round := 0; round < rounds; round++ {
		c := startChild(t, data, studyAuthority...)
		verify(t, c, client, ack, token)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					switch (w + i) % 3 {
					case 0:
						submit(c, client, ack, fmt.Sprintf("r%d-w%d-%d", round, w, i))
					case 1:
						edit(c, client, ack, token, editable[(w+i/3)%len(editable)], fmt.Sprintf("edit r%d w%d i%d", round, w, i))
					default:
						decide(c, client, ack, token)
					}
				}
			}(w)
		}
		// The kill comes in the middle of the writes, once an edit of this round was
		// acknowledged (bounded: a slow machine, or the race detector, makes the first
		// ones late), so that every round tests something.
		edits := ack.count()
		for wait := 0; ack.count() == edits && wait < 300; wait++ {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(700)) * time.Millisecond)
		c.kill() // SIGKILL in the middle of the writes
		close(stop)
		wg.Wait()
	}
	c := startChild(t, data, studyAuthority...)
	verify(t, c, client, ack, token)
	c.kill()
	// bbolt's own consistency check passes on the file the kills left.
	s, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rounds: %d submissions, %d accepted, %d edited practices acknowledged", rounds, len(ack.submissions), len(ack.accepted), len(ack.versions))
	if len(ack.submissions) == 0 || len(ack.versions) == 0 {
		t.Fatal("the load acknowledged nothing: the test tested nothing")
	}
}

func post(client *http.Client, method, url, token, body string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

func submit(c *child, client *http.Client, ack *acked, tag string) {
	body := fmt.Sprintf(`{"practice":{"title":"Crash case %s","summary":"S","city":"Bilbao","country":"ES","areas":["data"],"body":"B %s"},"contact":{"name":"N","email":"n@example.org"},"consent_to_publish":true}`, tag, tag)
	resp, data, err := post(client, "POST", c.base+"/api/v1/submissions", "", body)
	if err != nil || resp.StatusCode != 201 {
		return
	}
	var r struct {
		ID            string `json:"id"`
		TrackingToken string `json:"tracking_token"`
	}
	json.Unmarshal(data, &r)
	ack.mu.Lock()
	ack.submissions[r.ID] = r.TrackingToken
	ack.mu.Unlock()
}

func edit(c *child, client *http.Client, ack *acked, token, id, summary string) {
	resp, data, err := post(client, "GET", c.base+"/api/v1/practices/"+id, "", "")
	if err != nil || resp.StatusCode != 200 {
		return
	}
	var p map[string]any
	json.Unmarshal(data, &p)
	p["summary"] = summary
	body, _ := json.Marshal(p)
	resp, data, err = post(client, "PUT", c.base+"/api/v1/practices/"+id, token, string(body))
	if err != nil || resp.StatusCode != 200 {
		return
	}
	var out struct{ Version int }
	json.Unmarshal(data, &out)
	ack.mu.Lock()
	ack.versions[id] = max(ack.versions[id], out.Version)
	ack.mu.Unlock()
}

func decide(c *child, client *http.Client, ack *acked, token string) {
	resp, data, err := post(client, "GET", c.base+"/api/v1/review/submissions?status=submitted", token, "")
	if err != nil || resp.StatusCode != 200 {
		return
	}
	var q struct{ Submissions []struct{ ID string } }
	json.Unmarshal(data, &q)
	if len(q.Submissions) == 0 {
		return
	}
	id := q.Submissions[0].ID
	resp, data, err = post(client, "POST", c.base+"/api/v1/review/submissions/"+id+"/decision", token, `{"decision":"accept"}`)
	if err != nil || resp.StatusCode != 200 {
		return
	}
	var r struct {
		PracticeID string `json:"practice_id"`
	}
	json.Unmarshal(data, &r)
	ack.mu.Lock()
	ack.accepted[id] = r.PracticeID
	ack.mu.Unlock()
}

var metric = regexp.MustCompile(`(?m)^(kb_practices|kb_index_documents|kb_index_lag_changes) (\d+)`)

// verify checks, after a restart, that everything acknowledged is there and whole.
func verify(t *testing.T, c *child, client *http.Client, ack *acked, token string) {
	t.Helper()
	ack.mu.Lock()
	defer ack.mu.Unlock()
	for id, tok := range ack.submissions {
		req, _ := http.NewRequest("GET", c.base+"/api/v1/submissions/"+id, nil)
		req.Header.Set("X-Tracking-Token", tok)
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("acknowledged submission %s is missing after a crash: %v %v", id, resp, err)
		}
		var s struct {
			Status     string
			PracticeID string `json:"practice_id"`
		}
		json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		if pid, ok := ack.accepted[id]; ok && (s.Status != "accepted" || s.PracticeID != pid) {
			t.Fatalf("acknowledged acceptance of %s lost: %+v", id, s)
		}
		// Nothing half-written: an accepted submission's practice exists, and is found.
		if s.Status == "accepted" {
			resp, _, err := post(client, "GET", c.base+"/api/v1/practices/"+s.PracticeID, "", "")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("submission %s is accepted but its practice %s is missing", id, s.PracticeID)
			}
		}
	}
	for id, v := range ack.versions {
		_, data, err := post(client, "GET", c.base+"/api/v1/practices/"+id, "", "")
		var p struct{ Version int }
		json.Unmarshal(data, &p)
		if err != nil || p.Version < v {
			t.Fatalf("practice %s is at version %d, but version %d was acknowledged", id, p.Version, v)
		}
	}
	// The index agrees with the store.
	_, data, _ := post(client, "GET", c.base+"/metrics", "torture-metrics", "")
	m := map[string]int{}
	for _, x := range metric.FindAllStringSubmatch(string(data), -1) {
		m[x[1]], _ = strconv.Atoi(x[2])
	}
	if m["kb_practices"] == 0 || m["kb_practices"] != m["kb_index_documents"] || m["kb_index_lag_changes"] != 0 {
		t.Fatalf("the index disagrees with the store after a restart: %v", m)
	}
}
