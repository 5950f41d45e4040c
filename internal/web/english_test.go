package web_test

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// englishLeft finds what a page says in English although it is in another language: a
// fragment of two words or more of an English message of the catalogues that the page's
// language does not say the same way, or a piece of the English the code writes (field
// errors, reasons). Text marked with another lang (a practice's original, a name) and
// what a person typed do not count.
type englishLeft struct {
	fragments map[string][]string // language → English fragments it does not share
}

// codeEnglish is English the packages write for logs, the command line and the API,
// which a page must never show in another language.
var codeEnglish = []string{"is required", "must be ", "is not one of", "is too long", "at most ", "is not valid", "ISO 3166",
	"matched ", "a form of", "via concept", "read as a typo", "addresses your", "from your", "which you have", "similar size",
	"same country", "same region", "shares your language", "still planned", "tested as a pilot", "not found", "no such"}

var verbOrBreak = regexp.MustCompile(`%(\[[0-9]\])?[-+ #0-9.]*[a-zA-Z%]|[.:;,()“”‘’«»?!…]|\n`)

func newEnglishLeft(t *testing.T) *englishLeft {
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	e := &englishLeft{fragments: map[string][]string{}}
	for _, l := range i18n.Languages[1:] {
		var theirs strings.Builder
		for _, k := range cat.Keys(l.Code) {
			for _, f := range cat.Message(l.Code, k).Forms {
				theirs.WriteString(strings.ToLower(f) + "\n")
			}
		}
		for _, k := range cat.Keys("en") {
			if k == "search.placeholder" { // its examples are in every language
				continue
			}
			for _, f := range cat.Message("en", k).Forms {
				for _, chunk := range verbOrBreak.Split(f, -1) {
					chunk = strings.ToLower(strings.Join(strings.Fields(chunk), " "))
					if len(strings.Fields(chunk)) >= 2 && !strings.Contains(theirs.String(), chunk) && !slices.Contains(e.fragments[l.Code], chunk) {
						e.fragments[l.Code] = append(e.fragments[l.Code], chunk)
					}
				}
			}
		}
	}
	return e
}

// check reports the English a page in lang shows.
func (e *englishLeft) check(t *testing.T, lang, what, page string) {
	t.Helper()
	for _, found := range e.find(t, lang, page) {
		t.Errorf("%s in %s: %s", what, lang, found)
	}
}

// find lists the English a page in lang shows, each with its context.
func (e *englishLeft) find(t *testing.T, lang, page string) []string {
	var out []string
	text := strings.ToLower(pageText(t, page, lang))
	for _, f := range append(e.fragments[lang], codeEnglish...) {
		if i := strings.Index(text, strings.ToLower(f)); i >= 0 {
			out = append(out, fmt.Sprintf("%q in English: …%s…", f, text[max(0, i-60):min(len(text), i+len(f)+60)]))
		}
	}
	if key := messageKey.FindString(text); key != "" {
		out = append(out, "the message key "+key)
	}
	return out
}

var messageKey = regexp.MustCompile(`\b(problem|reason|gap|peer|explain|error\.detail|format|month)\.[a-z_.]+\b`)

// pageText is what a reader of lang reads on a page: its text and the labels of its
// controls, without scripts, what was typed into it, and what is marked as another
// language.
func pageText(t *testing.T, page, lang string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if slices.Contains([]string{"script", "style", "textarea", "template"}, n.Data) {
				return
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "lang" && a.Val != lang:
					return
				case slices.Contains([]string{"placeholder", "aria-label", "title", "alt"}, a.Key):
					b.WriteString(a.Val + "\n")
				}
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data + "\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return strings.Join(strings.Fields(b.String()), " ")
}

// reader is a browser without script in one language, as a contributor uses the site.
func reader(t *testing.T, base, lang string) *client {
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.get("/?lang=" + lang) // chosen once, remembered
	return c
}

