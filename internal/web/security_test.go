package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/web"
)

// visitor is a browser without script: it keeps cookies, reads the CSRF token of the
// page it last loaded, and does not follow redirects.
type visitor struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func newVisitor(t *testing.T, base string) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, base: base, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// submit sends the submission form and follows its redirect to the receipt, as a
// browser does.
func (v *visitor) submit(form url.Values) (*http.Response, string) {
	v.t.Helper()
	resp, body := v.post("/submit", form, nil)
	if resp.StatusCode != http.StatusSeeOther {
		return resp, body
	}
	return v.get(resp.Header.Get("Location"))
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// get loads a page and remembers its form's CSRF token.
func (v *visitor) get(path string) (*http.Response, string) {
	v.t.Helper()
	resp, err := v.client.Get(v.base + path)
	if err != nil {
		v.t.Fatal(err)
	}
	body := readAll(v.t, resp)
	if m := csrfInput.FindStringSubmatch(body); m != nil {
		v.csrf = m[1]
	}
	return resp, body
}

// post sends a form as the page's own form does: with its CSRF token, from this origin.
func (v *visitor) post(path string, form url.Values, header map[string]string) (*http.Response, string) {
	v.t.Helper()
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", v.csrf)
	}
	req, _ := http.NewRequest("POST", v.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", v.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, val := range header {
		req.Header.Set(k, val)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	return resp, readAll(v.t, resp)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func caseForm() url.Values {
	return url.Values{"title": {"Solar kiosks in markets"}, "summary": {"Free phone charging for traders."}, "city": {"Kisumu"},
		"country": {"KE"}, "areas": {"economy"}, "body": {"## What was done\nKiosks."}, "contact_name": {"Amina"},
		"contact_email": {"amina@example.org"}, "consent": {"yes"}, "action": {"submit"}, "session_id": {""}}
}

// The submission form counts against the same limit as the API: of 50 submissions from
// one address only the burst is accepted, the rest get 429 with Retry-After, and the API
// then refuses that address too.
func TestFormSubmissionsAreLimited(t *testing.T) {
	base, _ := siteWith(t, nil)
	v := newVisitor(t, base)
	v.get("/submit")
	accepted, limited := 0, 0
	for range 50 {
		resp, body := v.post("/submit", caseForm(), nil)
		switch resp.StatusCode {
		case http.StatusSeeOther:
			accepted++
		case http.StatusTooManyRequests:
			limited++
			if resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Try again in") {
				t.Fatalf("a 429 without Retry-After or a word on when: %q", body)
			}
		default:
			t.Fatalf("submission: %d %.300s", resp.StatusCode, body)
		}
	}
	if accepted != 10 || limited != 40 {
		t.Fatalf("%d accepted, %d limited; want 10 and 40", accepted, limited)
	}
	resp, err := http.Post(base+"/api/v1/submissions", "application/json", strings.NewReader(`{"practice":{"title":"x"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the API after the form's limit: %d", resp.StatusCode)
	}
}

// A submission refused for what is wrong with it stores nothing and does not count.
func TestInvalidSubmissionsDoNotCount(t *testing.T) {
	base, _ := siteWith(t, nil)
	v := newVisitor(t, base)
	v.get("/submit")
	bad := caseForm()
	bad.Set("contact_email", "not an address")
	for range 15 {
		if resp, _ := v.post("/submit", bad, nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("an invalid submission: %d", resp.StatusCode)
		}
	}
	for i := range 10 {
		if resp, _ := v.post("/submit", caseForm(), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("valid submission %d after invalid ones: %d", i+1, resp.StatusCode)
		}
	}
}

// loginAPI tries a password on the API's door.
func loginAPI(t *testing.T, client *http.Client, base, email, pw string) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	resp, err := client.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	return resp
}

// loginPage tries a password on the login page's door.
func loginPage(t *testing.T, v *visitor, email, pw string) *http.Response {
	t.Helper()
	v.get("/login")
	resp, _ := v.post("/login", url.Values{"email": {email}, "password": {pw}, "next": {"/review"}}, nil)
	return resp
}

// 50 wrong passwords on either door, from one address: a few are checked, the rest wait
// (429 with Retry-After), and then the other door refuses even the right password, for
// the address and the account share one limit whichever door they use.
func TestFiftyWrongPasswordsOnEachDoorAreLimited(t *testing.T) {
	doors := map[string]func(t *testing.T, base string, pw string) *http.Response{
		"api": func(t *testing.T, base, pw string) *http.Response {
			return loginAPI(t, http.DefaultClient, base, coordEmail, pw)
		},
		"page": func(t *testing.T, base, pw string) *http.Response {
			return loginPage(t, newVisitor(t, base), coordEmail, pw)
		},
	}
	for name, door := range doors {
		t.Run(name, func(t *testing.T) {
			base, _ := siteWith(t, nil)
			checked, waited := 0, 0
			for range 50 {
				resp := door(t, base, "wrong password!")
				switch resp.StatusCode {
				case http.StatusUnauthorized:
					checked++
				case http.StatusTooManyRequests:
					waited++
					if resp.Header.Get("Retry-After") == "" {
						t.Fatal("a 429 without Retry-After")
					}
				default:
					t.Fatalf("status %d", resp.StatusCode)
				}
			}
			// Five free failures, then waits of 1, 2, 4, 8 … seconds: however slow the
			// machine, a handful at most are checked within the loop.
			if checked > 9 || waited < 41 {
				t.Fatalf("%d of 50 wrong passwords checked, %d refused: not limited", checked, waited)
			}
			other := "page"
			if name == "page" {
				other = "api"
			}
			if resp := doors[other](t, base, coordPassword); resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("the %s door after 50 failures on the %s door: %d, want 429", other, name, resp.StatusCode)
			}
		})
	}
}

// fromAddress is a client whose connections come from one loopback address of 127/8.
func fromAddress(t *testing.T, ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// Guessing one account's password from many addresses is limited by the account's own
// count of failures.
func TestGuessesAtOneAccountFromManyAddressesAreLimited(t *testing.T) {
	base, _ := siteWith(t, nil)
	checked := 0
	for i := range 50 {
		resp := loginAPI(t, fromAddress(t, fmt.Sprintf("127.0.0.%d", 10+i)), base, coordEmail, "wrong password!")
		if resp.StatusCode == http.StatusUnauthorized {
			checked++
		}
	}
	if checked > 9 {
		t.Fatalf("%d of 50 guesses from 50 addresses checked: the account is not limited", checked)
	}
	// Another account, from a fresh address, is not held back.
	if resp := loginAPI(t, fromAddress(t, "127.0.0.200"), base, "other@example.org", "wrong password!"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("another account: %d", resp.StatusCode)
	}
}

// Known open-redirect payloads in next, on the login form and after a login, all stay on
// this site; a clean path is kept.
func TestLoginNextStaysOnSite(t *testing.T) {
	base, _ := site(t)
	payloads := []string{
		"//evil.example", "//evil.example/", "///evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
		"/%09/evil.example/", "/\t/evil.example/", "/%0a/evil.example", "/%0d/evil.example", "/\n/evil.example", "/ /evil.example",
		"/%2F/evil.example", "/%2f%2fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%5c%5cevil.example",
		"https://evil.example", "http:evil.example", "http:/evil.example", "HTTPS://evil.example", "//evil.example@kb",
		"https:\\\\evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
		" //evil.example", "/./evil.example", "/../evil.example", "/.%2e/evil.example", "/review/../..//evil.example",
		"/\u3000/evil.example", "/\u00a0/evil.example", "/\u2028/evil.example", "evil.example", "#//evil.example", "/review#//evil",
		"//127.0.0.1:1/", "/%00/evil.example", "/\x7f/evil.example",
	}
	for _, next := range payloads {
		v := newVisitor(t, base)
		_, body := v.get("/login?next=" + url.QueryEscape(next))
		if m := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(body); m == nil || m[1] != "/review" {
			t.Errorf("login form with next=%q carries %v", next, m)
		}
		resp, _ := v.post("/login", url.Values{"email": {coordEmail}, "password": {coordPassword}, "next": {next}}, nil)
		loc, err := resp.Location()
		if resp.StatusCode != http.StatusSeeOther || err != nil {
			t.Fatalf("login with next=%q: %d %v", next, resp.StatusCode, err)
		}
		if b, _ := url.Parse(base); loc.Host != b.Host || resp.Header.Get("Location") != "/review" {
			t.Errorf("next=%q sends the coordinator to %q", next, resp.Header.Get("Location"))
		}
	}
	v := newVisitor(t, base)
	v.get("/login")
	resp, _ := v.post("/login", url.Values{"email": {coordEmail}, "password": {coordPassword}, "next": {"/review?status=all&area=data"}}, nil)
	if resp.Header.Get("Location") != "/review?status=all&area=data" {
		t.Errorf("a clean next is not kept: %q", resp.Header.Get("Location"))
	}
}

// login logs the visitor in through the login page.
func (v *visitor) login() {
	v.t.Helper()
	v.get("/login")
	if resp, _ := v.post("/login", url.Values{"email": {coordEmail}, "password": {coordPassword}}, nil); resp.StatusCode != http.StatusSeeOther {
		v.t.Fatalf("login: %d", resp.StatusCode)
	}
}

// A logged-in coordinator's browser sends a form another origin made, or one carrying a
// CSRF cookie another host planted: nothing changes. The pages refuse to be framed.
func TestForgedFormsChangeNothing(t *testing.T) {
	base, a := site(t)
	const id = "bilbao-geobilbao"
	archived := func() bool {
		p, err := a.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return p.Archived
	}
	v := newVisitor(t, base)
	v.login()
	v.get("/practices/" + id + "/edit")
	sessionToken := v.csrf
	for name, h := range map[string]map[string]string{
		"another site":                    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
		"a sibling subdomain":             {"Origin": "http://evil.127.0.0.1.nip.io", "Sec-Fetch-Site": "same-site"},
		"another port (Origin only)":      {"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": ""},
		"another port (Sec-Fetch-Site)":   {"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"},
		"another site, no Sec-Fetch-Site": {"Origin": "https://evil.example", "Sec-Fetch-Site": ""},
	} {
		resp, body := v.post("/practices/"+id+"/archive", url.Values{"archived": {"yes"}, "csrf_token": {sessionToken}}, h)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "another site") || archived() {
			t.Fatalf("a form from %s: %d, archived %v", name, resp.StatusCode, archived())
		}
	}
	// A cookie planted by a sibling subdomain, repeated in the form, is not the session's
	// token: refused even when the request looks same-origin.
	u, _ := url.Parse(base)
	v.client.Jar.SetCookies(u, []*http.Cookie{{Name: "kb_csrf", Value: strings.Repeat("p", 43), Path: "/"}})
	for _, h := range []map[string]string{{}, {"Origin": "", "Sec-Fetch-Site": ""}} {
		resp, _ := v.post("/practices/"+id+"/archive", url.Values{"archived": {"yes"}, "csrf_token": {strings.Repeat("p", 43)}}, h)
		if resp.StatusCode != http.StatusForbidden || archived() {
			t.Fatalf("a planted cookie: %d, archived %v", resp.StatusCode, archived())
		}
	}
	// The API refuses the same session from another origin, even with its token.
	var sessionCookie string
	for _, c := range v.client.Jar.Cookies(u) {
		if c.Name == "kb_session" {
			sessionCookie = c.Value
		}
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/practices/"+id+"/archive", strings.NewReader(`{"archived":true}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", "kb_session="+sessionCookie)
	req.Header.Set("X-CSRF-Token", sessionToken)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != http.StatusForbidden || archived() {
		t.Fatalf("the API from another origin: %d, archived %v", resp.StatusCode, archived())
	}
	// The coordinator's own form, from this site, with the session's token, works (confirmed, as its page asks).
	if resp, _ := v.post("/practices/"+id+"/archive", url.Values{"archived": {"yes"}, "confirm": {"yes"}, "csrf_token": {sessionToken}}, nil); resp.StatusCode != http.StatusSeeOther || !archived() {
		t.Fatalf("the coordinator's own form: %d, archived %v", resp.StatusCode, archived())
	}
	for _, path := range []string{"/", "/login", "/api/v1/search?q=wifi"} {
		resp, _ := v.get(path)
		if resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s may be framed: %v", path, resp.Header)
		}
	}
}

// The form's contributor is written to only once they confirm their address: the link
// of the one mail opens a page whose button confirms (opening it changes nothing).
func TestFormContributorConfirmsTheirAddress(t *testing.T) {
	base, a := site(t)
	v := newVisitor(t, base)
	v.get("/submit")
	resp, body := v.submit(caseForm())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	track := regexp.MustCompile(`id="tracking-link">[^<]*(/track/kbs_[^<]+)<`).FindStringSubmatch(body)
	mail, _ := a.Review.Outbox(t.Context(), 10)
	link := regexp.MustCompile(`/confirm/kbc_[A-Za-z0-9_-]+`).FindString(mail[0].Body)
	if len(mail) != 1 || link == "" || track == nil {
		t.Fatalf("after the form: outbox %+v, tracking link %v", mail, track)
	}
	if _, page := v.get(track[1]); !strings.Contains(page, "We sent a message to your address") {
		t.Error("the tracking page does not say a confirmation was asked")
	}
	if resp, _ := v.get(link); resp.StatusCode != http.StatusOK {
		t.Fatalf("the confirmation page: %d", resp.StatusCode)
	}
	if mail, _ := a.Review.Outbox(t.Context(), 10); len(mail) != 1 {
		t.Fatal("opening the link confirmed the address")
	}
	if resp, page := v.post(link, url.Values{}, nil); resp.StatusCode != http.StatusOK || !strings.Contains(page, "your address is confirmed") {
		t.Fatalf("confirming: %d", resp.StatusCode)
	}
	if mail, _ := a.Review.Outbox(t.Context(), 10); len(mail) != 2 || !strings.Contains(mail[0].Body, "waits for review") {
		t.Fatalf("once confirmed, the contributor is told where the review stands: %+v", mail)
	}
	if _, page := v.get(track[1]); !strings.Contains(page, "Your address is confirmed") {
		t.Error("the tracking page does not say the address is confirmed")
	}
	if resp, _ := v.post(link, url.Values{}, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a used link: %d", resp.StatusCode)
	}
}

// 98 questions from one address, through the page and the API in turn, with an AI
// endpoint configured: the client's burst is answered, the rest wait (429), and the
// endpoint is called for the answered ones only.
func TestQuestionsToTheAssistantAreLimitedPerClient(t *testing.T) {
	var calls atomic.Int32
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Laptops [bilbao-geobilbao]."},"finish_reason":"stop"}],"usage":{"total_tokens":300}}`)
	}))
	t.Cleanup(endpoint.Close)
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost})
	asker := ai.NewAsker(a, ai.New(ai.Config{BaseURL: endpoint.URL + "/v1", APIKey: "k", ChatModel: "m"}))
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	pages, err := web.New(web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Geo: a.Geo, Ask: asker, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Pages: pages, Ask: asker, BaseURL: base})
	srv.Start()
	t.Cleanup(srv.Close)
	answered, waited := 0, 0
	for i := range 98 {
		var resp *http.Response
		if i%2 == 0 {
			resp, _ = get(t, srv.URL, "/ask?q=laptops+for+students", nil)
		} else {
			resp, err = http.Post(srv.URL+"/api/v1/ask", "application/json", strings.NewReader(`{"question":"laptops for students"}`))
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			answered++
		case http.StatusTooManyRequests:
			waited++
		default:
			t.Fatalf("question %d: %d", i, resp.StatusCode)
		}
	}
	if answered != 5 || waited != 93 || calls.Load() != 5 {
		t.Fatalf("%d answered, %d refused, %d calls to the endpoint; want 5, 93, 5", answered, waited, calls.Load())
	}
}

