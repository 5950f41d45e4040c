package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/render"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/xsstest"
)

const submissionBody = `{"practice":{"title":"Solar kiosks in markets","summary":"Free phone charging for traders.","city":"Kisumu","country":"KE","areas":["economy"],"body":"## What was done\nKiosks."},"contact":{"name":"Amina Otieno","role":"Head of the Q7 unit","email":"amina@example.org"},"consent_to_publish":true}`

type world struct {
	e                  *server.Engine
	a                  *app.App
	coordTok, adminTok string
	subID, trackingTok string
}

// newWorld runs the API on a fresh data dir; a non-zero rate replaces the default limit of
// submissions.
func newWorld(t *testing.T, submissions limit.Rate) *world {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: "kb.example.org", StudyAuthority: "kb.example.org"})
	if submissions.Burst > 0 {
		a.Review.Submissions = limit.New(submissions, "submissions")
	}
	w := &world{a: a, e: server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth})}
	for email, role := range map[string]string{"coord@example.org": auth.RoleCoordinator, "admin@example.org": auth.RoleAdmin} {
		if _, err := a.Auth.AddUser(email, role, "a long enough password", "test"); err != nil {
			t.Fatal(err)
		}
	}
	w.coordTok, _, _ = a.Auth.CreateToken("coord@example.org", "tests", "test")
	w.adminTok, _, _ = a.Auth.CreateToken("admin@example.org", "tests", "test")
	r := w.call(t, "POST", "/api/v1/submissions", submissionBody, nil)
	if r.Code != 201 {
		t.Fatalf("submit: %d %s", r.Code, r.Body.String())
	}
	var receipt review.Receipt
	json.Unmarshal(r.Body.Bytes(), &receipt)
	w.subID, w.trackingTok = receipt.ID, receipt.TrackingToken
	return w
}

func (w *world) call(t *testing.T, method, target, body string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.RemoteAddr = "192.0.2.1:1234"
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	w.e.ServeHTTP(rec, req)
	return rec
}

