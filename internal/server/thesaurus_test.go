package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/app"
)

func TestSKOSOverHTTP(t *testing.T) {
	e, a := newEngine(t)
	w := do(t, e, "GET", "/skos.ttl", "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/turtle") {
		t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.String()
	// The thesaurus's concepts (kb:), beside the vocabularies' terms they link to.
	n := 0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "kb:") && strings.HasSuffix(line, " a skos:Concept ;") {
			n++
		}
	}
	if n != len(a.Thesaurus.Concepts) || !strings.Contains(body, "skos:closeMatch kbresource:") {
		t.Errorf("%d skos:Concepts of the thesaurus served, it has %d; or no link to a resource", n, len(a.Thesaurus.Concepts))
	}
	if !strings.Contains(body, "kb:elderly a skos:Concept") || !strings.Contains(body, "skos:broader kb:vulnerable-groups") {
		t.Error("the export lacks elderly under vulnerable groups")
	}
}

func TestSearchSortOrders(t *testing.T) {
	e, a := newEngine(t)
	byCity := decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?q=digital&sort=city&limit=100", ""))
	relevance := decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?q=digital&limit=100", ""))
	if byCity.Total != relevance.Total || len(byCity.Hits) < 5 {
		t.Fatalf("sorting changed what is found: %d against %d", byCity.Total, relevance.Total)
	}
	fold := func(s string) string {
		return strings.ToLower(strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u").Replace(s))
	}
	for i := 1; i < len(byCity.Hits); i++ {
		if a, b := fold(byCity.Hits[i-1].City), fold(byCity.Hits[i].City); a > b {
			t.Fatalf("sort=city: %q before %q", byCity.Hits[i-1].City, byCity.Hits[i].City)
		}
	}
	newest := decode[app.SearchResult](t, do(t, e, "GET", "/api/v1/search?q=digital&sort=newest&limit=100", ""))
	updated := func(id string) time.Time {
		p, err := a.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return p.UpdatedAt
	}
	for i := 1; i < len(newest.Hits); i++ {
		if u, v := updated(newest.Hits[i-1].ID), updated(newest.Hits[i].ID); u.Before(v) {
			t.Fatalf("sort=newest: %s (%s) before %s (%s)", newest.Hits[i-1].ID, u.Format(time.DateOnly), newest.Hits[i].ID, v.Format(time.DateOnly))
		}
	}
}