// apiAs calls the API with a bearer token.
func apiAs(t *testing.T, base, token, method, path, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	return resp
}

// loggedIn reports whether the visitor's session still opens the review queue.
func (v *visitor) loggedIn() bool {
	v.t.Helper()
	resp, _ := v.get("/review")
	return resp.StatusCode == http.StatusOK
}

// A password reset ends the account's sessions and revokes its tokens; the old password
// no longer opens it.
func TestAPasswordResetEndsSessionsAndTokens(t *testing.T) {
	base, a := site(t)
	a.Auth.AddUser("admin@example.org", auth.RoleAdmin, "the admin's long password", "test")
	admin, _, _ := a.Auth.CreateToken("admin@example.org", "tests", "test")
	token, _, _ := a.Auth.CreateToken(coordEmail, "laptop", "test")
	v := newVisitor(t, base)
	v.login()
	if !v.loggedIn() || apiAs(t, base, token, "GET", "/api/v1/me", "").StatusCode != 200 {
		t.Fatal("the session or the token does not work to begin with")
	}
	if resp := apiAs(t, base, admin, "POST", "/api/v1/users", `{"email":"`+coordEmail+`","role":"coordinator","password":"a brand new password"}`); resp.StatusCode != 201 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if v.loggedIn() {
		t.Error("the session survived the reset")
	}
	if resp := apiAs(t, base, token, "GET", "/api/v1/me", ""); resp.StatusCode != 401 {
		t.Errorf("the token survived the reset: %d", resp.StatusCode)
	}
	if resp := loginAPI(t, http.DefaultClient, base, coordEmail, coordPassword); resp.StatusCode != 401 {
		t.Errorf("the old password: %d", resp.StatusCode)
	}
	if resp := loginAPI(t, http.DefaultClient, base, coordEmail, "a brand new password"); resp.StatusCode != 200 {
		t.Errorf("the new password: %d", resp.StatusCode)
	}
	es, _ := a.Audit(t.Context(), audit.Query{Limit: 1, Target: "user:" + coordEmail})
	if len(es) != 1 || !strings.Contains(es[0].Note, "1 sessions ended, 1 tokens revoked") {
		t.Errorf("audit %+v", es)
	}
}

