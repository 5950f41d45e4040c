package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/web"
)

// Any submission body gets an answer that is not a server error.
func FuzzSubmissionJSON(f *testing.F) {
	f.Add(submissionBody)
	f.Add(`{}`)
	f.Add(`{"practice":{"areas":"x"}}`)
	f.Add(`[1,2,3]`)
	f.Add(`{"practice":{"title":"` + strings.Repeat("x", 300) + `"},"consent_to_publish":"yes"}`)
	a := apptest.Open(f, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	a.Review.Submissions = nil // no limit: the fuzzer sends many
	fuzzEngine := server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Limits: unlimited})
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []string{"/api/v1/submissions", "/api/v1/submissions/duplicates", "/api/v1/recommendations"} {
			w := httptest.NewRecorder()
			fuzzEngine.ServeHTTP(w, httptest.NewRequest("POST", target, strings.NewReader(body)))
			if w.Code >= 500 {
				t.Fatalf("%s %q: %d %s", target, body, w.Code, w.Body.String())
			}
		}
	})
}

// Any search request, sent over HTTP to a running server with the answer cache on (the
// default), is answered without a server error, and the server still answers after it.
// A huge page used to panic inside the cache's shared computation, where no request's
// recovery reaches, and end the process.
func FuzzSearchRequest(f *testing.F) {
	for _, seed := range []string{
		"q=water&page=9223372036854775807", "q=water&limit=9223372036854775807", "page=-9223372036854775808&limit=100",
		"q=water&page=100&limit=100", "limit=99999999999999999999", "q=x&page=1e3", `q="unclosed&area=education&area=`,
		"q=a*&explain=1&page=2&tag=wifi&tag=", "q=%zz", "q=b%C3%BAsqueda&region=europe&country=ES&population_band=%3E1M",
	} {
		f.Add(seed)
	}
	a := apptest.Open(f, app.Config{BcryptCost: bcrypt.MinCost})
	pages, err := web.New(web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Geo: a.Geo, NetworkName: "Test network", BaseURL: "http://kb.example.org"})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Pages: pages, Limits: unlimited}))
	f.Cleanup(srv.Close)
	get := func(t *testing.T, target string) int {
		resp, err := srv.Client().Get(srv.URL + target)
		if err != nil {
			t.Fatalf("GET %s: %v (is the server down?)", target, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	f.Fuzz(func(t *testing.T, query string) {
		query = escapeQuery(query)
		for _, path := range []string{"/api/v1/search?", "/api/v1/suggest?", "/search?"} {
			if status := get(t, path+query); status >= 500 {
				t.Fatalf("%s%s: %d", path, query, status)
			}
		}
		if status := get(t, "/healthz"); status != http.StatusOK {
			t.Fatalf("after %q the server answers /healthz with %d", query, status)
		}
	})
}

// escapeQuery percent-encodes what may not appear in a request line, and keeps the rest
// as the fuzzer wrote it, malformed escapes included.
func escapeQuery(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c > ' ' && c < 0x7f && c != '#' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
