package server

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestAcceptsGzip(t *testing.T) {
	for accept, want := range map[string]bool{
		"": false, "gzip": true, "gzip, deflate, br": true, "br;q=1.0, gzip;q=0.5": true, "gzip;q=0": false, "GZIP;Q=0.001": true,
		"*": true, "*;q=0": false, "gzip;q=0, *": false, "identity": false, "deflate, *;q=0.1": true, "gzip;q=x": false,
	} {
		if got := acceptsGzip(accept); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", accept, got, want)
		}
	}
}

func TestMatchesTag(t *testing.T) {
	tag := `W/"abc"`
	for list, want := range map[string]bool{`W/"abc"`: true, `"abc"`: true, `"x", W/"abc"`: true, `*`: true, `"abcd"`: false, `W/"ab"`: false} {
		if got := matchesTag(list, tag); got != want {
			t.Errorf("If-None-Match %s: %v, want %v", list, got, want)
		}
	}
}

// An answer too large to hold back streams, gzipped, without validators; one the handler
// flushes streams as it goes.
func TestLargeAndFlushedAnswersStream(t *testing.T) {
	big := strings.Repeat("a line of text that compresses well\n", maxBuffered/30)
	e := gin.New()
	e.Use(representations())
	e.GET("/big", func(c *gin.Context) {
		c.Header("Content-Type", "text/plain; charset=utf-8")
		for i := 0; i < len(big); i += 64 << 10 {
			c.Writer.WriteString(big[i:min(i+64<<10, len(big))])
		}
	})
	e.GET("/events", func(c *gin.Context) {
		c.Header("Content-Type", "text/event-stream")
		c.Writer.WriteString("event: one\n\n")
		c.Writer.Flush()
		c.Writer.WriteString("event: two\n\n")
	})
	srv := httptest.NewServer(e)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/big", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || string(got) != big || resp.Header.Get("ETag") != "" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("big: %v, %d of %d bytes, ETag %q, Vary %q", err, len(got), len(big), resp.Header.Get("ETag"), resp.Header.Get("Vary"))
	}

	resp, err = http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "event: one\n\nevent: two\n\n" || resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") != "" {
		t.Fatalf("events: %q, %q", body, resp.Header.Get("Content-Encoding"))
	}
}