// An admin disables an account (its session ends, its token and password are refused),
// enables it (its token works again), and removes it (nothing of it works).
func TestAccountsCanBeDisabledEnabledAndRemoved(t *testing.T) {
	base, a := site(t)
	a.Auth.AddUser("admin@example.org", auth.RoleAdmin, "the admin's long password", "test")
	admin, _, _ := a.Auth.CreateToken("admin@example.org", "tests", "test")
	coord, _, _ := a.Auth.CreateToken(coordEmail, "laptop", "test")
	user := "/api/v1/users/" + url.PathEscape(coordEmail)
	if resp := apiAs(t, base, coord, "POST", user+"/disable", ""); resp.StatusCode != 403 {
		t.Fatalf("a coordinator disabling an account: %d", resp.StatusCode)
	}
	v := newVisitor(t, base)
	v.login()
	if resp := apiAs(t, base, admin, "POST", user+"/disable", ""); resp.StatusCode != 200 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if v.loggedIn() || apiAs(t, base, coord, "GET", "/api/v1/me", "").StatusCode != 401 || loginAPI(t, http.DefaultClient, base, coordEmail, coordPassword).StatusCode != 401 {
		t.Fatal("a disabled account still works")
	}
	if resp := apiAs(t, base, admin, "POST", user+"/enable", ""); resp.StatusCode != 200 {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if apiAs(t, base, coord, "GET", "/api/v1/me", "").StatusCode != 200 || loginAPI(t, http.DefaultClient, base, coordEmail, coordPassword).StatusCode != 200 {
		t.Fatal("an enabled account does not work again")
	}
	if resp := apiAs(t, base, admin, "DELETE", user, ""); resp.StatusCode != 204 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if apiAs(t, base, coord, "GET", "/api/v1/me", "").StatusCode != 401 || loginAPI(t, http.DefaultClient, base, coordEmail, coordPassword).StatusCode != 401 {
		t.Fatal("a removed account still works")
	}
	if resp := apiAs(t, base, admin, "DELETE", user, ""); resp.StatusCode != 404 {
		t.Fatalf("removing it again: %d", resp.StatusCode)
	}
	var actions []string
	es, _ := a.Audit(t.Context(), audit.Query{Limit: 10, Target: "user:" + coordEmail})
	for _, e := range es {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, " ") != "user.remove user.enable user.disable user.save" {
		t.Errorf("audit %v", actions)
	}
}

// A coordinator sees their sessions and ends one: its cookie stops working, the others
// go on.
func TestACoordinatorListsAndEndsTheirSessions(t *testing.T) {
	base, _ := site(t)
	laptop, phone := newVisitor(t, base), newVisitor(t, base)
	laptop.login()
	phone.login()
	_, page := laptop.get("/review/account")
	ids := regexp.MustCompile(`/review/account/sessions/([0-9a-f]+)/end`).FindAllStringSubmatch(page, -1)
	if len(ids) != 2 || !strings.Contains(page, "(this one)") || !strings.Contains(page, "127.0.0.1") {
		t.Fatalf("the account page lists %d sessions: %.500s", len(ids), page)
	}
	// The API lists the same, the current one marked.
	resp, err := phone.client.Get(base + "/api/v1/me/sessions")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Sessions []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		} `json:"sessions"`
	}
	json.Unmarshal([]byte(readAll(t, resp)), &list)
	var phoneID string
	for _, s := range list.Sessions {
		if s.Current {
			phoneID = s.ID
		}
	}
	if len(list.Sessions) != 2 || phoneID == "" {
		t.Fatalf("the API lists %+v", list)
	}
	laptop.get("/review/account")
	if resp, _ := laptop.post("/review/account/sessions/"+phoneID+"/end", url.Values{}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the phone's session: %d", resp.StatusCode)
	}
	if phone.loggedIn() || !laptop.loggedIn() {
		t.Fatal("the phone's session is still open, or the laptop's was ended")
	}
	if resp, _ := laptop.post("/review/account/sessions/"+phoneID+"/end", url.Values{}, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("ending it again: %d", resp.StatusCode)
	}
}

