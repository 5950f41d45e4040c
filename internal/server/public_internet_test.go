package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// publicServer runs the API on a loopback test server with cfg's other settings and, when
// not zero, a limit of submissions.
func publicServer(t *testing.T, cfg server.Config, submissions ...limit.Rate) string {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost})
	for _, r := range submissions {
		a.Review.Submissions = limit.New(r, "submissions")
	}
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
	once := limit.Rate{Every: time.Hour, Burst: 1}
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	loopback, err := server.ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil || len(loopback) != 2 || loopback[0].String() != "127.0.0.1/32" {
		t.Fatalf("parse: %v %v", loopback, err)
	}

	// A submission refused as invalid does not count: these are valid.
	base := publicServer(t, server.Config{}, once)
	post(t, base+"/api/v1/submissions", submissionBody, from("203.0.113.1"))
	if resp := post(t, base+"/api/v1/submissions", submissionBody, from("203.0.113.2")); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("without trusted proxies a forged X-Forwarded-For passed as another client: %d", resp.StatusCode)
	}

	base = publicServer(t, server.Config{TrustedProxies: loopback}, once)
	post(t, base+"/api/v1/submissions", submissionBody, from("203.0.113.1"))
	if resp := post(t, base+"/api/v1/submissions", submissionBody, from("203.0.113.1")); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("behind a trusted proxy the same client was not limited: %d", resp.StatusCode)
	}
	if resp := post(t, base+"/api/v1/submissions", submissionBody, from("203.0.113.2")); resp.StatusCode == http.StatusTooManyRequests {
		t.Errorf("behind a trusted proxy another client was limited as the proxy")
	}
}

// rawRequest sends bytes as they are, for requests a Go client will not make.
func rawRequest(t *testing.T, base, raw string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite() // all is sent: a body cut short ends here
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A body whose chunked encoding is malformed, or that breaks off, is the client's error
// and says what is wrong with it.
func TestMalformedChunkedBodyIs400(t *testing.T) {
	base := publicServer(t, server.Config{})
	head := "POST /api/v1/recommendations HTTP/1.1\r\nHost: kb\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	for name, c := range map[string]struct{ body, want string }{
		"a chunk size that is no number": {"zz\r\n{}\r\n0\r\n\r\n", "chunk"},
		"a chunk longer than announced":  {"2\r\n{\"country\":\"AR\"}\r\n0\r\n\r\n", "chunk"},
		"no end after the last chunk":    {"2\r\n{}\r\n", "EOF"},
	} {
		code, body := rawRequest(t, base, head+c.body)
		if code != http.StatusBadRequest || !strings.Contains(body, `"body":`) || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
}