// Every page and flow, read in Spanish, French and Portuguese, says nothing in English:
// search (with reasons and an empty result), a practice, recommendations (and a profile
// with mistakes), a submission with errors, its tracking page, the coordinators' pages,
// and the error pages.
func TestNothingInEnglishOnTranslatedPages(t *testing.T) {
	s := startSite(t)
	e := newEnglishLeft(t)
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := s.App.Review.Create(t.Context(), review.Input{Practice: barcelonaCase(t, s), Contact: review.Contact{Name: "Ana", Email: "ana@example.org"}, ConsentToPublish: true, Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	// A peer whose last harvest had problems: a record altered on its way (refused) and
	// a probable duplicate; and one whose harvest failed.
	addCases(t, s.App, [3]string{"cafes-de-reparacion", "Neighbourhood Repair Cafes!", "Barcelona"})
	peerOf(t, s, federation.PolicyReview, fedtest.Options{Wrap: altering("A tool library in every district", "A tool library, altered")},
		[3]string{"repair-cafes", "Neighbourhood repair cafés", "Barcelona"}, [3]string{"tool-library", "A tool library in every district", "Girona"})
	if rep := harvestNow(t, s, "metropolis"); rep.Refused != 1 || rep.Duplicates != 1 || len(rep.Problems) != 1 {
		t.Fatalf("the harvest: %+v", rep)
	}
	gone := fedtest.Start(t, "gone.example.org")
	if _, err := s.App.Peers.Add(t.Context(), federation.NewPeer{Name: "gone", URL: gone.Endpoint, Policy: federation.PolicyReview}); err != nil {
		t.Fatal(err)
	}
	gone.Stop()
	s.App.Peers.Sync(t.Context(), "gone")
	for _, l := range i18n.Languages[1:] {
		v := reader(t, s.URL, l.Code)
		for _, path := range []string{"/", "/search?q=wifi", "/search?q=aforo+playas", "/search?q=zzzzqq", "/search?q=x&limit=500",
			"/practices/hamamatsu-haruno-medical-maas", "/practices/amb-beach-occupancy-information", "/practices/nope", "/no/such/page",
			"/recommend", "/recommend?city=Montevideo&weak_areas=education&weak_areas=public-services&resources=municipal-wifi&priority_groups=students",
			"/recommend?country=XX&population=-1&weak_areas=education", "/recommend?country=ES&population=60000",
			"/sessions", "/submit", "/track", "/track/" + receipt.TrackingToken, "/login", "/findings", "/assess", "/about"} {
			_, body := v.get(path)
			e.check(t, l.Code, path, body)
		}
		v.get("/submit")
		_, body := v.post("/submit", url.Values{"title": {""}, "country": {"ZZ"}, "contact_email": {"not an address"}, "tags": {"Not A Slug"}, "year": {"1200"}, "action": {"submit"}})
		mistakes(t, e, l.Code, "a submission with mistakes", body)
		v.get("/track/" + receipt.TrackingToken)
		_, body = v.post("/track/"+receipt.TrackingToken, url.Values{"title": {""}, "action": {"submit"}})
		mistakes(t, e, l.Code, "a revision with mistakes", body)
		_, body = v.post("/submit", url.Values{"title": {"x"}}) // no CSRF token: refused
		e.check(t, l.Code, "a form without its token", body)

		// The mail a contributor gets first, asking to confirm the address, is in their
		// language too.
		if _, err := s.App.Review.Create(t.Context(), review.Input{Practice: barcelonaCase(t, s), Contact: review.Contact{Name: "Ana", Email: "ana-" + l.Code + "@example.org"},
			ConsentToPublish: true, Lang: l.Code}); err != nil {
			t.Fatal(err)
		}
		mail, err := s.App.Review.Outbox(t.Context(), 1)
		if err != nil || len(mail) != 1 || mail[0].To != "ana-"+l.Code+"@example.org" {
			t.Fatalf("no mail to the contributor: %v %+v", err, mail)
		}
		for _, found := range e.find(t, l.Code, "<p>"+html.EscapeString(mail[0].Subject+"\n"+mail[0].Body)+"</p>") {
			t.Errorf("the mail in %s: %s", l.Code, found)
		}

		coord := loginAs(t, s.URL, adminEmail)
		coord.get("/review?lang=" + l.Code)
		for _, path := range []string{"/review", "/review/submissions/" + receipt.ID, "/review/sessions", "/review/audit", "/review/peers",
			"/review/account", "/practices/bilbao-geobilbao/edit", "/practices/bilbao-geobilbao/versions"} {
			_, body := coord.get(path)
			e.check(t, l.Code, path, body)
		}
		_, body = coord.get("/review/peers")
		for _, says := range []string{cat.T(l.Code, "harvest.problem.digest"), cat.T(l.Code, "peers.reason.title"), cat.T(l.Code, "peers.error")} {
			if !strings.Contains(html.UnescapeString(body), says) {
				t.Errorf("the peers page in %s does not say %q", l.Code, says)
			}
		}
		_, body = coord.post("/review/peers", url.Values{"name": {"local"}, "url": {"ftp://x"}, "interval": {"soon"}})
		mistakes(t, e, l.Code, "a peer with mistakes", body)
		coord.get("/review/sessions")
		_, body = coord.post("/review/sessions", url.Values{"title": {""}, "date": {"tomorrow"}})
		mistakes(t, e, l.Code, "a session with mistakes", body)
	}
}

// altering has a node's answers say to instead of from, as a relay that alters what it
// passes on would.
func altering(from, to string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			r.Header.Del("Accept-Encoding") // the text as it is, to alter
			h.ServeHTTP(rec, r)
			maps.Copy(w.Header(), rec.Header())
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			io.WriteString(w, strings.ReplaceAll(rec.Body.String(), from, to))
		})
	}
}

// mistakes checks a form sent back with its mistakes, said in lang.
func mistakes(t *testing.T, e *englishLeft, lang, what, body string) {
	t.Helper()
	if msg, ok := find(t, body, "p", "class", "error"); !ok || msg == "" {
		t.Errorf("%s in %s: no mistake said", what, lang)
	}
	e.check(t, lang, what, body)
}

