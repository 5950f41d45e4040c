package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/lru"
)

const (
	// maxBuffered bounds what a response may hold back to be validated and compressed
	// whole; past it the rest streams, compressed but without validators.
	maxBuffered = 8 << 20
	// minCompressed: below a kilobyte gzip saves less than it costs.
	minCompressed = 1 << 10
	// ctxTagged names a function giving the part of a body its ETag covers, for answers
	// that carry their own time (OAI-PMH's responseDate) and would otherwise never match.
	ctxTagged = "kb.etag.covers"
)

// representations holds every answer back until the handler is done, then sends it as
// HTTP caches and slow links want it: GET answers get an ETag (the hash of the body) and
// a Last-Modified (when this server first sent that body for that URL and the headers it
// varies by), a conditional GET whose copy is still current gets a 304 with no body, and
// HTML, JSON, XML, CSS, JavaScript, SVG and CSV are gzipped for clients that accept it.
// An answer the handler flushes (server-sent events) streams instead.
func representations() gin.HandlerFunc {
	stamps := &lastModified{seen: lru.New[[sha256.Size]byte, stamp](16384)}
	return func(c *gin.Context) {
		w := &heldWriter{ResponseWriter: c.Writer, status: c.Writer.Status(), req: c.Request}
		c.Writer = w
		c.Next()
		c.Writer = w.ResponseWriter
		v, _ := c.Get(ctxTagged)
		covers, _ := v.(func([]byte) []byte)
		w.finish(stamps, covers)
	}
}

// heldWriter keeps the status and body until finish, unless the body outgrows
// maxBuffered or the handler flushes: then it streams what follows.
type heldWriter struct {
	gin.ResponseWriter
	req       *http.Request
	status    int
	wrote     bool
	buf       bytes.Buffer
	streaming bool
	gz        *gzip.Writer
}