// The authorization matrix: each route that needs a role, against anonymous, a tracking
// token, a coordinator and an admin. Mutations aim at unknown ids where possible, so a 404
// shows the request got past authorization without changing anything.
func TestAuthorizationMatrix(t *testing.T) {
	w := newWorld(t, limit.Rate{})
	who := []struct {
		name    string
		headers map[string]string
	}{
		{"anonymous", nil},
		{"tracking token", map[string]string{"X-Tracking-Token": w.trackingTok}},
		{"coordinator", map[string]string{"Authorization": "Bearer " + w.coordTok}},
		{"admin", map[string]string{"Authorization": "Bearer " + w.adminTok}},
	}
	sub := "/api/v1/submissions/" + w.subID
	matrix := []struct {
		method, path, body string
		want               [4]int
	}{
		{"GET", "/api/v1/review/submissions", "", [4]int{401, 401, 200, 200}},
		{"POST", "/api/v1/review/submissions/nope/decision", `{"decision":"reject"}`, [4]int{401, 401, 404, 404}},
		// With no AI endpoint configured the assistant answers 404, past authorization.
		{"POST", "/api/v1/review/submissions/" + w.subID + "/assist", "", [4]int{401, 401, 404, 404}},
		{"GET", sub, "", [4]int{401, 200, 200, 200}},
		{"PUT", sub, submissionBody, [4]int{401, 409, 403, 403}},
		{"POST", "/api/v1/sessions", `{"title":"A call"}`, [4]int{401, 401, 201, 201}},
		{"PUT", "/api/v1/sessions/nope", `{"title":"A call"}`, [4]int{401, 401, 404, 404}},
		{"PUT", "/api/v1/practices/nope", `{"title":"x"}`, [4]int{401, 401, 404, 404}},
		{"POST", "/api/v1/practices/nope/revert", `{"version":1}`, [4]int{401, 401, 404, 404}},
		{"POST", "/api/v1/practices/nope/merge", `{"into":"bilbao-geobilbao"}`, [4]int{401, 401, 404, 404}},
		{"POST", "/api/v1/practices/nope/archive", `{"archived":true}`, [4]int{401, 401, 404, 404}},
		{"POST", "/api/v1/practices/nope/feature", `{"featured":true}`, [4]int{401, 401, 404, 404}},
		{"GET", "/api/v1/audit", "", [4]int{401, 401, 200, 200}},
		{"GET", "/api/v1/outbox", "", [4]int{401, 401, 200, 200}},
		{"GET", "/api/v1/me", "", [4]int{401, 401, 200, 200}},
		{"GET", "/api/v1/users", "", [4]int{401, 401, 403, 200}},
		{"POST", "/api/v1/users", `{"email":"new@example.org","role":"coordinator","password":"another long one"}`, [4]int{401, 401, 403, 201}},
		{"GET", "/api/v1/tokens", "", [4]int{401, 401, 403, 200}},
		{"POST", "/api/v1/tokens", `{"email":"coord@example.org"}`, [4]int{401, 401, 403, 201}},
		{"POST", "/api/v1/tokens/nope/revoke", "", [4]int{401, 401, 403, 404}},
		{"POST", "/api/v1/users/nobody@example.org/disable", "", [4]int{401, 401, 403, 404}},
		{"POST", "/api/v1/users/nobody@example.org/enable", "", [4]int{401, 401, 403, 404}},
		{"DELETE", "/api/v1/users/nobody@example.org", "", [4]int{401, 401, 403, 404}},
		{"GET", "/api/v1/me/sessions", "", [4]int{401, 401, 200, 200}},
		{"DELETE", "/api/v1/me/sessions/nope", "", [4]int{401, 401, 404, 404}},
		{"GET", "/api/v1/sessions", "", [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/practices/bilbao-geobilbao/versions", "", [4]int{200, 200, 200, 200}},
		{"POST", sub + "/withdraw", "", [4]int{401, 200, 403, 403}},
	}
	for _, m := range matrix {
		for i, p := range who {
			r := w.call(t, m.method, m.path, m.body, p.headers)
			if r.Code != m.want[i] {
				t.Errorf("%s %s as %s: %d, want %d (%s)", m.method, m.path, p.name, r.Code, m.want[i], r.Body.String())
			}
		}
	}
	if r := w.call(t, "GET", "/api/v1/audit", "", map[string]string{"Authorization": "Bearer kbt_forged"}); r.Code != 401 {
		t.Errorf("a forged token: %d", r.Code)
	}
	if r := w.call(t, "GET", "/api/v1/audit", "", map[string]string{"Authorization": "Basic abc"}); r.Code != 401 {
		t.Errorf("a non-bearer authorization: %d", r.Code)
	}
	// A revoked token stops working.
	ts, _ := w.a.Auth.Tokens()
	for _, tk := range ts {
		w.a.Auth.RevokeToken(tk.ID, "test")
	}
	if r := w.call(t, "GET", "/api/v1/audit", "", who[2].headers); r.Code != 401 {
		t.Errorf("a revoked token: %d", r.Code)
	}
}

func login(t *testing.T, w *world) (cookie *http.Cookie, csrf string) {
	t.Helper()
	r := w.call(t, "POST", "/api/v1/login", `{"email":"coord@example.org","password":"a long enough password"}`, nil)
	if r.Code != 200 {
		t.Fatalf("login: %d %s", r.Code, r.Body.String())
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(r.Body.Bytes(), &out)
	for _, c := range r.Result().Cookies() {
		if c.Name == "kb_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || out.CSRF == "" {
		t.Fatalf("session cookie %+v, csrf %q", cookie, out.CSRF)
	}
	return cookie, out.CSRF
}

func TestSessionCookieNeedsCSRFOnChanges(t *testing.T) {
	w := newWorld(t, limit.Rate{})
	cookie, csrf := login(t, w)
	withCookie := map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}
	if r := w.call(t, "GET", "/api/v1/review/submissions", "", withCookie); r.Code != 200 {
		t.Fatalf("reading with the session: %d", r.Code)
	}
	if r := w.call(t, "POST", "/api/v1/sessions", `{"title":"Forged"}`, withCookie); r.Code != 403 || !strings.Contains(r.Body.String(), "CSRF") {
		t.Fatalf("a change without the CSRF token: %d %s", r.Code, r.Body.String())
	}
	bad := map[string]string{"Cookie": withCookie["Cookie"], "X-CSRF-Token": csrf + "x"}
	if r := w.call(t, "POST", "/api/v1/sessions", `{"title":"Forged"}`, bad); r.Code != 403 {
		t.Fatalf("a wrong CSRF token: %d", r.Code)
	}
	good := map[string]string{"Cookie": withCookie["Cookie"], "X-CSRF-Token": csrf}
	if r := w.call(t, "POST", "/api/v1/sessions", `{"title":"Real"}`, good); r.Code != 201 {
		t.Fatalf("with the CSRF token: %d %s", r.Code, r.Body.String())
	}
	if r := w.call(t, "POST", "/api/v1/logout", "", good); r.Code != 204 {
		t.Fatalf("logout: %d", r.Code)
	}
	if r := w.call(t, "GET", "/api/v1/review/submissions", "", withCookie); r.Code != 401 {
		t.Fatalf("after logout: %d", r.Code)
	}
	if r := w.call(t, "POST", "/api/v1/login", `{"email":"coord@example.org","password":"wrong password!"}`, nil); r.Code != 401 {
		t.Fatalf("wrong password: %d", r.Code)
	}
}

func TestRateLimitsAnswer429WithRetryAfter(t *testing.T) {
	w := newWorld(t, limit.Rate{Every: time.Hour, Burst: 2})
	// newWorld used one submission of the burst.
	if r := w.call(t, "POST", "/api/v1/submissions", submissionBody, nil); r.Code != 201 {
		t.Fatalf("second submission: %d", r.Code)
	}
	r := w.call(t, "POST", "/api/v1/submissions", submissionBody, nil)
	if r.Code != 429 || r.Header().Get("Retry-After") == "" {
		t.Fatalf("third submission: %d, Retry-After %q", r.Code, r.Header().Get("Retry-After"))
	}
	for i := 0; i < 5; i++ {
		w.call(t, "POST", "/api/v1/login", `{"email":"coord@example.org","password":"guess"}`, nil)
	}
	if r := w.call(t, "POST", "/api/v1/login", `{"email":"coord@example.org","password":"a long enough password"}`, nil); r.Code != 429 {
		t.Fatalf("login after the burst: %d", r.Code)
	}
	// Another address is not held back.
	req := httptest.NewRequest("POST", "/api/v1/submissions", strings.NewReader(submissionBody))
	req.RemoteAddr = "198.51.100.7:4321"
	rec := httptest.NewRecorder()
	w.e.ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Fatalf("another address: %d", rec.Code)
	}
}

func TestAcceptedCaseIsSearchableAndMergeRedirects(t *testing.T) {
	w := newWorld(t, limit.Rate{})
	coord := map[string]string{"Authorization": "Bearer " + w.coordTok}
	r := w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/decision", `{"decision":"accept","comment":"Thanks"}`, coord)
	var res struct {
		PracticeID string `json:"practice_id"`
	}
	json.Unmarshal(r.Body.Bytes(), &res)
	if r.Code != 200 || res.PracticeID == "" {
		t.Fatalf("accept: %d %s", r.Code, r.Body.String())
	}
	if r := w.call(t, "GET", "/api/v1/search?q=solar+kiosks", "", nil); !strings.Contains(r.Body.String(), res.PracticeID) {
		t.Fatalf("the accepted practice is not found: %s", r.Body.String())
	}
	r = w.call(t, "POST", "/api/v1/practices/"+res.PracticeID+"/merge", `{"into":"hamamatsu-points-and-vouchers"}`, coord)
	if r.Code != 200 {
		t.Fatalf("merge: %d %s", r.Code, r.Body.String())
	}
	r = w.call(t, "GET", "/api/v1/practices/"+res.PracticeID, "", nil)
	if r.Code != http.StatusMovedPermanently || r.Header().Get("Location") != "/api/v1/practices/hamamatsu-points-and-vouchers" {
		t.Fatalf("merged id: %d %q", r.Code, r.Header().Get("Location"))
	}
	if r := w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/decision", `{"decision":"reject"}`, coord); r.Code != 409 {
		t.Fatalf("deciding again: %d", r.Code)
	}
}