// barcelonaCase is a case to submit, made from one of the study's.
func barcelonaCase(t *testing.T, s testSite) practices.Practice {
	p, err := s.App.Get(t.Context(), "barcelona-3d-printed-ppe")
	if err != nil {
		t.Fatal(err)
	}
	c := *p
	c.ID, c.URI, c.Translations, c.Version, c.Source = "", "", nil, 0, ""
	return c
}

// The check finds what it is for: English left on a Spanish page.
func TestEnglishLeftIsFound(t *testing.T) {
	e := newEnglishLeft(t)
	for page, found := range map[string]bool{
		`<html lang="es"><p>Página no encontrada</p></html>`:                                        false,
		`<html lang="es"><p>Page not found</p></html>`:                                              true,
		`<html lang="es"><p>title: is required</p></html>`:                                          true,
		`<html lang="es"><p>1 practices found</p></html>`:                                           true,
		`<html lang="es"><h3 lang="en">Free WiFi for students</h3><p>Prácticas</p></html>`:          false,
		`<html lang="es"><input placeholder="e.g. students without internet at home"></html>`:       true,
		`<html lang="es"><textarea>what the contributor typed, which is required</textarea></html>`: false,
	} {
		if got := e.find(t, "es", page); (len(got) > 0) != found {
			t.Errorf("%s: found %v", page, got)
		}
	}
}

// The assistant's refusals and the mistakes in the suggestions a coordinator takes are
// said in the coordinator's language too: asked about a case not waiting for a decision,
// asked with none configured, and suggestions taken that do not exist or as edited are
// not valid.
func TestNothingInEnglishInTheAssistantsErrors(t *testing.T) {
	e := newEnglishLeft(t)
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	plain := startSite(t)
	s := siteWithJobs(t, func(a *app.App) { a.Review.Assistant = stubSuggester{} })
	cases := map[string]*review.Receipt{}
	for _, draft := range []bool{true, false} {
		r, err := s.App.Review.Create(t.Context(), review.Input{Practice: barcelonaCase(t, s), Contact: review.Contact{Name: "Ana", Email: "ana@example.org"}, ConsentToPublish: true, Draft: draft})
		if err != nil {
			t.Fatal(err)
		}
		cases[strconv.FormatBool(draft)] = r
	}
	waiting := cases["false"]
	if sub, err := s.App.Review.Get(t.Context(), waiting.ID, review.Access{Token: waiting.TrackingToken}); err != nil || sub.Status != review.StatusSubmitted {
		t.Fatalf("the case does not wait for a decision: %v", err)
	}
	noAssistant, err := plain.App.Review.Create(t.Context(), review.Input{Practice: barcelonaCase(t, plain), Contact: review.Contact{Name: "Ana", Email: "ana@example.org"}, ConsentToPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	coord := loginAs(t, s.URL, coordEmail)
	coord.postAndFollow("/review/submissions/"+waiting.ID+"/assist", url.Values{})
	other := loginAs(t, plain.URL, coordEmail)
	for _, l := range i18n.Languages {
		coord.get("/review?lang=" + l.Code)
		other.get("/review?lang=" + l.Code)
		for _, c := range []struct {
			what string
			on   *client
			path string
			form url.Values
			says string
		}{
			{"a draft", coord, cases["true"].ID + "/assist", url.Values{}, cat.T(l.Code, "assist.error.state", cat.T(l.Code, "state.draft"))},
			{"no assistant", other, noAssistant.ID + "/assist", url.Values{}, cat.T(l.Code, "assist.error.none")},
			{"no such suggestion", coord, waiting.ID + "/decision", url.Values{"decision": {"accept"}, "apply": {"nonsense"}},
				cat.T(l.Code, "field.apply_fields") + ": " + cat.T(l.Code, "problem.apply_fields.not_a_choice", "nonsense")},
			{"an edited area that is none", coord, waiting.ID + "/decision", url.Values{"decision": {"accept"}, "apply": {"areas"}, "apply_areas": {"nowhere"}},
				cat.T(l.Code, "assist.field", cat.T(l.Code, "field.areas")) + ": " + cat.T(l.Code, "problem.areas.not_a_choice")},
		} {
			c.on.get("/review/submissions/" + strings.TrimSuffix(strings.TrimSuffix(c.path, "/assist"), "/decision"))
			resp, body := c.on.post("/review/submissions/"+c.path, c.form)
			if resp.StatusCode < 400 {
				t.Fatalf("%s in %s: %d", c.what, l.Code, resp.StatusCode)
			}
			if msg, _ := find(t, body, "p", "class", "error"); msg != c.says {
				t.Errorf("%s in %s: says %q, want %q", c.what, l.Code, msg, c.says)
			}
			if l.Code != "en" {
				e.check(t, l.Code, c.what, body)
			}
		}
	}
}
