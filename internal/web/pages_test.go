package web_test

import (
	"context"
	csvpkg "encoding/csv"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/net/html"

	"github.com/uclg-digital-cities/kb/frontend"
	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/web"
)

// Every message a template asks for exists in every language, and every vocabulary term
// has a label.
func TestCataloguesAreComplete(t *testing.T) {
	cat, err := i18n.LoadCatalog(frontend.FS)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	key := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	fs.WalkDir(frontend.FS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := fs.ReadFile(frontend.FS, path)
		for _, m := range key.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = true
		}
		return nil
	})
	for prefix, v := range map[string]practices.Vocabulary{"area.": practices.Areas, "crisis.": practices.Crises, "group.": practices.TargetGroups,
		"resource.": practices.Resources, "status.": practices.Statuses, "language.": practices.Languages, "level.": practices.Levels,
		"population_band.": practices.PopulationBands, "region.": practices.Regions} {
		for _, id := range v.IDs() {
			used[prefix+id] = true
		}
	}
	if len(used) < 100 {
		t.Fatalf("only %d keys found: the pattern is off", len(used))
	}
	for k := range used {
		for _, l := range web.Languages {
			if !cat.Has(l.Code, k) {
				t.Errorf("%s lacks %q", l.Code, k)
			}
		}
	}
	// Every language has the same messages as English, taking the same arguments, and
	// none is an English copy left untranslated.
	verb := regexp.MustCompile(`%(\[[0-9]\])?[-+ #0-9.]*[a-zA-Z%]`)
	verbs := func(s string) string {
		v := verb.FindAllString(s, -1)
		slices.Sort(v)
		return strings.Join(v, " ")
	}
	for _, l := range web.Languages {
		if got, want := len(cat.Keys(l.Code)), len(cat.Keys("en")); got != want {
			t.Errorf("%s has %d messages, en has %d", l.Code, got, want)
		}
		for _, k := range cat.Keys("en") {
			en, msg := cat.Message("en", k), cat.Message(l.Code, k)
			// The form for any other number says all a message says; an exact one ("=1")
			// may leave the number out.
			if got, want := verbs(msg.Forms["other"]), verbs(en.Forms["other"]); got != want {
				t.Errorf("%s %q takes %v, en takes %v", l.Code, k, got, want)
			}
			// A word may be the same in two languages ("Session", "drones"), a sentence not.
			if l.Code != "en" && msg.Forms["other"] == en.Forms["other"] && len(strings.Fields(verb.ReplaceAllString(en.Forms["other"], ""))) > 2 {
				t.Errorf("%s %q is the English text", l.Code, k)
			}
		}
	}
}

// find returns the text of the first element matching a tag and optional attribute.
func find(t *testing.T, body, tag, attr, val string) (string, bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == tag {
			for _, a := range n.Attr {
				if attr == "" || a.Key == attr && (val == "" || a.Val == val) {
					found = n
					return
				}
			}
			if attr == "" {
				found = n
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		return "", false
	}
	var b strings.Builder
	var text func(*html.Node)
	text = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			text(c)
		}
	}
	text(found)
	return strings.TrimSpace(b.String()), true
}

func get(t *testing.T, base, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func TestPagesSpeakTheVisitorsLanguage(t *testing.T) {
	base, _ := site(t)
	for accept, want := range map[string]string{"es-AR,es;q=0.9": "Cómo lo resolvieron las ciudades", "fr-FR": "Comment les villes l'ont résolu", "pt-PT,pt;q=0.8": "Como as cidades o resolveram", "de-DE": "How cities solved it", "": "How cities solved it"} {
		_, body := get(t, base, "/", map[string]string{"Accept-Language": accept})
		if h1, _ := find(t, body, "h1", "", ""); h1 != want {
			t.Errorf("Accept-Language %q: h1 %q, want %q", accept, h1, want)
		}
	}
	resp, body := get(t, base, "/search?q=wifi&lang=fr", nil)
	if !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), "\n"), "kb_lang=fr") {
		t.Errorf("the language switch is not applied or remembered")
	}
}