// Script in any text field is stored as typed and never rendered as markup.
func TestXSSPayloadsAreStoredAsTypedAndRenderedInert(t *testing.T) {
	w := newWorld(t, limit.Rate{Every: time.Millisecond, Burst: 1000})
	coord := map[string]string{"Authorization": "Bearer " + w.coordTok}
	md := render.New()
	for _, payload := range xsstest.Payloads {
		short := payload // fields limited to 200 characters get it when it fits
		if len([]rune(payload)) > 200 {
			short = "Too long for a title"
		}
		in := review.Input{ConsentToPublish: true, Contact: review.Contact{Name: short, Role: short, Email: "x@example.org"}}
		in.Practice.Title, in.Practice.Summary, in.Practice.City, in.Practice.Body = short, payload, short, payload
		in.Practice.Country, in.Practice.Areas, in.Practice.Results = "ES", []string{"data"}, []string{payload}
		body, _ := json.Marshal(in)
		r := w.call(t, "POST", "/api/v1/submissions", string(body), nil)
		if r.Code != 201 {
			t.Fatalf("%q: %d %s", payload, r.Code, r.Body.String())
		}
		if strings.Contains(r.Body.String(), "<") {
			t.Errorf("JSON carries a raw '<': %s", r.Body.String())
		}
		var receipt review.Receipt
		json.Unmarshal(r.Body.Bytes(), &receipt)
		r = w.call(t, "GET", "/api/v1/submissions/"+receipt.ID, "", coord)
		var got review.Submission
		json.Unmarshal(r.Body.Bytes(), &got)
		if got.Practice.Title != short || got.Practice.Summary != payload || got.Practice.Body != payload+"\n" || got.Contact.Name != short || got.Practice.Results[0] != payload {
			t.Errorf("not stored as typed: %+v", got.Practice)
		}
		if bad := xsstest.Dangerous(string(md.Markdown(got.Practice.Body))); bad != "" {
			t.Errorf("%q renders with %s", payload, bad)
		}
	}
}

