package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Timeouts of the public HTTP server: a client has ReadHeaderTimeout to send a request's
// headers (its body has Config.BodyTimeout, see readBody), the answer must be written
// within WriteTimeout of the headers (the body's time and the request's time limit,
// with room to spare), so that a client that does not read its answer cannot hold a
// place of the pool; a kept-alive connection is closed after IdleTimeout without a
// request.
const (
	ReadHeaderTimeout = 10 * time.Second
	WriteTimeout      = time.Minute
	IdleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// NewHTTPServer is the http.Server that serves h to the public: kb serve and the tests
// that hold it to its promises use this one.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// DefaultConnsPerClient bounds the connections one client address may hold open at once
// (a browser opens six; an office behind one address has many people).
const DefaultConnsPerClient = 64

// LimitConnsPerClient bounds the connections open at once from each client address: past
// max, a new connection from that address is closed as soon as it is accepted, so that no
// one address can hold every connection the process can serve. A max of 0 bounds none
// (for a server behind a proxy, whose connections all come from the proxy's address).
func LimitConnsPerClient(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &perClient{Listener: ln, max: max, open: map[string]int{}}
}

type perClient struct {
	net.Listener
	max  int
	mu   sync.Mutex
	open map[string]int
}

func (l *perClient) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := clientHost(c.RemoteAddr())
		l.mu.Lock()
		full := l.open[host] >= l.max
		if !full {
			l.open[host]++
		}
		l.mu.Unlock()
		if full {
			refuse(c)
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(host) }}, nil
	}
}

func (l *perClient) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host]--; l.open[host] <= 0 {
		delete(l.open, host)
	}
}

// refuse answers a connection over its address's bound with a 429 and closes it, without
// waiting for its request; a client that does not read gets the close only.
func refuse(c net.Conn) {
	c.SetWriteDeadline(time.Now().Add(time.Second))
	c.Write(refusal)
	c.Close()
}

var refusal = func() []byte {
	const msg = "too many connections from your address at once; try again in a second\n"
	return fmt.Appendf(nil, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(msg), msg)
}()

func clientHost(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// countedConn gives its place back once, however often it is closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
