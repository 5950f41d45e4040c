package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/store"
	bolt "go.etcd.io/bbolt"
)

// kbProcess runs kb with args in a process of its own (this test binary, see TestMain),
// so that a crash fails the test instead of killing it.
func kbProcess(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	argv, _ := json.Marshal(args)
	cmd.Env = append(os.Environ(), "KB_TEST_CHILD="+string(argv))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Run()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("kb %v was killed by %v:\n%s", args, ws.Signal(), errb.String())
	}
	r := result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "fatal error:") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("kb %v crashed (exit %d):\n%s", args, r.code, r.stderr)
	}
	return r
}

// seededDir is a data dir that served the embedded corpus, with its index; each test
// gets copies of it.
func seededDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "seeded")
	if r := kb(t, "show", "--data", dir, "montevideo-wifi-abc"); r.code != 0 {
		t.Fatal(r)
	}
	return dir
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm())
		}
		if !info.Mode().IsRegular() {
			return nil // the admin socket
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every way a store can be lost or cut short gives a refusal that names the file and
// the restore, from kb serve and kb check alike: never a new store seeded over the old
// dir, never a crash.
func TestALostOrCutShortStoreIsRefusedNeverReseededNorACrash(t *testing.T) {
	seeded := seededDir(t)
	whole, err := os.ReadFile(filepath.Join(seeded, store.File))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		damage func(dir string)
		want   string
	}{
		{"missing", func(dir string) { os.Remove(filepath.Join(dir, "kb.db")) }, "kb.db is missing, but DIR/" + store.MarkerFile + " shows this data dir held a knowledge base"},
		{"missing, from before the marker", func(dir string) {
			os.Remove(filepath.Join(dir, "kb.db"))
			os.Remove(filepath.Join(dir, store.MarkerFile))
		}, "kb.db is missing, but DIR/index.bleve shows this data dir held a knowledge base"},
		{"empty", func(dir string) { os.Truncate(filepath.Join(dir, "kb.db"), 0) }, "DIR/kb.db is empty (0 bytes)"},
		{"cut to a third", func(dir string) { os.Truncate(filepath.Join(dir, "kb.db"), int64(len(whole)/3)) }, "DIR/kb.db is cut short"},
		{"cut to half", func(dir string) { os.Truncate(filepath.Join(dir, "kb.db"), int64(len(whole)/2)) }, "DIR/kb.db is cut short"},
		{"cut past one page", func(dir string) { os.Truncate(filepath.Join(dir, "kb.db"), 4096+512) }, "DIR/kb.db is cut short"},
		{"writable by others", func(dir string) { os.Chmod(dir, 0o777) }, "DIR is writable by group or others (mode 0777)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			copyDir(t, seeded, dir)
			c.damage(dir)
			before, _ := os.ReadFile(filepath.Join(dir, "kb.db"))
			want := strings.ReplaceAll(c.want, "DIR", dir)
			for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"check"}, {"show", "montevideo-wifi-abc"}} {
				r := kbProcess(t, append(args, "--data", dir)...)
				if r.code != 1 || !strings.Contains(r.stderr, want) {
					t.Fatalf("kb %s: exit %d, want 1 saying %q:\n%s%s", args[0], r.code, want, r.stdout, r.stderr)
				}
				if c.name != "writable by others" && !strings.Contains(r.stderr, "kb restore --data "+dir+" FILE") {
					t.Fatalf("kb %s does not say how to restore:\n%s", args[0], r.stderr)
				}
				if after, _ := os.ReadFile(filepath.Join(dir, "kb.db")); !bytes.Equal(before, after) {
					t.Fatalf("kb %s changed the store file (%d -> %d bytes)", args[0], len(before), len(after))
				}
			}
		})
	}
}

// A backup cut short is refused by kb restore before bbolt maps it.
func TestRestoreRefusesABackupCutShort(t *testing.T) {
	whole, err := os.ReadFile(filepath.Join(seededDir(t), store.File))
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "kb.backup")
	os.WriteFile(backup, whole[:len(whole)/2], 0o600)
	target := filepath.Join(t.TempDir(), "restored")
	r := kbProcess(t, "restore", "--data", target, backup)
	if r.code != 1 || !strings.Contains(r.stderr, "is cut short") {
		t.Fatalf("restore of a backup cut short: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(target, store.File)); err == nil {
		t.Fatal("the backup cut short was put in place")
	}
}

