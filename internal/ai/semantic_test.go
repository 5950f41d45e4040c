package ai_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/ai/aitest"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
)

func client(e *aitest.Embeddings, model string) *ai.Client {
	return ai.New(ai.Config{BaseURL: e.URL(), APIKey: "test-key", EmbedModel: model, Retries: -1, BreakerFailures: 100})
}

func idsOf(hits []app.SearchHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func TestHybridSearch(t *testing.T) {
	ctx := context.Background()
	a := openApp(t)
	e := aitest.NewEmbeddings(t)
	sem, err := ai.NewSemantic(a.Store, client(e, "embed-1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	published, _ := a.Store.Count()
	if n, err := sem.Sync(ctx, nil); err != nil || n != published {
		t.Fatalf("first sync embedded %d of %d: %v", n, published, err)
	}
	// Nothing is embedded twice; an edit re-embeds that practice only.
	if n, _ := sem.Sync(ctx, nil); n != 0 {
		t.Fatalf("a second sync embedded %d", n)
	}
	p, _ := a.Store.Get(ctx, "bilbao-geobilbao")
	p.Title += " (revised)"
	if _, err := a.Review.Edit(ctx, "test", p.ID, *p); err != nil {
		t.Fatal(err)
	}
	if n, _ := sem.Sync(ctx, nil); n != 1 {
		t.Fatalf("after one edit %d were embedded", n)
	}

	// A word only the embeddings relate to practices: lexical search finds nothing, hybrid
	// search finds the practices about wifi first.
	lexical, err := a.Search(ctx, search.Request{Query: "zqwifi"})
	if err != nil || len(lexical.Hits) != 0 {
		t.Fatalf("lexical: %v %v", lexical, err)
	}
	a.Semantic = sem
	hybrid, err := a.Search(ctx, search.Request{Query: "zqwifi"})
	if err != nil || len(hybrid.Hits) == 0 {
		t.Fatalf("hybrid: %v %v", hybrid, err)
	}
	top, _ := a.Store.Get(ctx, hybrid.Hits[0].ID)
	if text := strings.ToLower(strings.ReplaceAll(top.Title+top.Summary+top.Body, "-", "")); !strings.Contains(text, "wifi") && !strings.Contains(text, "internet") && !strings.Contains(text, "connectivity") {
		t.Fatalf("the top hybrid hit %s is not about connectivity", top.ID)
	}
	// Practices both rankings agree on come before those only one finds.
	both, err := a.Search(ctx, search.Request{Query: "wifi students"})
	if err != nil || len(both.Hits) == 0 {
		t.Fatal(err)
	}
	a.Semantic = nil
	lex, _ := a.Search(ctx, search.Request{Query: "wifi students"})
	a.Semantic = sem
	if both.Hits[0].ID != lex.Hits[0].ID && !slices.Contains(idsOf(lex.Hits), both.Hits[0].ID) {
		t.Fatalf("hybrid's first %s is not among lexical hits %v", both.Hits[0].ID, idsOf(lex.Hits))
	}
	// The query embedding is cached.
	a.Search(ctx, search.Request{Query: "zqwifi"})
	if n := e.Count("zqwifi"); n != 1 {
		t.Fatalf("the query was embedded %d times", n)
	}
	// Filters hold for semantic hits too.
	asia, err := a.Search(ctx, search.Request{Query: "zqwifi", Filters: map[string][]string{"region": {"asia"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range asia.Hits {
		if h.Region != "asia" {
			t.Fatalf("%s in %s passed the region filter", h.ID, h.Region)
		}
	}
	// While the endpoint fails, search answers lexically.
	e.Fail.Store(true)
	fallback, err := a.Search(ctx, search.Request{Query: "students internet at home"})
	a.Semantic = nil
	plain, _ := a.Search(ctx, search.Request{Query: "students internet at home"})
	if err != nil || strings.Join(idsOf(fallback.Hits), ",") != strings.Join(idsOf(plain.Hits), ",") {
		t.Fatalf("fallback %v, lexical %v (%v)", idsOf(fallback.Hits), idsOf(plain.Hits), err)
	}
	// Another model re-embeds everything.
	e.Fail.Store(false)
	before := e.Total()
	other, _ := ai.NewSemantic(a.Store, client(e, "embed-2"), nil)
	if n, _ := other.Sync(ctx, nil); n != published || e.Total()-before != published {
		t.Fatalf("a model change re-embedded %d", n)
	}
}

// A long practice is embedded in chunks: a passage far into its body is found, and the
// practice is as near as its nearest chunk.
func TestLongPracticesAreEmbeddedInChunks(t *testing.T) {
	ctx := context.Background()
	a := openApp(t)
	p, err := a.Store.Get(ctx, "bilbao-geobilbao")
	if err != nil {
		t.Fatal(err)
	}
	p.ID, p.URI, p.Version = "long-practice", "", 0
	// About 20 000 characters of paragraphs on other things, then one on connectivity.
	filler := strings.Repeat(strings.Repeat("The municipal team met the neighbourhood associations. ", 8)+"\n\n", 45)
	p.Body = filler + strings.Repeat("Buses with zqwifi hotspots parked near every school. ", 25) + "\n"
	if _, err := a.Import(ctx, []*practices.Practice{p}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	e := aitest.NewEmbeddings(t)
	sem, err := ai.NewSemantic(a.Store, client(e, "embed-1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	published, _ := a.Store.Count()
	before := e.Total()
	if _, err := sem.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if extra := e.Total() - before - published; extra < 9 {
		t.Fatalf("a 20 000-character practice gave %d chunks beyond its first", extra)
	}
	near, err := sem.Nearest(ctx, "zqwifi buses school", 3)
	if err != nil || len(near) == 0 || near[0] != "long-practice" {
		t.Fatalf("nearest %v (%v)", near, err)
	}
	// Reloaded from the store, the chunks give the same answer, and nothing is embedded again.
	again, _ := ai.NewSemantic(a.Store, client(e, "embed-1"), nil)
	if n, _ := again.Sync(ctx, nil); n != 0 {
		t.Fatalf("%d embedded again after a restart", n)
	}
	if near2, _ := again.Nearest(ctx, "zqwifi buses school", 3); strings.Join(near2, ",") != strings.Join(near, ",") {
		t.Fatalf("after a restart %v, before %v", near2, near)
	}
}