const caseJSON = `{"practice":{"title":"Solar kiosks in markets","summary":"Free phone charging.","city":"Kisumu","country":"KE","areas":["economy"],"body":"Kiosks."%s},"contact":{"name":"Amina","email":"amina@example.org"},"consent_to_publish":true}`

// A submission carrying what only the knowledge base sets (origin, translations, the
// record of AI assistance) is refused with a 400 naming the field, on the API and the
// form alike; nothing is stored.
func TestSubmissionsCannotCarryTheKnowledgeBasesOwnFields(t *testing.T) {
	base, a := site(t)
	extra := map[string]string{
		"origin":       `,"origin":{"peer":"anything","repository":"https://evil.example/oai","identifier":"oai:evil:x"}`,
		"translations": `,"translations":[{"language":"es","title":"Quioscos","summary":"Gratis.","body":"Visite evil.example"}]`,
		"assisted":     `,"assisted":{"model":"gpt","fields":["summary"]}`,
		"uri":          `,"uri":"oai:evil.example:x"`,
	}
	for field, json := range extra {
		resp, err := http.Post(base+"/api/v1/submissions", "application/json", strings.NewReader(fmt.Sprintf(caseJSON, json)))
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 400 || !strings.Contains(body, `"practice.`+field+`":"is set by the knowledge base, never by a contributor"`) {
			t.Errorf("the API with %s: %d %s", field, resp.StatusCode, body)
		}
		v := newVisitor(t, base)
		v.get("/submit")
		form := caseForm()
		form.Set(field, "anything")
		if resp, body := v.post("/submit", form, nil); resp.StatusCode != 400 || !strings.Contains(body, "the field “"+field+"”") {
			t.Errorf("the form with %s: %d", field, resp.StatusCode)
		}
	}
	v := newVisitor(t, base)
	v.get("/submit")
	form := caseForm()
	form.Set("translations[0][body]", "Visit evil.example")
	if resp, body := v.post("/submit", form, nil); resp.StatusCode != 400 || !strings.Contains(body, "the field “translations[0][body]”") {
		t.Errorf("the form with a translation's body: %d", resp.StatusCode)
	}
	if subs, _ := a.Review.List(t.Context(), review.Queue{}); len(subs) != 0 {
		t.Fatalf("%d submissions stored", len(subs))
	}
	// The case itself goes through both doors.
	resp, err := http.Post(base+"/api/v1/submissions", "application/json", strings.NewReader(fmt.Sprintf(caseJSON, "")))
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != 201 {
		t.Fatalf("a plain case on the API: %d", resp.StatusCode)
	}
	if resp, _ := v.post("/submit", caseForm(), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a plain case on the form: %d", resp.StatusCode)
	}
}