// The contributor's contact never leaves the review: not in the practice, search, exports.
func TestContactIsNeverPublic(t *testing.T) {
	w := newWorld(t, limit.Rate{})
	coord := map[string]string{"Authorization": "Bearer " + w.coordTok}
	r := w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/decision", `{"decision":"accept"}`, coord)
	var res struct {
		PracticeID string `json:"practice_id"`
	}
	json.Unmarshal(r.Body.Bytes(), &res)
	var export strings.Builder
	w.a.Export(context.Background(), &export, "jsonl")
	w.a.Export(context.Background(), &export, "csv")
	for name, text := range map[string]string{
		"practice": w.call(t, "GET", "/api/v1/practices/"+res.PracticeID, "", nil).Body.String(),
		"search":   w.call(t, "GET", "/api/v1/search?q=solar&explain=1", "", nil).Body.String(),
		"similar":  w.call(t, "GET", "/api/v1/practices/"+res.PracticeID+"/similar", "", nil).Body.String(),
		"versions": w.call(t, "GET", "/api/v1/practices/"+res.PracticeID+"/versions/1", "", nil).Body.String(),
		"export":   export.String(),
	} {
		for _, secret := range []string{"amina@example.org", "Amina Otieno", "Head of the Q7 unit"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows the contact %q", name, secret)
			}
		}
	}
}

