package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// startPublic serves h on loopback as kb serve serves the public: the same http.Server
// settings and the same bound on connections per client address.
func startPublic(t *testing.T, h http.Handler, connsPerClient int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := server.NewHTTPServer(h, nil)
	go hs.Serve(server.LimitConnsPerClient(ln, connsPerClient))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// oaiOf is the OAI-PMH provider of a, under the namespace it holds.
func oaiOf(t *testing.T, a *app.App) *oai.Provider {
	t.Helper()
	p, err := a.Provider(oai.Config{RepositoryName: "Test", BaseURL: "http://kb.test", Namespace: a.Namespace, AdminEmail: "kb@kb.test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dialFrom connects to addr from the loopback address from (127.0.0.0/8 is all loopback
// on Linux): the server tells clients apart by their address.
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Skipf("cannot connect from %s (this system does not route all of 127/8 to loopback?): %v", from, err)
	}
	return c
}

// slowBody is a client that sends its request's headers at once and its body one byte
// per interval, as the attack of issue #16 did (one every 5 s).
type slowBody struct {
	conn   net.Conn
	answer chan slowAnswer
}

type slowAnswer struct {
	status int // 0: the connection ended without an answer
	sent   int // body bytes sent before the answer
}

const slowLength = 1000

func startSlowBody(t *testing.T, from, addr, path, contentType string, interval time.Duration) *slowBody {
	t.Helper()
	c := dialFrom(t, from, addr)
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: kb.test\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", path, contentType, slowLength)
	s := &slowBody{conn: c, answer: make(chan slowAnswer, 1)}
	sent := make(chan int, 1)
	stop := make(chan struct{})
	go func() {
		n := 0
		defer func() { sent <- n }()
		t := time.NewTicker(interval)
		defer t.Stop()
		for n < slowLength {
			if _, err := c.Write([]byte{'{'}); err != nil {
				return
			}
			n++
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	go func() {
		status := 0
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		close(stop)
		s.answer <- slowAnswer{status: status, sent: <-sent}
	}()
	return s
}

// Eight clients sending their bodies a byte at a time to each expensive endpoint that
// takes a body used to hold every place of the expensive pool, and search answered 503.
// The body is now read before a place is taken, under a deadline: searches are answered
// (p99 within 1 s, the criterion) while the slow clients hang on, and the
// deadline then cuts every one of them with a 408.
func TestSlowBodiesTakeNoPlaceAndAreCut(t *testing.T) {
	a := openApp(t)
	provider := oaiOf(t, a)
	const bodyTimeout = 4 * time.Second
	h := server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, OAI: provider, Limits: unlimited, BodyTimeout: bodyTimeout})
	addr := startPublic(t, h, server.DefaultConnsPerClient)

	started := time.Now()
	var slow []*slowBody
	for _, ep := range []struct{ path, contentType string }{
		{"/api/v1/submissions/duplicates", "application/json"},
		{"/api/v1/recommendations", "application/json"},
		{"/oai", "application/x-www-form-urlencoded"},
	} {
		for range 8 {
			slow = append(slow, startSlowBody(t, "127.0.0.2", addr, ep.path, ep.contentType, 500*time.Millisecond))
		}
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	words := []string{"water", "wifi", "students", "health", "bicycles", "tourism", "digital divide", "beach occupancy", "data", "elderly"}
	const searches = 200
	took := make([]time.Duration, 0, searches)
	for i := range searches {
		q := url.Values{"q": {words[i%len(words)]}, "page": {fmt.Sprint(1 + i/len(words))}} // each computed once
		t0 := time.Now()
		resp, err := client.Get("http://" + addr + "/api/v1/search?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took = append(took, time.Since(t0))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("search %d while slow bodies arrive: %d", i, resp.StatusCode)
		}
	}
	searched := time.Since(started)
	slices.Sort(took)
	p50, p99 := took[len(took)/2], took[(len(took)*99+99)/100-1]
	t.Logf("%d searches beside %d slow bodies in %s: p50 %s, p99 %s, max %s", searches, len(slow), searched.Round(time.Millisecond), p50, p99, took[len(took)-1])
	if searched > bodyTimeout {
		t.Logf("the searches outlasted the body deadline (a loaded machine): the slow clients were cut before the last ones")
	}
	if p99 > time.Second {
		t.Errorf("search p99 %s beside slow bodies, want at most 1 s", p99)
	}

	for i, s := range slow {
		select {
		case ans := <-s.answer:
			if ans.status != http.StatusRequestTimeout || ans.sent >= slowLength {
				t.Errorf("slow client %d: answered %d after %d of %d bytes, want 408 before its body was in", i, ans.status, ans.sent, slowLength)
			}
		case <-time.After(time.Minute):
			t.Fatalf("slow client %d was never cut", i)
		}
		s.conn.Close()
	}
}

// One address holds at most its bound of connections at once; past it, a connection is
// refused at once, while other addresses are served, and a place freed is taken again.
func TestConnectionsPerClientAreBounded(t *testing.T) {
	a := openApp(t)
	addr := startPublic(t, server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth}), 4)
	var held []net.Conn
	for range 4 {
		held = append(held, dialFrom(t, "127.0.0.2", addr))
	}
	refused := dialFrom(t, "127.0.0.2", addr)
	defer refused.Close()
	refused.SetReadDeadline(time.Now().Add(30 * time.Second))
	if line, err := bufio.NewReader(refused).ReadString('\n'); err == nil && !strings.Contains(line, "429") {
		t.Fatalf("a connection past the bound was answered %q", line)
	} else if err != nil && strings.Contains(err.Error(), "timeout") {
		t.Fatal("a connection past the bound was kept open")
	}
	healthz := func(from string) int {
		c := dialFrom(t, from, addr)
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: kb.test\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := healthz("127.0.0.3"); status != http.StatusOK {
		t.Fatalf("another address: %d", status)
	}
	held[0].Close()
	// The server sees the close when its read of that connection ends: try a bounded
	// number of times.
	for i := 0; ; i++ {
		if status := healthz("127.0.0.2"); status == http.StatusOK {
			break
		} else if i == 100 {
			t.Fatalf("a freed place was not given back: %d", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range held[1:] {
		c.Close()
	}
}

// Every expensive endpoint shares one rate per address: past it, 429 with Retry-After;
// another address goes on.
func TestExpensiveRequestsAreRateLimitedPerAddress(t *testing.T) {
	a := openApp(t)
	provider := oaiOf(t, a)
	e := server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, OAI: provider,
		Limits: server.Limits{Expensive: server.Rate{Every: time.Hour, Burst: 3}}})
	call := func(from, method, target, body string) (int, string) {
		req, _ := http.NewRequest(method, target, strings.NewReader(body))
		req.RemoteAddr = from + ":4321"
		if strings.HasPrefix(target, "/oai") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w.Code, w.Header().Get("Retry-After")
	}
	for i := range 3 {
		if status, _ := call("198.51.100.1", "GET", "/api/v1/search?q=water", ""); status != 200 {
			t.Fatalf("search %d within the burst: %d", i, status)
		}
	}
	for _, r := range []struct{ method, target, body string }{
		{"GET", "/api/v1/search?q=water", ""},
		{"GET", "/api/v1/suggest?q=wa", ""},
		{"GET", "/api/v1/practices/bilbao-geobilbao/similar", ""},
		{"POST", "/api/v1/recommendations", `{"country":"AR","population":55000,"weak_areas":["education"]}`},
		{"POST", "/api/v1/submissions/duplicates", submissionBody},
		{"POST", "/oai", "verb=Identify"},
	} {
		if status, retry := call("198.51.100.1", r.method, r.target, r.body); status != 429 || retry == "" {
			t.Errorf("%s %s past the rate: %d, Retry-After %q", r.method, r.target, status, retry)
		}
	}
	if status, _ := call("198.51.100.2", "GET", "/api/v1/search?q=water", ""); status != 200 {
		t.Fatalf("another address: %d", status)
	}
}
