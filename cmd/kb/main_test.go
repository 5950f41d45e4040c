package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
)

type result struct {
	stdout, stderr string
	code           int
}

func kb(t *testing.T, args ...string) result {
	t.Helper()
	return kbIn(t, "", args...)
}

// kbIn runs a command with text on its standard input.
func kbIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return result{out.String(), errb.String(), code}
}

// seeded is a new data dir holding the embedded corpus and its index, as a data dir has
// after its first command; TestExportImportRoundTrip starts from an empty one.
func seeded(t *testing.T) string { return apptest.SeededDir(t, "", "") }

func firstHitID(t *testing.T, r result) string {
	t.Helper()
	var res app.SearchResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("not JSON (%v): %s %s", err, r.stdout, r.stderr)
	}
	if len(res.Hits) == 0 {
		t.Fatalf("no hits: %s", r.stdout)
	}
	return res.Hits[0].ID
}

func TestSearchFindsWhatTheIssueAsks(t *testing.T) {
	data := seeded(t)
	for q, want := range map[string]string{
		"beach occupancy":       "amb-beach-occupancy-information",
		"telemedicine mountain": "hamamatsu-haruno-medical-maas",
		"telemedecine":          "hamamatsu-haruno-medical-maas",
	} {
		r := kb(t, "search", "--data", data, "--json", q)
		if r.code != 0 {
			t.Fatalf("%q: exit %d %s", q, r.code, r.stderr)
		}
		if got := firstHitID(t, r); got != want {
			t.Errorf("%q: first hit %s, want %s", q, got, want)
		}
	}
	r := kb(t, "search", "beach", "occupancy", "--data", data, "--limit", "2", "--area", "mobility")
	if r.code != 0 || !strings.Contains(r.stdout, "1. Information system on the occupancy level of beaches") || !strings.Contains(r.stdout, "*occupancy*") {
		t.Fatalf("text output:\n%s%s", r.stdout, r.stderr)
	}
	if strings.Count(r.stdout, "[") != 2 {
		t.Errorf("--limit 2 printed:\n%s", r.stdout)
	}
	r = kb(t, "search", "--data", data, "--explain", "--limit", "1", "aforo", "playas")
	if r.code != 0 || !strings.Contains(r.stdout, "why: matched 'occupancy'") {
		t.Errorf("--explain printed:\n%s", r.stdout)
	}
	r = kb(t, "search", "--data", data, "wfii")
	if r.code != 0 || !strings.Contains(r.stdout, "No practice matches.\nDid you mean: wifi") {
		t.Errorf("no match printed:\n%s", r.stdout)
	}
}

