package web_test

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/web"
)

// publicBase is the base URL of the site in these tests: not the address the test server
// listens on, so that a URL made from the request could not pass for one made from it.
const publicBase = "https://kb.example.org"

// publicSite runs the whole knowledge base as `kb serve` does, pages, API and OAI-PMH,
// under publicBase.
func publicSite(t *testing.T, secure bool) (string, *app.App, *server.Engine) {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	pages, err := web.New(web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Geo: a.Geo, BaseURL: publicBase, SecureCookies: secure})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := a.Provider(oai.Config{RepositoryName: "Test network", BaseURL: publicBase, Namespace: "kb.example.org", AdminEmail: "kb@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	e := server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Peers: a.Peers, OAI: provider,
		Pages: pages, BaseURL: publicBase, SecureCookies: secure})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL, a, e
}

// request sends one request with the client's own headers (Host among them) and reads
// the whole answer, without following redirects or decompressing.
func request(t *testing.T, client *http.Client, method, target string, header map[string]string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity") // the transport would otherwise ask for gzip and hide it
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if client == nil {
		client = &http.Client{}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(data)
}

// Every absolute URL in pages, the feed, JSON-LD, the sitemap and the tracking links is
// made from the base URL: a forged Host header lands nowhere.
func TestAbsoluteURLsFollowTheBaseURLNotTheHost(t *testing.T) {
	base, _, _ := publicSite(t, false)
	evil := map[string]string{"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
	check := func(what, body string, want ...string) {
		t.Helper()
		if strings.Contains(body, "evil.example") {
			t.Errorf("%s follows the forged Host: %s", what, regexp.MustCompile(`.{0,80}evil\.example.{0,40}`).FindString(body))
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %s", what, w)
			}
		}
	}
	_, page := request(t, nil, "GET", base+"/practices/bilbao-geobilbao", evil, nil)
	check("the practice page", page, `<link rel="canonical" href="`+publicBase+`/practices/bilbao-geobilbao">`, `"@id":"`+publicBase+`/practices/bilbao-geobilbao"`)
	_, feed := request(t, nil, "GET", base+"/feed.atom", evil, nil)
	check("the feed", feed, "<id>"+publicBase+"/feed.atom</id>", "<id>"+publicBase+"/practices/")
	_, sitemap := request(t, nil, "GET", base+"/sitemap.xml", evil, nil)
	check("the sitemap", sitemap, "<loc>"+publicBase+"/</loc>", "<loc>"+publicBase+"/practices/bilbao-geobilbao</loc>")
	_, robots := request(t, nil, "GET", base+"/robots.txt", evil, nil)
	check("robots.txt", robots, "Sitemap: "+publicBase+"/sitemap.xml")

	// A submission through the form: the confirmation's tracking link.
	jar := &jar{}
	client := &http.Client{Jar: jar}
	request(t, client, "GET", base+"/submit", evil, nil)
	form := url.Values{"csrf_token": {jar.csrf()}, "title": {"Night buses"}, "summary": {"Buses at night."}, "city": {"Bilbao"}, "country": {"ES"},
		"areas": {"mobility"}, "body": {"The city ran buses at night."}, "contact_name": {"N"}, "contact_email": {"n@example.org"}, "consent": {"yes"}, "action": {"submit"}}
	resp, _ := request(t, client, "POST", base+"/submit", map[string]string{"Host": "evil.example", "Content-Type": "application/x-www-form-urlencoded"}, strings.NewReader(form.Encode()))
	receiptPage := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(receiptPage, "/submitted/") {
		t.Fatalf("submit: %d to %q", resp.StatusCode, receiptPage)
	}
	_, done := request(t, client, "GET", base+receiptPage, evil, nil)
	check("the submission's tracking link", done, `href="`+publicBase+`/track/kbs_`)

	// The same through the API.
	resp, receipt := request(t, nil, "POST", base+"/api/v1/submissions", map[string]string{"Host": "evil.example", "Content-Type": "application/json"},
		strings.NewReader(`{"practice":{"title":"Night trams","summary":"Trams at night.","city":"Bilbao","country":"ES","areas":["mobility"],"body":"Trams ran at night."},"contact":{"name":"N","email":"n@example.org"},"consent_to_publish":true}`))
	var r struct {
		Token string `json:"tracking_token"`
		URL   string `json:"tracking_url"`
	}
	json.Unmarshal([]byte(receipt), &r)
	if resp.StatusCode != http.StatusCreated || r.Token == "" || r.URL != publicBase+"/track/"+r.Token {
		t.Errorf("API receipt: %d %s", resp.StatusCode, receipt)
	}
}

// coordinator adds a coordinator and returns a session cookie and an API token for them.
func coordinator(t *testing.T, a *app.App) (cookie, token string) {
	t.Helper()
	if _, err := a.Auth.AddUser("coord@example.org", auth.RoleCoordinator, "a long enough password", "test"); err != nil {
		t.Fatal(err)
	}
	who, err := a.Auth.Login(t.Context(), "coord@example.org", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	id, _, _, err := a.Auth.CreateSession(t.Context(), who, "test")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err = a.Auth.CreateToken("coord@example.org", "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	return "kb_session=" + id, token
}

// Every answer carries the security headers; secret and personal pages are kept by no
// cache, and tracking pages send their address to no other site.
func TestSecurityHeaders(t *testing.T) {
	base, a, _ := publicSite(t, true)
	cookie, token := coordinator(t, a)
	r, err := a.Review.Create(t.Context(), review.Input{Practice: practices.Practice{Title: "T", Summary: "S", City: "Bilbao", Country: "ES", Areas: []string{"data"}, Body: "B"},
		Contact: review.Contact{Name: "N", Email: "n@example.org"}, ConsentToPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/practices/bilbao-geobilbao", "/search?q=wifi", "/feed.atom", "/static/style.css", "/api/v1/search?q=wifi",
		"/api/v1/practices/nope", "/oai?verb=Identify", "/no/such/page", "/healthz", "/track/" + r.TrackingToken} {
		resp, _ := request(t, nil, "GET", base+path, nil, nil)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "object-src 'none'") || !strings.Contains(csp, "base-uri 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Strict-Transport-Security") != "max-age=31536000" {
			t.Errorf("%s: nosniff %q, frame options %q, HSTS %q", path, h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"), h.Get("Strict-Transport-Security"))
		}
		want := "strict-origin-when-cross-origin"
		if strings.HasPrefix(path, "/track/") {
			want = "no-referrer"
		}
		if got := h.Get("Referrer-Policy"); got != want {
			t.Errorf("%s: Referrer-Policy %q, want %q", path, got, want)
		}
	}
	for _, c := range []struct {
		path   string
		header map[string]string
	}{
		{"/track/" + r.TrackingToken, nil},
		{"/review", map[string]string{"Cookie": cookie}},
		{"/review/submissions/" + r.ID, map[string]string{"Cookie": cookie}},
		{"/practices/bilbao-geobilbao", map[string]string{"Cookie": cookie}}, // a coordinator's view, with their controls
		{"/api/v1/review/submissions", map[string]string{"Authorization": "Bearer " + token}},
		{"/api/v1/submissions/" + r.ID, map[string]string{"X-Tracking-Token": r.TrackingToken}},
	} {
		resp, _ := request(t, nil, "GET", base+c.path, c.header, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("%s: %d, Cache-Control %q", c.path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	if resp, _ := request(t, nil, "GET", base+"/practices/bilbao-geobilbao", nil, nil); resp.Header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("a public page: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	// Without TLS, no HSTS.
	plain, _, _ := publicSite(t, false)
	if resp, _ := request(t, nil, "GET", plain+"/", nil, nil); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS without --secure-cookies")
	}
}

// HEAD answers wherever GET does, with the same status and headers and no body.
func TestHeadOnEveryGetRoute(t *testing.T) {
	base, a, e := publicSite(t, false)
	cookie, _ := coordinator(t, a)
	r, err := a.Review.Create(t.Context(), review.Input{Practice: practices.Practice{Title: "T", Summary: "S", City: "Bilbao", Country: "ES", Areas: []string{"data"}, Body: "B"},
		Contact: review.Contact{Name: "N", Email: "n@example.org"}, ConsentToPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	params := strings.NewReplacer(":id", "bilbao-geobilbao", ":token", r.TrackingToken, ":n", "1", "*file", "style.css")
	n := 0
	for _, route := range e.Routes() {
		if route.Method != "GET" {
			continue
		}
		path := params.Replace(route.Path)
		if strings.HasPrefix(path, "/review/submissions/") {
			path = "/review/submissions/" + r.ID
		}
		if strings.HasPrefix(path, "/api/v1/submissions/") {
			path = "/api/v1/submissions/" + r.ID
		}
		header := map[string]string{"Cookie": cookie, "X-Tracking-Token": r.TrackingToken}
		get, body := request(t, nil, "GET", base+path, header, nil)
		head, empty := request(t, nil, "HEAD", base+path, header, nil)
		if head.StatusCode != get.StatusCode || empty != "" || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d %q (%d bytes), GET: %d %q", path, head.StatusCode, head.Header.Get("Content-Type"), len(empty), get.StatusCode, get.Header.Get("Content-Type"))
		}
		if cl := head.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(body)) && path != "/metrics" {
			t.Errorf("HEAD %s: Content-Length %s, the GET sent %d bytes", path, cl, len(body))
		}
		n++
	}
	if n < 40 {
		t.Fatalf("only %d GET routes", n)
	}
	resp, _ := request(t, nil, "PUT", base+"/feed.atom", nil, nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("PUT /feed.atom: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// gunzip reads a gzipped body.
func gunzip(t *testing.T, body string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// withoutDate drops OAI-PMH's responseDate, the one part of an answer that moves with the
// clock: two answers a second apart are the same answer.
func withoutDate(s string) string { return responseDate.ReplaceAllString(s, "") }

var responseDate = regexp.MustCompile(`<responseDate>[^<]*</responseDate>`)

// Pages, the feed, OAI-PMH, the API and static files answer a conditional GET whose copy
// is current with a 304, and come gzipped to clients that accept it.
func TestConditionalGetAndGzip(t *testing.T) {
	base, a, _ := publicSite(t, false)
	for _, path := range []string{"/practices/bilbao-geobilbao", "/", "/feed.atom", "/oai?verb=Identify", "/oai?verb=ListRecords&metadataPrefix=kb",
		"/api/v1/search?q=wifi", "/api/v1/practices/bilbao-geobilbao", "/api/v1/openapi.json", "/static/style.css", "/sitemap.xml"} {
		resp, body := request(t, nil, "GET", base+path, nil, nil)
		tag, date := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if resp.StatusCode != 200 || !strings.HasPrefix(tag, `W/"`) || date == "" || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: %d, ETag %q, Last-Modified %q, Content-Encoding %q", path, resp.StatusCode, tag, date, resp.Header.Get("Content-Encoding"))
			continue
		}
		if strings.Contains(body, "<resumptionToken") {
			t.Errorf("%s: a list in pages; the test wants a whole one", path)
		}
		for _, cond := range []map[string]string{{"If-None-Match": tag}, {"If-None-Match": `W/"other", ` + tag}, {"If-Modified-Since": date}} {
			resp, again := request(t, nil, "GET", base+path, cond, nil)
			if resp.StatusCode != http.StatusNotModified || again != "" || resp.Header.Get("ETag") != tag {
				t.Errorf("%s with %v: %d (%d bytes), ETag %q", path, cond, resp.StatusCode, len(again), resp.Header.Get("ETag"))
			}
		}
		if resp, _ := request(t, nil, "GET", base+path, map[string]string{"If-None-Match": `W/"other"`, "If-Modified-Since": date}, nil); resp.StatusCode != 200 {
			t.Errorf("%s: another tag is not current (If-None-Match wins over the date): %d", path, resp.StatusCode)
		}
		resp, zipped := request(t, nil, "GET", base+path, map[string]string{"Accept-Encoding": "br;q=1, gzip;q=0.8"}, nil)
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") ||
			resp.Header.Get("ETag") != tag || withoutDate(gunzip(t, zipped)) != withoutDate(body) || len(zipped) >= len(body) {
			t.Errorf("%s gzipped: %q, Vary %q, ETag %q, %d of %d bytes", path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), resp.Header.Get("ETag"), len(zipped), len(body))
		}
		if resp, _ := request(t, nil, "GET", base+path, map[string]string{"Accept-Encoding": "gzip;q=0"}, nil); resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzipped for a client that refuses it", path)
		}
	}

	// A page varies by language and cookie: each language has its own tag.
	en, _ := request(t, nil, "GET", base+"/practices/bilbao-geobilbao", map[string]string{"Accept-Language": "en"}, nil)
	fr, _ := request(t, nil, "GET", base+"/practices/bilbao-geobilbao", map[string]string{"Accept-Language": "fr"}, nil)
	if v := en.Header.Get("Vary"); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Cookie") || en.Header.Get("ETag") == fr.Header.Get("ETag") {
		t.Errorf("Vary %q; ETags en %s, fr %s", v, en.Header.Get("ETag"), fr.Header.Get("ETag"))
	}
	// A change is never called current: neither by its old tag nor by its old date, even
	// within the same second.
	feed, _ := request(t, nil, "GET", base+"/feed.atom", nil, nil)
	p, err := a.Store.Get(t.Context(), "bilbao-geobilbao")
	if err != nil {
		t.Fatal(err)
	}
	p.Summary += " Updated."
	if _, err := a.Review.Edit(t.Context(), "coord@example.org", p.ID, *p); err != nil {
		t.Fatal(err)
	}
	for _, cond := range []map[string]string{{"If-None-Match": feed.Header.Get("ETag")}, {"If-Modified-Since": feed.Header.Get("Last-Modified")}} {
		if resp, body := request(t, nil, "GET", base+"/feed.atom", cond, nil); resp.StatusCode != 200 || !strings.Contains(body, "Updated.") {
			t.Errorf("the feed after a change, with %v: %d", cond, resp.StatusCode)
		}
	}
}

// Crawlers are kept off private pages and find every published practice in the sitemap,
// with the date of its last change; browsers find the icon.
func TestCrawlersAndBrowsersFindTheirFiles(t *testing.T) {
	base, a, _ := publicSite(t, false)
	resp, robots := request(t, nil, "GET", base+"/robots.txt", nil, nil)
	for _, want := range []string{"User-agent: *\n", "Disallow: /review\n", "Disallow: /track\n", "Disallow: /login\n", "Sitemap: " + publicBase + "/sitemap.xml\n"} {
		if !strings.Contains(robots, want) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("robots.txt (%s) lacks %q: %s", resp.Header.Get("Content-Type"), want, robots)
		}
	}
	if _, err := a.Review.Archive(t.Context(), "coord@example.org", "bilbao-geobilbao", true); err != nil {
		t.Fatal(err)
	}
	n, err := a.Store.Count()
	if err != nil {
		t.Fatal(err)
	}
	type loc struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	}
	type urlset struct {
		URLs []loc `xml:"url"`
		Maps []loc `xml:"sitemap"`
	}
	read := func(path string) (int, urlset) {
		resp, body := request(t, nil, "GET", base+path, nil, nil)
		var set urlset
		if resp.StatusCode == 200 {
			if err := xml.Unmarshal([]byte(body), &set); err != nil || resp.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
				t.Fatalf("%s: %v (%s): %.200s", path, err, resp.Header.Get("Content-Type"), body)
			}
		}
		return resp.StatusCode, set
	}
	_, set := read("/sitemap.xml")
	if len(set.URLs) != n || set.URLs[0].Loc != publicBase+"/" { // the home page, and every practice but the archived one
		t.Fatalf("%d URLs for %d practices, first %+v", len(set.URLs), n, set.URLs[0])
	}
	for _, u := range set.URLs[1:] {
		if !strings.HasPrefix(u.Loc, publicBase+"/practices/") || u.Loc == publicBase+"/practices/bilbao-geobilbao" {
			t.Errorf("sitemap URL %s", u.Loc)
		}
		if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
			t.Errorf("%s: lastmod %q", u.Loc, u.LastMod)
		}
	}
	// Past the protocol's limit (here 10 URLs), an index of pages.
	defer web.SetSitemapSize(10)()
	if _, index := read("/sitemap.xml"); len(index.URLs) != 0 || len(index.Maps) != (n+9)/10 || index.Maps[0].Loc != publicBase+"/sitemap.xml?page=1" {
		t.Errorf("sitemap index: %+v", index)
	}
	total := 0
	for page := 1; page <= (n+9)/10; page++ {
		_, set := read("/sitemap.xml?page=" + strconv.Itoa(page))
		total += len(set.URLs)
	}
	if total != n {
		t.Errorf("the pages list %d URLs, want %d", total, n)
	}
	if code, _ := read("/sitemap.xml?page=" + strconv.Itoa((n+9)/10+1)); code != 404 {
		t.Errorf("a page past the end: %d", code)
	}
	if code, _ := read("/sitemap.xml?page=x"); code != 400 {
		t.Errorf("page=x: %d", code)
	}

	for path, want := range map[string]string{"/favicon.ico": "image/", "/static/favicon.svg": "image/svg+xml"} {
		if resp, body := request(t, nil, "GET", base+path, nil, nil); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) || len(body) < 100 {
			t.Errorf("%s: %d %s, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
	if _, home := request(t, nil, "GET", base+"/", nil, nil); !strings.Contains(home, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`) {
		t.Error("the pages do not link the icon")
	}
}

// An unknown address is an HTML page in the visitor's language, but under /api/, where
// it is the API's JSON error.
func TestUnknownAddressesInTheVisitorsLanguage(t *testing.T) {
	base, _, _ := publicSite(t, false)
	for accept, want := range map[string][2]string{
		"es-ES,es;q=0.9": {"Página no encontrada", "No hay ninguna página en esta dirección"},
		"fr":             {"Page introuvable", "Il n'y a pas de page à cette adresse"},
		"pt-BR":          {"Página não encontrada", "Não há nenhuma página neste endereço"},
		"de, en;q=0.5":   {"Page not found", "There is no page at this address"},
	} {
		for _, path := range []string{"/no/such/page", "/oai/nothing", "/practices/", "/static.css"} {
			resp, body := request(t, nil, "GET", base+path, map[string]string{"Accept-Language": accept}, nil)
			h1, _ := find(t, body, "h1", "", "")
			msg, _ := find(t, body, "p", "class", "error")
			if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || h1 != want[0] || !strings.HasPrefix(msg, want[1]) ||
				!strings.Contains(resp.Header.Get("Vary"), "Accept-Language") {
				t.Errorf("%s in %s: %d %s, h1 %q, message %q", path, accept, resp.StatusCode, resp.Header.Get("Content-Type"), h1, msg)
			}
		}
	}
	for _, path := range []string{"/api/v1/nothing", "/api/nothing"} {
		resp, body := request(t, nil, "GET", base+path, map[string]string{"Accept-Language": "fr"}, nil)
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"code":"not_found"`) {
			t.Errorf("%s: %d %s %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

// The search's CSV export neutralises what a spreadsheet would run as a formula: anyone
// may submit a case, and coordinators open these files.
func TestSearchCSVNeutralisesFormulas(t *testing.T) {
	base, a, _ := publicSite(t, false)
	p, err := a.Store.Get(t.Context(), "bilbao-geobilbao")
	if err != nil {
		t.Fatal(err)
	}
	p.ID, p.URI, p.Version = "formula-lessons", "", 0 // a new case, not the study's
	p.Title, p.Summary, p.City = `=HYPERLINK("http://evil.example","Formula lessons")`, "+cmd|' /C calc'!A0", "@Bilbao"
	if _, err := a.Import(t.Context(), []*practices.Practice{p}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	resp, body := request(t, nil, "GET", base+"/search.csv?q=formula+lessons", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || resp.StatusCode != 200 || len(rows) < 2 {
		t.Fatalf("%d %v: %.300s", resp.StatusCode, err, body)
	}
	for _, row := range rows[1:] {
		if row[0] != "formula-lessons" {
			continue
		}
		if row[1] != "'"+p.Title || row[2] != "'"+p.Summary || row[3] != "'@Bilbao" {
			t.Errorf("cells %q, %q, %q", row[1], row[2], row[3])
		}
		return
	}
	t.Fatalf("the practice is not in the export: %.300s", body)
}
