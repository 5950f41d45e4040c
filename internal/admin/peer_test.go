package admin

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestOnlyTheSameUserOrRootIsTrusted(t *testing.T) {
	for _, c := range []struct {
		peer, self uint32
		ok         bool
	}{{1000, 1000, true}, {0, 1000, true}, {1001, 1000, false}, {0, 0, true}, {1000, 0, false}} {
		if got := trusted(c.peer, c.self); got != c.ok {
			t.Errorf("peer %d, self %d: %v", c.peer, c.self, got)
		}
	}
}

// syncBuffer collects the log lines of a server's goroutines.
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

// serveOK serves a 200 on ln until the test ends.
func serveOK(t *testing.T, ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// ask sends a request on the socket and returns what came back (nothing when refused).
func ask(t *testing.T, path string) string {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /healthz HTTP/1.0\r\n\r\n")
	data, _ := io.ReadAll(conn)
	return string(data)
}

// The listener reads the peer's credentials from the kernel and closes the connections
// it does not trust, logging them; here it is told to trust nobody, as a second user
// cannot be made without root (TestAnotherUserIsRefusedForReal does it as root).
func TestTheAdminSocketRefusesUntrustedPeersAndLogsThem(t *testing.T) {
	var logs syncBuffer
	dir := t.TempDir()
	ln, err := Listen(dir, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*peerListener).trust = func(uint32) bool { return false }
	serveOK(t, ln)
	if got := ask(t, SocketPath(dir)); got != "" {
		t.Fatalf("an untrusted peer got an answer: %q", got)
	}
	if !strings.Contains(logs.String(), "refused a connection from another user") || !strings.Contains(logs.String(), fmt.Sprintf("uid=%d", os.Getuid())) {
		t.Fatalf("the refusal was not logged with the peer's uid:\n%s", logs.String())
	}

	// The same user is trusted, and the client checks the server back.
	dir = t.TempDir()
	ln, err = Listen(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	serveOK(t, ln)
	if got := ask(t, SocketPath(dir)); !strings.HasSuffix(got, "ok") {
		t.Fatalf("the same user was refused: %q", got)
	}
	c, err := Dial(context.Background(), dir)
	if err != nil {
		t.Fatalf("the client refused its own server: %v", err)
	}
	c.Close()
}

// Run by TestAnotherUserIsRefusedForReal as another user: ask, or serve.
func TestPeerChild(t *testing.T) {
	switch os.Getenv("KB_PEER_CHILD") {
	case "ask":
		fmt.Printf("answer=%q\n", ask(t, os.Getenv("KB_PEER_SOCKET")))
	case "serve":
		ln, err := Listen(os.Getenv("KB_PEER_DIR"), nil)
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(1)
		}
		os.Chmod(SocketPath(os.Getenv("KB_PEER_DIR")), 0o666)
		fmt.Println("serving")
		http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	default:
		t.Skip("run by TestAnotherUserIsRefusedForReal")
	}
}

// As root, a process of another user (nobody) speaks to the socket for real: the server
// refuses it, and a client refuses a server of another user.
func TestAnotherUserIsRefusedForReal(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a process as another user; TestTheAdminSocketRefusesUntrustedPeersAndLogsThem covers the refusal")
	}
	const nobody = 65534
	base, err := os.MkdirTemp("", "kb-peer-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o711) // nobody may reach the socket (its mode is opened below)
	bin := filepath.Join(base, "admin.test")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	child := func(env ...string) *exec.Cmd {
		cmd := exec.Command(bin, "-test.run=^TestPeerChild$", "-test.v")
		cmd.Env = append(os.Environ(), env...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		return cmd
	}

	var logs syncBuffer
	dir := filepath.Join(base, "root")
	os.Mkdir(dir, 0o711)
	ln, err := Listen(dir, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(SocketPath(dir), 0o666) // as if someone opened it up: the peer check still holds
	serveOK(t, ln)
	out, err := child("KB_PEER_CHILD=ask", "KB_PEER_SOCKET="+SocketPath(dir)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `answer=""`) {
		t.Fatalf("nobody asking root's socket: %v\n%s", err, out)
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("uid=%d", nobody)) {
		t.Fatalf("the refusal of nobody was not logged:\n%s", logs.String())
	}

	// A server run by nobody: root's client will not speak to it.
	srvDir := filepath.Join(base, "nobody")
	os.Mkdir(srvDir, 0o700)
	os.Chown(srvDir, nobody, nobody)
	cmd := child("KB_PEER_CHILD=serve", "KB_PEER_DIR="+srvDir)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && lines.Text() != "serving" { // printed once it listens
	}
	_, err = Dial(context.Background(), srvDir)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("is served by user %d", nobody)) {
		t.Fatalf("root's client spoke to nobody's server: %v", err)
	}
}