func TestPagesAnswerAsExpected(t *testing.T) {
	base, a := site(t)
	for path, status := range map[string]int{
		"/": 200, "/search?q=beach": 200, "/search?q=x&limit=500": 400, "/practices/bilbao-geobilbao": 200, "/practices/nope": 404,
		"/recommend": 200, "/recommend?country=XX&population=-1&weak_areas=x": 400, "/sessions": 200, "/submit": 200, "/track": 200,
		"/track/kbs_nope": 404, "/login": 200, "/review": 303, "/review/audit": 303, "/review/peers": 303, "/practices/bilbao-geobilbao/edit": 303,
		"/feed.atom": 200, "/search.csv?q=wifi": 200, "/static/style.css": 200, "/static/app.js": 200,
	} {
		if resp, _ := get(t, base, path, nil); resp.StatusCode != status {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, status)
		}
	}
	_, body := get(t, base, "/recommend?country=XX&population=-1&weak_areas=education", nil)
	if msg, ok := find(t, body, "div", "class", "errorsummary"); !ok || !strings.Contains(msg, "Population") || !strings.Contains(msg, "Country") {
		t.Errorf("recommend errors: %q", msg)
	}
	_, feed := get(t, base, "/feed.atom", nil)
	if !strings.Contains(feed, `<feed xmlns="http://www.w3.org/2005/Atom">`) || strings.Count(feed, "<entry>") != 20 {
		t.Errorf("feed: %.300s", feed)
	}
	a.Review.Merge(t.Context(), "coord", "amb-dual-bus-stops", "amb-beach-occupancy-information")
	if resp, _ := get(t, base, "/practices/amb-dual-bus-stops", nil); resp.StatusCode != 301 || resp.Header.Get("Location") != "/practices/amb-beach-occupancy-information" {
		t.Errorf("merged practice page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, csv := get(t, base, "/search.csv?q=wifi", nil)
	if !strings.HasPrefix(csv, "\ufeffid,title") || !strings.Contains(csv, "mexico-city-free-wifi-students") {
		t.Errorf("csv export: %.200s", csv)
	}
	if strings.Contains(csv, "Only the first") {
		t.Errorf("a search the export holds whole says it was cut: %.200s", csv[len(csv)-200:])
	}
}

// The search's CSV opens in a spreadsheet with its accents (UTF-8 with a byte order
// mark), and says in its last row when it holds only the first of the practices found.
func TestSearchCSVSaysWhenItIsCut(t *testing.T) {
	base, a := site(t)
	_, all := get(t, base, "/search.csv?limit=5", nil) // a browse: all 39, cut at 100 would hold them
	rows, err := csvpkg.NewReader(strings.NewReader(strings.TrimPrefix(all, "\ufeff"))).ReadAll()
	if err != nil || !strings.HasPrefix(all, "\ufeff") || len(rows) != 40 || !strings.Contains(all, "Bogotá") {
		t.Fatalf("the whole corpus: %d rows, %v", len(rows), err)
	}
	var more []*practices.Practice
	for i := range search.MaxLimit - 38 { // 101 practices: one more than an export holds
		p, _ := a.Get(t.Context(), "bilbao-geobilbao")
		p.ID, p.URI, p.Version, p.Title = fmt.Sprintf("bilbao-copy-%d", i), "", 0, fmt.Sprintf("Copy %d of GeoBilbao", i)
		more = append(more, p)
	}
	if _, err := a.Import(t.Context(), more, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	_, cut := get(t, base, "/search.csv", nil)
	rows, err = csvpkg.NewReader(strings.NewReader(strings.TrimPrefix(cut, "\ufeff"))).ReadAll()
	last := rows[len(rows)-1]
	if err != nil || len(rows) != 1+search.MaxLimit+1 || last[0] != "Only the first 100 of the 101 practices found are here: narrow the search to get the others." || last[1] != "" {
		t.Fatalf("cut export: %d rows, last %q, %v", len(rows), last, err)
	}
}

// Pages render once at start: a page that exists in the catalogue renders without error
// for every language (checked through the server, which logs and fails on errors).
func TestEveryPageRendersInEveryLanguage(t *testing.T) {
	base, _ := site(t)
	for _, l := range web.Languages {
		for _, path := range []string{"/", "/search?q=wifi", "/search?q=zzzzqq", "/practices/hamamatsu-haruno-medical-maas", "/recommend?city=Montevideo&weak_areas=education", "/sessions", "/submit", "/track", "/login"} {
			resp, body := get(t, base, path+sep(path)+"lang="+l.Code, nil)
			if resp.StatusCode != 200 || !strings.Contains(body, "</html>") {
				t.Errorf("%s in %s: %d", path, l.Code, resp.StatusCode)
			}
			if regexp.MustCompile(`>[a-z]+\.[a-z_.]+<`).MatchString(body) {
				t.Errorf("%s in %s shows a message key: %s", path, l.Code, regexp.MustCompile(`>[a-z]+\.[a-z_.]+<`).FindString(body))
			}
		}
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// A practice harvested from another network shows where it comes from, is found by its
// network, and offers no local edit.
func TestHarvestedPracticeShowsItsOrigin(t *testing.T) {
	base, a := site(t)
	ctx := t.Context()
	p, err := a.Store.Get(ctx, "bilbao-geobilbao")
	if err != nil {
		t.Fatal(err)
	}
	p.ID, p.URI, p.Title, p.Version = "metropolis-bilbao-geobilbao", "oai:kb.metropolis.example:geobilbao", "GeoBilbao, as Metropolis tells it", 0
	p.Origin = &practices.Origin{Peer: "metropolis", Network: "metropolis", Repository: "https://kb.metropolis.example/oai", RepositoryName: "Network a",
		Identifier: "oai:kb.metropolis.example:geobilbao", Datestamp: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Version: 2, Updated: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	if _, err := a.Import(ctx, []*practices.Practice{p}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, base, "/practices/metropolis-bilbao-geobilbao", nil)
	// It is shown as shared by the peer this node added, never by what the peer calls
	// itself; its identity and its page at the origin are given.
	if origin, ok := find(t, body, "dd", "class", "origin"); !ok || !strings.Contains(origin, "metropolis") || strings.Contains(origin, "Network a") || !strings.Contains(body, `<a href="https://kb.metropolis.example/practices/geobilbao">`) {
		t.Errorf("origin on the page: %q", origin)
	}
	if id, ok := find(t, body, "dd", "class", "identity"); !ok || !strings.Contains(id, "oai:kb.metropolis.example:geobilbao") {
		t.Errorf("identity on the page: %q", id)
	}
	if !strings.Contains(body, `<link rel="canonical" href="https://kb.metropolis.example/practices/geobilbao">`) {
		t.Errorf("the canonical link is not the practice's page at its origin")
	}
	_, body = get(t, base, "/search?network=metropolis", nil)
	if !strings.Contains(body, `href="/practices/metropolis-bilbao-geobilbao"`) || strings.Contains(body, `href="/practices/bilbao-geobilbao"`) {
		t.Errorf("the network filter does not select the harvested practice")
	}
}

// stubAsker answers from a script; the AI package tests the real client against an
// in-process server speaking the OpenAI wire format.
type stubAsker struct{ err error }

func (s stubAsker) Available() bool { return s.err == nil }

func (s stubAsker) Ask(ctx context.Context, q string) (ai.Answer, error) {
	return s.AskStream(ctx, q, nil)
}

func (s stubAsker) AskStream(_ context.Context, q string, emit func(string)) (ai.Answer, error) {
	if s.err != nil {
		return ai.Answer{}, s.err
	}
	a := ai.Answer{Answer: "Cities lent laptops [bilbao-geobilbao].\n\nOthers <b>did</b> more.", Grounded: true,
		Citations: []ai.Citation{{ID: "bilbao-geobilbao", Title: "GeoBilbao"}}}
	for i := 0; emit != nil && i < len(a.Answer); i += 5 {
		emit(a.Answer[i:min(i+5, len(a.Answer))])
	}
	return a, nil
}

func askSite(t *testing.T, asker web.Asker) string {
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	pages, err := web.New(web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Geo: a.Geo, Ask: asker, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Pages: pages, BaseURL: base})
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// The assistant's page exists only with an endpoint; its answer is escaped text with
// links to the practices cited; while the endpoint fails it points to search.
func TestAskPage(t *testing.T) {
	base, _ := site(t)
	if resp, body := get(t, base, "/ask", nil); resp.StatusCode != 404 || strings.Contains(body, `href="/ask"`) {
		t.Fatalf("without an endpoint: %d", resp.StatusCode)
	}
	_, body := get(t, base, "/", nil)
	if strings.Contains(body, `href="/ask"`) {
		t.Fatal("the nav links to the assistant without an endpoint")
	}
	base = askSite(t, stubAsker{})
	_, body = get(t, base, "/", nil)
	if !strings.Contains(body, `href="/ask"`) {
		t.Fatal("no link to the assistant")
	}
	_, body = get(t, base, "/ask?q=laptops+for+students", nil)
	if cites, ok := find(t, body, "ul", "class", "citations"); !ok || !strings.Contains(cites, "GeoBilbao") {
		t.Fatalf("citations %q", cites)
	}
	if !strings.Contains(body, `href="/practices/bilbao-geobilbao"`) || strings.Contains(body, "<b>did</b>") {
		t.Fatal("the answer is not linked or not escaped")
	}
	// The same answer as server-sent events, in parts, then the grounded whole.
	resp, body := get(t, base, "/ask/stream?q=laptops", nil)
	if resp.Header.Get("Content-Type") != "text/event-stream" || strings.Count(body, "event: delta\n") < 5 ||
		!strings.Contains(body, "event: done\ndata: {\"answer\":") || !strings.Contains(body, `"citations":[{"id":"bilbao-geobilbao"`) {
		t.Fatalf("stream %s: %q", resp.Header.Get("Content-Type"), body)
	}
	base = askSite(t, stubAsker{err: ai.ErrUnavailable})
	if _, body := get(t, base, "/ask/stream?q=laptops", nil); !strings.Contains(body, "event: error\ndata: {\"code\":\"unavailable\"") {
		t.Fatalf("stream while the endpoint fails: %q", body)
	}
	if _, body := get(t, base, "/", nil); strings.Contains(body, `href="/ask"`) {
		t.Fatal("the nav links to the assistant while its endpoint fails")
	}
	resp, body = get(t, base, "/ask?q=laptops", nil)
	if notice, _ := find(t, body, "p", "class", "notice"); resp.StatusCode != 200 || !strings.Contains(notice, "unavailable") || !strings.Contains(body, `href="/search?q=laptops"`) {
		t.Fatalf("endpoint down: %d %q", resp.StatusCode, notice)
	}
}