func TestRecommendCommand(t *testing.T) {
	data := seeded(t)
	r := kb(t, "recommend", "--data", data, "--country", "UY", "--population", "55000", "--weak-areas", "education", "--severity", "education=high", "--need", "students without internet at home", "--have", "municipal-wifi", "--limit", "3")
	if r.code != 0 || !strings.Contains(r.stdout, "+ addresses your weak area “Education and training” (how weak: high)") || !strings.Contains(r.stdout, "Peer cities:") {
		t.Fatalf("recommend: %+v", r)
	}
	if r := kb(t, "recommend", "--data", data, "--country", "UY", "--population", "-3", "--weak-areas", "education"); r.code != 1 || !strings.Contains(r.stderr, "population: must be a positive number") {
		t.Fatalf("bad population: %+v", r)
	}
	if r := kb(t, "recommend", "--data", data, "--city", "Tequila", "--weak-areas", "economy", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"population_band": "<50k"`) {
		t.Fatalf("known city: %+v", r)
	}
}

func TestShowAndValidate(t *testing.T) {
	data := seeded(t)
	r := kb(t, "show", "--data", data, "mexico-city-free-wifi-students")
	if r.code != 0 || !strings.Contains(r.stdout, "17 173 connection points") {
		t.Fatalf("show: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := kb(t, "show", "--data", data, "nope"); r.code != 1 || !strings.Contains(r.stderr, `no practice with id "nope"`) {
		t.Fatalf("show unknown: %+v", r)
	}
	if r := kb(t, "validate", "../../corpus"); r.code != 0 || !strings.Contains(r.stdout, "39 practices, all valid") ||
		!strings.Contains(r.stdout, "findings.yaml: 58 figures, all valid") {
		t.Fatalf("validate corpus: %+v", r)
	}
}

// The findings file is linted with the practices, its problems by line.
func TestValidateFindings(t *testing.T) {
	dir := t.TempDir()
	good, _ := corpus.FS.ReadFile("bilbao-geobilbao.md")
	os.WriteFile(filepath.Join(dir, "bilbao-geobilbao.md"), good, 0o644)
	findings, _ := corpus.FS.ReadFile(corpus.FindingsFile)
	text := string(findings)
	bad := strings.Replace(text, "    value: 43\n", "    value: -43\n", 1)
	os.WriteFile(filepath.Join(dir, corpus.FindingsFile), []byte(bad), 0o644)
	line := strings.Count(bad[:strings.Index(bad, "value: -43")], "\n") + 1
	r := kb(t, "validate", dir)
	want := fmt.Sprintf("%s:%d: value -43 must be a percentage", filepath.Join(dir, corpus.FindingsFile), line)
	if r.code != 1 || !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "bilbao") {
		t.Fatalf("want %q, got %+v", want, r)
	}
}

func TestValidateReportsFileAndLine(t *testing.T) {
	dir := t.TempDir()
	good, _ := corpus.FS.ReadFile("bilbao-geobilbao.md")
	os.WriteFile(filepath.Join(dir, "bilbao-geobilbao.md"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "bad.md"), []byte("---\nid: bad\ntitle: T\nsummary: S\ncity: X\ncountry: ZZ\nareas: [parks]\nsource: s\nlanguages: [en]\n---\nbody\n"), 0o644)
	os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "unreadable.md"))
	r := kb(t, "validate", dir)
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	for _, want := range []string{
		filepath.Join(dir, "bad.md") + ":6: country \"ZZ\"",
		filepath.Join(dir, "bad.md") + ":7: areas \"parks\"",
		filepath.Join(dir, "unreadable.md") + ":1: cannot read",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "bilbao-geobilbao") {
		t.Errorf("a valid file was reported:\n%s", r.stdout)
	}
	// Importing the same folder refuses everything and names the problems.
	data := t.TempDir()
	if r := kb(t, "import", "--data", data, dir); r.code != 1 || !strings.Contains(r.stderr, "bad.md:7:") {
		t.Fatalf("import of a bad corpus: %+v", r)
	}
}

// Export, import into an empty data dir, export again: the same bytes.
func TestExportImportRoundTrip(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	file := filepath.Join(t.TempDir(), "export.jsonl")
	if r := kb(t, "export", "--data", a, "--out", file); r.code != 0 {
		t.Fatalf("export: %+v", r)
	}
	first, _ := os.ReadFile(file)
	if n := bytes.Count(first, []byte("\n")); n != 39 {
		t.Fatalf("export has %d lines", n)
	}
	r := kb(t, "import", "--data", b, file)
	if r.code != 0 || !strings.Contains(r.stdout, "39 added") {
		t.Fatalf("import: %+v", r)
	}
	second := kb(t, "export", "--data", b)
	if second.stdout != string(first) {
		t.Fatal("export after import differs from the first export")
	}
	if r := kb(t, "import", "--data", b, file); !strings.Contains(r.stdout, "39 unchanged") {
		t.Fatalf("second import: %+v", r)
	}
	csv := kb(t, "export", "--data", b, "--format", "csv")
	if csv.code != 0 || !strings.HasPrefix(csv.stdout, "id,title,summary,city,country") {
		t.Fatalf("csv: %+v", csv)
	}
	if r := kb(t, "export", "--data", b, "--format", "xml"); r.code != 1 || !strings.Contains(r.stderr, "format") {
		t.Fatalf("unknown format: %+v", r)
	}
	if r := kb(t, "reindex", "--data", b); r.code != 0 || !strings.Contains(r.stdout, "reindexed 39") {
		t.Fatalf("reindex: %+v", r)
	}
}

func TestUsageErrors(t *testing.T) {
	data := seeded(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"show", "--data", data}, 2, "exactly one practice id"},
		{[]string{"search", "--data", data, "--nope"}, 2, "flag provided but not defined"},
		{[]string{"search", "--data", data, "--limit", "500", "x"}, 1, "limit: must be between 1 and 100"},
		{[]string{"import", "--data", data}, 2, "give one path"},
		{[]string{"serve", "--data", data, "--base-url", "kb.example.org"}, 2, "must be an absolute http or https URL"},
		{[]string{"serve", "--data", data, "--base-url", "https://kb.example.org/kb/"}, 2, "must be the root of a site"},
		{[]string{"serve", "--data", data, "--trusted-proxies", "10.0.0.0/8,proxy.local"}, 2, `trusted proxy "proxy.local"`},
		{[]string{"help"}, 0, ""},
	} {
		r := kb(t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr+r.stdout, tc.want) {
			t.Errorf("%v: exit %d, output %q %q", tc.args, r.code, r.stdout, r.stderr)
		}
	}
}

// syncBuffer lets the test read what a running command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve runs `kb serve` in the background and returns its base URL and a stop function
// that waits for a clean exit.
func serve(t *testing.T, data string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	e := env{stdin: strings.NewReader(""), stdout: out, stderr: &syncBuffer{}, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, []string{"serve", "--data", data, "--addr", "127.0.0.1:0"}) }()
	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			stopped := false
			stop := func() int {
				if stopped {
					return 0
				}
				stopped = true
				cancel()
				return <-done
			}
			t.Cleanup(func() { stop() })
			return "http://" + m[1], stop
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d", code)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatal("serve did not start")
	return "", nil
}

// While kb serve holds the store, every command reaches it over the admin socket.
func TestCommandsWorkWhileServing(t *testing.T) {
	data := seeded(t)
	base, stop := serve(t, data)
	st, err := os.Stat(filepath.Join(data, "kb.sock"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("admin socket: %v %v", st, err)
	}

	started := time.Now()
	r := kb(t, "search", "--data", data, "--json", "--country", "MX", "wifi")
	if r.code != 0 {
		t.Fatalf("search while serving: %+v", r)
	}
	if time.Since(started) > 10*time.Second {
		t.Fatal("search waited on the lock")
	}
	// The CLI's JSON is the API's document.
	resp, err := http.Get(base + "/api/v1/search?q=wifi&country=MX")
	if err != nil {
		t.Fatal(err)
	}
	var viaAPI, viaCLI app.SearchResult
	json.NewDecoder(resp.Body).Decode(&viaAPI)
	resp.Body.Close()
	json.Unmarshal([]byte(r.stdout), &viaCLI)
	if !reflect.DeepEqual(viaAPI, viaCLI) || len(viaAPI.Hits) == 0 {
		t.Fatalf("CLI and API differ:\n%+v\n%+v", viaCLI, viaAPI)
	}

	if r := kb(t, "show", "--data", data, "tehran-urban-cycling-app"); r.code != 0 || !strings.Contains(r.stdout, "5800") {
		t.Fatalf("show while serving: %+v", r)
	}
	export := filepath.Join(t.TempDir(), "e.jsonl")
	if r := kb(t, "export", "--data", data, "--out", export); r.code != 0 {
		t.Fatalf("export while serving: %+v", r)
	}
	// Import a changed record while serving; the server's search sees it at once.
	raw, _ := os.ReadFile(export)
	lines := strings.SplitAfter(string(raw), "\n")
	changed := strings.Replace(lines[0], `"title":"`, `"title":"Quokka `, 1)
	changed = regexp.MustCompile(`"version":\d+`).ReplaceAllString(changed, `"version":99`)
	os.WriteFile(export, []byte(changed), 0o644)
	if r := kb(t, "import", "--data", data, export); r.code != 0 || !strings.Contains(r.stdout, "1 updated") {
		t.Fatalf("import while serving: %+v", r)
	}
	resp, _ = http.Get(base + "/api/v1/search?q=quokka")
	var after app.SearchResult
	json.NewDecoder(resp.Body).Decode(&after)
	resp.Body.Close()
	if after.Total != 1 {
		t.Fatalf("imported change not searchable: %+v", after)
	}
	if r := kb(t, "reindex", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "reindexed 39") {
		t.Fatalf("reindex while serving: %+v", r)
	}
	if r := kb(t, "recommend", "--data", data, "--city", "Montevideo", "--weak-areas", "education"); r.code != 0 || !strings.Contains(r.stdout, "addresses your weak area “Education and training”") {
		t.Fatalf("recommend while serving: %+v", r)
	}
	if r := kb(t, "search", "--data", data, "--limit", "500", "x"); r.code != 1 || !strings.Contains(r.stderr, "limit") {
		t.Fatalf("a bad request over the socket keeps its error: %+v", r)
	}

	// Graceful stop: the store is released and reopens cleanly.
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if r := kb(t, "search", "--data", data, "--json", "quokka"); r.code != 0 || firstHitID(t, r) == "" {
		t.Fatalf("after stop: %+v", r)
	}
}

func TestAccountsTokensAndAuditFromTheCommandLine(t *testing.T) {
	data := seeded(t)
	if r := kbIn(t, "short\n", "user", "add", "--data", data, "--email", "c@example.org"); r.code != 1 || !strings.Contains(r.stderr, "password: must have at least 10 characters") {
		t.Fatalf("short password: %+v", r)
	}
	if r := kbIn(t, "a long enough password\n", "user", "add", "--data", data, "--email", "C@Example.org", "--role", "coordinator"); r.code != 0 || !strings.Contains(r.stdout, "user c@example.org saved with role coordinator") {
		t.Fatalf("user add: %+v", r)
	}
	if r := kb(t, "user", "list", "--data", data); !strings.Contains(r.stdout, "c@example.org  coordinator") {
		t.Fatalf("user list: %+v", r)
	}
	if r := kb(t, "token", "create", "--data", data, "--email", "nobody@example.org"); r.code != 1 || !strings.Contains(r.stderr, "has no account") {
		t.Fatalf("token for an unknown user: %+v", r)
	}

	base, _ := serve(t, data)
	r := kb(t, "token", "create", "--data", data, "--email", "c@example.org", "--name", "ci")
	token := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.HasPrefix(token, "kbt_") {
		t.Fatalf("token create while serving: %+v", r)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/review/submissions", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the new token on the API: %v %v", resp, err)
	}
	resp.Body.Close()
	list := kb(t, "token", "list", "--data", data)
	id := strings.Fields(strings.Split(list.stdout, "\n")[1])[0]
	if r := kb(t, "token", "revoke", "--data", data, id); r.code != 0 {
		t.Fatalf("revoke: %+v", r)
	}
	resp, _ = http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Fatalf("a revoked token on the API: %d", resp.StatusCode)
	}
	resp.Body.Close()
	r = kb(t, "audit", "--data", data, "--limit", "10")
	for _, want := range []string{"token.revoke", "token.create", "user.save"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("audit lacks %s:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(kb(t, "audit", "--data", data, "--json").stdout, "password_hash") {
		t.Error("the audit log shows a password hash")
	}
	// Disable, enable and remove, while serving: the login follows.
	login := func() int {
		resp, err := http.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"email":"c@example.org","password":"a long enough password"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, step := range []struct {
		cmd, out string
		login    int
	}{{"disable", "user c@example.org disabled", 401}, {"enable", "user c@example.org enabled", 200}, {"remove", "user c@example.org removed", 401}} {
		if r := kb(t, "user", step.cmd, "--data", data, "--email", "c@example.org"); r.code != 0 || !strings.Contains(r.stdout, step.out) {
			t.Fatalf("user %s: %+v", step.cmd, r)
		}
		if code := login(); code != step.login {
			t.Fatalf("login after user %s: %d, want %d", step.cmd, code, step.login)
		}
	}
	if r := kb(t, "user", "remove", "--data", data, "--email", "c@example.org"); r.code != 1 || !strings.Contains(r.stderr, "no account") {
		t.Fatalf("removing an unknown account: %+v", r)
	}
	if r := kb(t, "user", "disable", "--data", data); r.code != 2 {
		t.Fatalf("disable without --email: %+v", r)
	}
}

// A backup taken while serving restores into an empty data dir with the same content.
func TestBackupWhileServingAndRestore(t *testing.T) {
	data := seeded(t)
	base, stop := serve(t, data)
	resp, err := http.Post(base+"/api/v1/submissions", "application/json", strings.NewReader(`{"practice":{"title":"Backed-up case","summary":"S","city":"Bilbao","country":"ES","areas":["data"],"body":"B"},"contact":{"name":"N","email":"n@example.org"},"consent_to_publish":true}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("submit: %v %v", resp, err)
	}
	backup := filepath.Join(t.TempDir(), "kb.backup")
	if r := kb(t, "backup", "--data", data, backup); r.code != 0 {
		t.Fatalf("backup while serving: %+v", r)
	}
	before := kb(t, "export", "--data", data).stdout
	stop()
	restored := filepath.Join(t.TempDir(), "restored")
	if r := kb(t, "restore", "--data", restored, backup); r.code != 0 {
		t.Fatalf("restore: %+v", r)
	}
	if after := kb(t, "export", "--data", restored).stdout; after != before || len(after) == 0 {
		t.Fatal("the restored store exports differently")
	}
	if r := kb(t, "audit", "--data", restored, "--target", "submission:"); !strings.Contains(r.stdout, "submission.submit") {
		t.Fatalf("the submission's audit entry is not in the restore: %+v", r)
	}
	if r := kb(t, "restore", "--data", restored, backup); r.code != 1 || !strings.Contains(r.stderr, "empty data dir") {
		t.Fatalf("restore over data: %+v", r)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if r := kb(t, "restore", "--data", filepath.Join(t.TempDir(), "x"), junk); r.code != 1 || !strings.Contains(r.stderr, "not a kb backup") {
		t.Fatalf("restore of junk: %+v", r)
	}
}

func TestServeRefusesASecondServerOnTheSameData(t *testing.T) {
	data := seeded(t)
	serve(t, data)
	r := kb(t, "serve", "--data", data, "--addr", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "already holds") {
		t.Fatalf("second serve: %+v", r)
	}
}

// kb export --format csv neutralises what a spreadsheet would run as a formula.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	export := kb(t, "export", "--data", seeded(t))
	var p map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(export.stdout, "\n", 2)[0]), &p); err != nil {
		t.Fatal(err)
	}
	p["title"], p["summary"], p["results"] = `=HYPERLINK("http://evil.example","click")`, "@SUM(1+1)*cmd|' /C calc'!A0", []any{"-40% waiting time", "+3 clinics"}
	line, _ := json.Marshal(p)
	file := filepath.Join(t.TempDir(), "evil.jsonl")
	os.WriteFile(file, append(line, '\n'), 0o644)
	data := t.TempDir()
	if r := kb(t, "import", "--data", data, file); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	r := kb(t, "export", "--data", data, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	for i, want := range map[int]string{1: `'=HYPERLINK("http://evil.example","click")`, 2: "'@SUM(1+1)*cmd|' /C calc'!A0", 11: "'-40% waiting time; +3 clinics"} {
		if rows[1][i] != want {
			t.Errorf("%s: %q, want %q", rows[0][i], rows[1][i], want)
		}
	}
}