// A lockout is told to the account's owner: a message in the outbox and an audit entry.
func TestLockoutIsToldToTheCoordinator(t *testing.T) {
	policy := auth.LoginPolicy{Address: auth.Backoff{Free: 100}, Account: auth.Backoff{Free: 100}, LockAfter: 3, LockFor: time.Hour}
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Login: policy})
	a.Auth.AddUser("coord@example.org", auth.RoleCoordinator, "a long enough password", "test")
	w := &world{a: a, e: server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth})}
	for range 3 {
		if r := w.call(t, "POST", "/api/v1/login", `{"email":"coord@example.org","password":"guess"}`, nil); r.Code != 401 {
			t.Fatalf("a wrong password: %d", r.Code)
		}
	}
	if r := w.call(t, "POST", "/api/v1/login", `{"email":"coord@example.org","password":"a long enough password"}`, nil); r.Code != 429 || r.Header().Get("Retry-After") != "3600" {
		t.Fatalf("a locked account: %d, Retry-After %q", r.Code, r.Header().Get("Retry-After"))
	}
	ns, _ := a.Review.Outbox(t.Context(), 10)
	if len(ns) != 1 || ns[0].To != "coord@example.org" || !strings.Contains(ns[0].Body, "192.0.2.1") {
		t.Fatalf("outbox %+v", ns)
	}
	es, _ := a.Audit(t.Context(), audit.Query{Limit: 1})
	if len(es) != 1 || es[0].Action != "login.lockout" || es[0].Target != "user:coord@example.org" {
		t.Fatalf("audit %+v", es)
	}
}

// A contributor reads who acted on their case by role, never a coordinator's address;
// coordinators still see who did it.
func TestContributorsSeeRolesNotAddresses(t *testing.T) {
	w := newWorld(t, limit.Rate{})
	coord := map[string]string{"Authorization": "Bearer " + w.coordTok}
	if r := w.call(t, "POST", "/api/v1/review/submissions/"+w.subID+"/decision", `{"decision":"request_changes","comment":"Add figures"}`, coord); r.Code != 200 {
		t.Fatalf("decision: %d %s", r.Code, r.Body.String())
	}
	r := w.call(t, "GET", "/api/v1/submissions/"+w.subID, "", map[string]string{"X-Tracking-Token": w.trackingTok})
	got := decode[review.Submission](t, r)
	if strings.Contains(r.Body.String(), "coord@example.org") || len(got.History) != 2 || got.History[0].Actor != "contributor" || got.History[1].Actor != "coordinator" {
		t.Fatalf("the contributor reads %s", r.Body.String())
	}
	if got := decode[review.Submission](t, w.call(t, "GET", "/api/v1/submissions/"+w.subID, "", coord)); got.History[1].Actor != "coord@example.org" {
		t.Fatalf("the coordinators read %+v", got.History)
	}
}

// Tracking, confirmation and saved self-assessment tokens never reach the access log, whether in the path or in
// the X-Tracking-Token header.
func TestTokensAreRedactedInTheLog(t *testing.T) {
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost})
	var log bytes.Buffer
	e := server.New(server.Config{Service: a, Review: a.Review, Auth: a.Auth, Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	w := &world{a: a, e: e}
	r := w.call(t, "POST", "/api/v1/submissions", submissionBody, nil)
	receipt := decode[review.Receipt](t, r)
	w.call(t, "GET", "/api/v1/submissions/"+receipt.ID, "", map[string]string{"X-Tracking-Token": receipt.TrackingToken})
	for _, path := range []string{"/track/" + receipt.TrackingToken, "/track/" + receipt.TrackingToken + "/withdraw", "/confirm/kbc_secretsecret", "/track/nounderscoresecret", "/assess/kba_assesssecret"} {
		w.call(t, "GET", path, "", nil)
	}
	secret := strings.TrimPrefix(receipt.TrackingToken, "kbs_")
	if strings.Contains(log.String(), secret) || strings.Contains(log.String(), "secretsecret") || strings.Contains(log.String(), "nounderscoresecret") || strings.Contains(log.String(), "assesssecret") {
		t.Fatalf("a token in the log:\n%s", log.String())
	}
	for _, want := range []string{`"path":"/track/kbs_[redacted]"`, `"path":"/track/kbs_[redacted]/withdraw"`, `"path":"/confirm/kbc_[redacted]"`, `"path":"/track/[redacted]"`, `"path":"/assess/kba_[redacted]"`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}
