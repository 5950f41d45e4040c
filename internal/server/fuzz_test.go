package server_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// Any submission body gets an answer that is not a server error.
func FuzzSubmissionJSON(f *testing.F) {
	f.Add(submissionBody)
	f.Add(`{}`)
	f.Add(`{"practice":{"areas":"x"}}`)
	f.Add(`[1,2,3]`)
	f.Add(`{"practice":{"title":"` + strings.Repeat("x", 300) + `"},"consent_to_publish":"yes"}`)
	a, err := app.Open(context.Background(), app.Config{DataDir: f.TempDir(), BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	fuzzEngine := server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth,
		Limits: server.Limits{Submissions: server.Rate{Every: time.Nanosecond, Burst: 1 << 30}}})
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