// flipIn changes one byte wherever text occurs in the data dir's store file.
func flipIn(t *testing.T, dir, text string) int {
	t.Helper()
	path := filepath.Join(dir, store.File)
	data, _ := os.ReadFile(path)
	n := bytes.Count(data, []byte(text))
	data = bytes.ReplaceAll(data, []byte(text), []byte(strings.ToUpper(text[:1])+text[1:]))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

// A byte flipped inside a stored practice is found by every read and by kb check, and
// the altered practice is never served or exported: directly and through a server.
func TestAFlippedByteInAPracticeIsDamageNeverData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	copyDir(t, seededDir(t), dir)
	// The English title of montevideo-wifi-abc (its translations name wifi ABC too), in its
	// current value and its version 1.
	if n := flipIn(t, dir, "city (wifi ABC)"); n != 2 {
		t.Fatalf("the title is stored %d times, want 2", n)
	}
	const damaged = `the store is damaged: practice "montevideo-wifi-abc"`
	r := kbProcess(t, "show", "--data", dir, "montevideo-wifi-abc")
	if r.code != 1 || !strings.Contains(r.stderr, damaged) || !strings.Contains(r.stderr, "kb restore --data") || strings.Contains(r.stdout, "City (wifi ABC)") {
		t.Fatalf("kb show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = kbProcess(t, "export", "--data", dir)
	if r.code != 1 || !strings.Contains(r.stderr, damaged) || strings.Contains(r.stdout, "City (wifi ABC)") {
		t.Fatalf("kb export: exit %d, altered data exported: %v\n%s", r.code, strings.Contains(r.stdout, "City (wifi ABC)"), r.stderr)
	}
	r = kbProcess(t, "check", "--data", dir)
	if r.code != 1 || !strings.Contains(r.stdout, `damaged: practice "montevideo-wifi-abc" (its current version) does not match its checksum`) ||
		!strings.Contains(r.stdout, `damaged: practice "montevideo-wifi-abc" version 1 does not match its checksum`) || !strings.Contains(r.stderr, "is damaged (2 problems)") {
		t.Fatalf("kb check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Through a running server: the commands reach it over its admin socket.
	srv := startServing(t, dir)
	resp, body := getBody(t, srv+"/api/v1/practices/montevideo-wifi-abc")
	if resp.StatusCode != 500 || !strings.Contains(body, `"code":"store_damaged"`) || strings.Contains(body, "City (wifi ABC)") {
		t.Fatalf("the API served: %d %s", resp.StatusCode, body)
	}
	if resp, body := getBody(t, srv+"/api/v1/practices/bilbao-geobilbao"); resp.StatusCode != 200 {
		t.Fatalf("an intact practice: %d %s", resp.StatusCode, body)
	}
	if r := kb(t, "check", "--data", dir); r.code != 1 || !strings.Contains(r.stdout, `practice "montevideo-wifi-abc"`) {
		t.Fatalf("kb check through the server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := kb(t, "export", "--data", dir); r.code != 1 || !strings.Contains(r.stderr, damaged) || strings.Contains(r.stdout, "City (wifi ABC)") {
		t.Fatalf("kb export through the server: exit %d\n%s", r.code, r.stderr)
	}
	if resp, body := getBody(t, srv+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, `the store is damaged`) {
		t.Fatalf("readyz with damage found: %d %s", resp.StatusCode, body)
	}
}

// startServing runs kb serve on dir until the test ends and returns its URL once it
// answers /healthz (not /readyz: a damaged store is never ready).
func startServing(t *testing.T, dir string) string {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	argv, _ := json.Marshal([]string{"serve", "--data", dir, "--addr", addr})
	cmd.Env = append(os.Environ(), "KB_TEST_CHILD="+string(argv))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return "http://" + addr
			}
		}
	}
	t.Fatal("kb serve did not answer")
	return ""
}

func getBody(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// pageOf returns the id of the first page of type typ (leaf, branch, freelist) in dir's
// store, and the store's page size.
func pageOf(t *testing.T, dir, typ string) (int, int) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, store.File), 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := -1
	db.View(func(tx *bolt.Tx) error {
		for i := 2; id < 0; i++ {
			info, err := tx.Page(i)
			if err != nil || info == nil {
				return err
			}
			if info.Type == typ {
				id = i
			}
		}
		return nil
	})
	if id < 0 {
		t.Fatalf("no %s page", typ)
	}
	return id, db.Info().PageSize
}

// Damage in the pages' own headers is found without reading them through bbolt's map:
// an overflow count flipped to two billion made bbolt's check loop (and fill memory)
// for ever, and a freelist count past its page is read by bbolt at open.
func TestDamagedPageHeadersAreReportedNotACrashOrAHang(t *testing.T) {
	seeded := seededDir(t)

	dir := filepath.Join(t.TempDir(), "overflow")
	copyDir(t, seeded, dir)
	id, ps := pageOf(t, dir, "leaf")
	path := filepath.Join(dir, store.File)
	data, _ := os.ReadFile(path)
	data[id*ps+15] ^= 0x80 // the high bit of the page's overflow count
	os.WriteFile(path, data, 0o600)
	r := kbProcess(t, "check", "--data", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "overflow pages run past the last page") {
		t.Fatalf("kb check of a page with a flipped overflow count: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	dir = filepath.Join(t.TempDir(), "freelist")
	copyDir(t, seeded, dir)
	id, ps = pageOf(t, dir, "freelist")
	path = filepath.Join(dir, store.File)
	data, _ = os.ReadFile(path)
	data[id*ps+10], data[id*ps+11] = 0xFE, 0xFF // 65534 free pages, in one page
	os.WriteFile(path, data, 0o600)
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"check"}} {
		r := kbProcess(t, append(args, "--data", dir)...)
		if r.code != 1 || !strings.Contains(r.stderr, "free page ids do not fit") || !strings.Contains(r.stderr, "kb restore --data "+dir) {
			t.Fatalf("kb %s with a freelist count past its page: exit %d\n%s", args[0], r.code, r.stderr)
		}
	}
}

// Single bits flipped at random in the pages a seeded store uses: kb export never
// serves altered data, and neither it nor kb check crashes or hangs (kbProcess fails the
// test then). KB_FLIP_TRIALS=200 runs more (the README's figures); KB_FLIP_SEED picks
// another set.
func TestRandomBitFlipsNeverServeAlteredDataNorCrash(t *testing.T) {
	trials, seed := 8, uint64(7)
	if s := os.Getenv("KB_FLIP_TRIALS"); s != "" {
		trials, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("KB_FLIP_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	seeded := seededDir(t)
	whole, _ := os.ReadFile(filepath.Join(seeded, store.File))
	ref := kbProcess(t, "export", "--data", seeded)
	if ref.code != 0 {
		t.Fatal(ref)
	}
	_, ps := pageOf(t, seeded, "leaf")
	db, err := bolt.Open(filepath.Join(seeded, store.File), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var used int64
	db.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	db.Close()
	rng := rand.New(rand.NewPCG(seed, 2))
	counts := map[string]int{}
	for i := 0; i < trials; i++ {
		dir := filepath.Join(t.TempDir(), "data")
		copyDir(t, seeded, dir)
		data := bytes.Clone(whole)
		off := 2*int64(ps) + rng.Int64N(used-2*int64(ps)) // past the two meta pages
		data[off] ^= 1 << rng.IntN(8)
		os.WriteFile(filepath.Join(dir, store.File), data, 0o600)
		r := kbProcess(t, "export", "--data", dir)
		switch {
		case r.code == 0 && r.stdout != ref.stdout:
			t.Fatalf("a bit flipped at %d: kb export served altered data", off)
		case r.code == 0:
			counts["export unchanged"]++
		default:
			counts["export refused"]++
		}
		if c := kbProcess(t, "check", "--data", dir); c.code == 1 {
			counts["check found damage"]++
		} else if c.code != 0 {
			t.Fatalf("a bit flipped at %d: kb check exit %d\n%s", off, c.code, c.stderr)
		}
	}
	t.Logf("%d bit flips: %v", trials, counts)
}