func (w *heldWriter) WriteHeader(code int) {
	if w.streaming {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if code > 0 && !w.wrote {
		w.status = code
	}
}

func (w *heldWriter) WriteHeaderNow() {
	if w.streaming {
		w.ResponseWriter.WriteHeaderNow()
		return
	}
	w.wrote = true
}

func (w *heldWriter) Write(p []byte) (int, error) {
	w.wrote = true
	if !w.streaming && w.buf.Len()+len(p) > maxBuffered {
		w.stream()
	}
	if !w.streaming {
		return w.buf.Write(p)
	}
	if w.gz != nil {
		return w.gz.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

func (w *heldWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

func (w *heldWriter) Status() int {
	if w.streaming {
		return w.ResponseWriter.Status()
	}
	return w.status
}

func (w *heldWriter) Written() bool { return w.wrote || w.streaming }

func (w *heldWriter) Size() int {
	if w.streaming {
		return w.ResponseWriter.Size()
	}
	if !w.wrote {
		return -1
	}
	return w.buf.Len()
}

func (w *heldWriter) Flush() {
	if !w.streaming {
		w.stream()
	}
	if w.gz != nil {
		w.gz.Flush()
	}
	w.ResponseWriter.Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *heldWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// stream sends the headers and what is held, and passes what follows straight on.
func (w *heldWriter) stream() {
	w.streaming = true
	h := w.Header()
	h.Del("Content-Length")
	if w.compress() {
		h.Set("Content-Encoding", "gzip")
		w.gz = getGzip(w.ResponseWriter)
	}
	w.ResponseWriter.WriteHeader(w.status)
	w.ResponseWriter.WriteHeaderNow()
	held := w.buf.Bytes()
	w.buf = bytes.Buffer{}
	if len(held) > 0 {
		w.Write(held)
	}
}

// compress says whether the body goes gzipped, and marks that the answer depends on
// Accept-Encoding wherever it could.
func (w *heldWriter) compress() bool {
	h := w.Header()
	if !compressible(h.Get("Content-Type")) || h.Get("Content-Encoding") != "" || !bodyAllowed(w.status) {
		return false
	}
	addVary(h, "Accept-Encoding")
	return acceptsGzip(w.req.Header.Get("Accept-Encoding"))
}

// finish validates and sends a held answer.
func (w *heldWriter) finish(stamps *lastModified, covers func([]byte) []byte) {
	if w.streaming {
		if w.gz != nil {
			putGzip(w.gz)
		}
		return
	}
	h := w.Header()
	body := w.buf.Bytes()
	if w.req.Method == http.MethodGet && w.status == http.StatusOK && !strings.Contains(h.Get("Cache-Control"), "no-store") {
		if notModified(w.req, h, body, stamps, covers) {
			for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding"} {
				h.Del(k)
			}
			w.ResponseWriter.WriteHeader(http.StatusNotModified)
			w.ResponseWriter.WriteHeaderNow()
			return
		}
	}
	if !bodyAllowed(w.status) {
		w.ResponseWriter.WriteHeader(w.status)
		w.ResponseWriter.WriteHeaderNow()
		return
	}
	if len(body) >= minCompressed && w.compress() {
		var zipped bytes.Buffer
		gz := getGzip(&zipped)
		gz.Write(body)
		putGzip(gz)
		body = zipped.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(w.status)
	w.ResponseWriter.Write(body)
}

// notModified sets the validators of a GET answer and says whether the client's copy is
// still current: If-None-Match when the client sent one, else If-Modified-Since.
func notModified(r *http.Request, h http.Header, body []byte, stamps *lastModified, covers func([]byte) []byte) bool {
	if covers != nil {
		body = covers(body)
	}
	sum := sha256.Sum256(body)
	// Weak: the same tag stands for the identity and the gzipped bodies, and for OAI-PMH
	// answers that differ in their own date only.
	tag := `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h.Set("ETag", tag)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache") // keep it, but ask each time: the answer is cheap to check
	}
	now := time.Now().UTC().Truncate(time.Second)
	since := stamps.since(variantKey(r, h), tag, now)
	if !since.After(now) {
		h.Set("Last-Modified", since.Format(http.TimeFormat))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return matchesTag(inm, tag)
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !since.After(ims)
}

// matchesTag compares an If-None-Match list with a tag, weakly, as RFC 9110 says.
func matchesTag(list, tag string) bool {
	tag = strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// lastModified remembers, for each URL and the request headers its answer varies by,
// the body last sent (by its tag) and since when. A body never seen, or forgotten, dates
// from now, so a client's copy is never called current when it may not be.
type lastModified struct {
	mu   sync.Mutex
	seen *lru.Cache[[sha256.Size]byte, stamp]
}

type stamp struct {
	tag   string
	since time.Time
}

func (l *lastModified) since(key [sha256.Size]byte, tag string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	prev, ok := l.seen.Get(key)
	if ok && prev.tag == tag {
		return prev.since
	}
	s := stamp{tag, now}
	if ok && !now.After(prev.since) {
		// A change within the second of the last one must still date after it, or a copy
		// dated that second would pass for current; until that second comes, no date.
		s.since = prev.since.Add(time.Second)
	}
	l.seen.Put(key, s)
	return s.since
}

// variantKey names what an answer is for: its URL and the request headers it varies by,
// but for Accept-Encoding, since tags and dates cover every encoding alike.
func variantKey(r *http.Request, h http.Header) [sha256.Size]byte {
	var b strings.Builder
	b.WriteString(r.URL.RequestURI())
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" && !strings.EqualFold(name, "Accept-Encoding") {
				b.WriteString("\x00" + name + "\x00" + strings.Join(r.Header.Values(name), "\x00"))
			}
		}
	}
	return sha256.Sum256([]byte(b.String()))
}

func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, n := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(n), name) {
				return
			}
		}
	}
	if v := h.Get("Vary"); v != "" {
		h.Set("Vary", v+", "+name)
		return
	}
	h.Set("Vary", name)
}

// compressible: text formats kb sends; event streams are flushed as they go.
func compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(mt)) {
	case "text/html", "text/css", "text/plain", "text/csv", "text/xml", "text/javascript",
		"application/json", "application/xml", "application/atom+xml", "application/javascript", "image/svg+xml":
		return true
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip, or *, with a weight above zero.
func acceptsGzip(accept string) bool {
	star := false
	for _, part := range strings.Split(accept, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		ok := true
		if q, found := strings.CutPrefix(strings.ToLower(strings.TrimSpace(params)), "q="); found {
			w, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
			ok = err == nil && w > 0
		}
		if coding == "gzip" {
			return ok
		}
		star = ok
	}
	return star
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

var gzips sync.Pool

// gzipLevel: on openapi.json, level 5 made 10.4 KB in a third of the time level 6 (the
// default) took for 9.8 KB, and level 1 13.6 KB in half of level 5's.
const gzipLevel = 5

func getGzip(w io.Writer) *gzip.Writer {
	if gz, ok := gzips.Get().(*gzip.Writer); ok {
		gz.Reset(w)
		return gz
	}
	gz, _ := gzip.NewWriterLevel(w, gzipLevel) // a valid level: no error
	return gz
}

// putGzip ends the stream and keeps the writer for another answer.
func putGzip(gz *gzip.Writer) {
	gz.Close()
	gzips.Put(gz)
}