// A practice that came to carry a bogus identity and origin (as submissions could give
// them) cannot be edited by anyone but is repaired by an admin; a coordinator's edit
// cannot set an origin.
func TestAnAdminRepairsAnyPractice(t *testing.T) {
	base, a := site(t)
	a.Auth.AddUser("admin@example.org", auth.RoleAdmin, "the admin's long password", "test")
	admin, _, _ := a.Auth.CreateToken("admin@example.org", "tests", "test")
	coord, _, _ := a.Auth.CreateToken(coordEmail, "laptop", "test")
	const id = "bilbao-geobilbao"
	good, _ := a.Get(t.Context(), id)
	bad := *good
	bad.Version, bad.URI = 0, "oai:evil.example:"+id
	bad.Origin = &practices.Origin{Peer: "anything", Network: "Anything", Repository: "https://evil.example/oai", Identifier: bad.URI}
	if _, err := a.Import(t.Context(), []*practices.Practice{&bad}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	edit := *good
	edit.Title = "GeoBilbao, edited"
	doc, _ := json.Marshal(edit)
	for who, token := range map[string]string{"a coordinator": coord, "an admin": admin} {
		if resp := apiAs(t, base, token, "PUT", "/api/v1/practices/"+id, string(doc)); resp.StatusCode != 409 {
			t.Fatalf("%s editing the practice with a bogus identity: %d", who, resp.StatusCode)
		}
	}
	repaired, _ := json.Marshal(good) // as it was, without the bogus identity and origin
	if resp := apiAs(t, base, coord, "POST", "/api/v1/practices/"+id+"/repair", string(repaired)); resp.StatusCode != 403 {
		t.Fatalf("a coordinator's repair: %d", resp.StatusCode)
	}
	if resp := apiAs(t, base, admin, "POST", "/api/v1/practices/"+id+"/repair", string(repaired)); resp.StatusCode != 200 {
		t.Fatalf("the admin's repair: %d", resp.StatusCode)
	}
	if got, _ := a.Get(t.Context(), id); got.Origin != nil || got.URI != good.URI {
		t.Fatalf("the repair left origin %+v, identity %s", got.Origin, got.URI)
	}
	// Now anyone may edit it again; an edit carrying an origin does not set one.
	edit.Origin = bad.Origin
	doc, _ = json.Marshal(edit)
	if resp := apiAs(t, base, coord, "PUT", "/api/v1/practices/"+id, string(doc)); resp.StatusCode != 200 {
		t.Fatalf("a coordinator's edit after the repair: %d", resp.StatusCode)
	}
	if got, _ := a.Get(t.Context(), id); got.Origin != nil || got.Title != "GeoBilbao, edited" {
		t.Fatalf("after the edit: origin %+v, title %q", got.Origin, got.Title)
	}
	es, _ := a.Audit(t.Context(), audit.Query{Limit: 2, Target: "practice:" + id})
	if len(es) != 2 || es[1].Action != "practice.repair" || es[1].Actor != "admin@example.org" {
		t.Fatalf("audit %+v", es)
	}
}

// Every field the submission form shows is one the form takes.
func TestTheSubmissionFormTakesEveryFieldItShows(t *testing.T) {
	base, _ := site(t)
	v := newVisitor(t, base)
	_, page := v.get("/submit")
	start := strings.Index(page, `class="submitform"`)
	form := page[start : start+strings.Index(page[start:], "</form>")]
	posted := url.Values{}
	for _, m := range regexp.MustCompile(`name="([^"]+)"`).FindAllStringSubmatch(form, -1) {
		posted.Add(m[1], "")
	}
	if len(posted) < 20 {
		t.Fatalf("only %d fields found on the form", len(posted))
	}
	posted.Set("action", "draft")
	if resp, body := v.post("/submit", posted, nil); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "does not take the field") {
		t.Fatalf("the form's own fields: %d", resp.StatusCode)
	}
}
