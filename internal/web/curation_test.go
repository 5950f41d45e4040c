package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

var insideWords = regexp.MustCompile(`<div class="words">.*?<ins>([^<]*)</ins>`)

// formOf is the edit form filled with a practice, as the page fills it.
func formOf(p *practices.Practice) url.Values {
	f := url.Values{"title": {p.Title}, "summary": {p.Summary}, "city": {p.City}, "country": {p.Country}, "status": {p.Status},
		"body": {p.Body}, "areas": p.Areas, "crises": p.Crises, "target_groups": p.TargetGroups, "prerequisites": p.Prerequisites,
		"tags": {strings.Join(p.Tags, ", ")}, "results": {strings.Join(p.Results, "\n")}, "language": {p.Language()}}
	if p.Year != 0 {
		f.Set("year", strconv.Itoa(p.Year))
	}
	return f
}

// A coordinator names themself, edits a practice with a note, sees the words that changed
// and restores the first version: each version says who made it (by name and role, never
// by address) and what it was; the current one offers no restore.
func TestVersionsRecordTheirAuthorAndNote(t *testing.T) {
	s := startSite(t)
	c := loginAs(t, s.URL, coordEmail)
	c.get("/review/account")
	if resp, body := c.post("/review/account", url.Values{"name": {"ana@example.org"}, "lang": {"es"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not an email address") {
		t.Fatalf("an address as a name: %d %s", resp.StatusCode, body)
	}
	if body := c.postAndFollow("/review/account", url.Values{"name": {"Ana Ruiz"}, "lang": {"es"}}); !strings.Contains(body, `value="Ana Ruiz"`) || !strings.Contains(body, `value="es" lang="es" selected`) {
		t.Fatalf("the profile was not kept: %s", body)
	}

	const id = "bilbao-geobilbao"
	p, err := s.App.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	c.get("/practices/" + id + "/edit")
	f := formOf(p)
	f.Set("summary", strings.Replace(p.Summary, "Bilbao", "The city of Bilbao", 1))
	f.Set("note", strings.Repeat("x", 501))
	if resp, body := c.post("/practices/"+id+"/edit", f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-note"><p class="error"`) {
		t.Fatalf("a note too long: %d", resp.StatusCode)
	}
	f.Set("note", "Names the city in the summary")
	if resp, _ := c.post("/practices/"+id+"/edit", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	edited, _ := s.App.Get(t.Context(), id)
	v := edited.Version

	_, page := get(t, s.URL, "/practices/"+id, nil)
	if by, _ := find(t, page, "span", "class", "byline"); by != "by Ana Ruiz (coordinator)" {
		t.Errorf("the practice page names its author %q", by)
	}
	if strings.Contains(page, coordEmail) {
		t.Error("the public page shows the coordinator's address")
	}

	_, diff := c.get("/practices/" + id + "/diff?from=" + strconv.Itoa(v-1) + "&to=" + strconv.Itoa(v))
	if m := insideWords.FindStringSubmatch(diff); m == nil || m[1] != "The city of " {
		t.Errorf("the words added: %q in %s", m, diff)
	}
	if !strings.Contains(diff, "Names the city in the summary") {
		t.Error("the diff does not give the edit note")
	}

	_, hist := c.get("/practices/" + id + "/versions")
	row, _ := find(t, hist, "tr", "id", "v"+strconv.Itoa(v))
	if !strings.Contains(row, "Ana Ruiz (coordinator)") || !strings.Contains(row, "Edited") || !strings.Contains(row, "Names the city in the summary") {
		t.Errorf("the version's row: %q", squash(row))
	}
	if strings.Contains(row, "Restore version") {
		t.Error("the current version offers a restore")
	}
	if first, _ := find(t, hist, "tr", "id", "v1"); !strings.Contains(first, "Restore version 1") {
		t.Errorf("an earlier version offers no restore: %q", squash(first))
	}

	if resp, _ := c.post("/practices/"+id+"/revert", url.Values{"version": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revert: %d", resp.StatusCode)
	}
	_, hist = c.get("/practices/" + id + "/versions")
	if row, _ := find(t, hist, "tr", "id", "v"+strconv.Itoa(v+1)); !strings.Contains(row, "Restored version 1") {
		t.Errorf("the revert's row: %q", squash(row))
	}
	// In Spanish, the labels come from the catalogue.
	_, hist = c.get("/practices/" + id + "/versions?lang=es")
	if row, _ := find(t, hist, "tr", "id", "v"+strconv.Itoa(v+1)); !strings.Contains(row, "Versión 1 restaurada") || !strings.Contains(row, "Ana Ruiz (coordinador)") {
		t.Errorf("the revert's row in Spanish: %q", squash(row))
	}
}

// fullCase is a submission that gives every field a contributor can, in a session.
func fullCase(t *testing.T, a *app.App) (id, token string) {
	t.Helper()
	s, err := a.Review.SaveSession(t.Context(), coordEmail, review.Session{Title: "Digital inclusion 2026", Date: "2026-03-10", Open: true, Areas: []string{"education"}})
	if err != nil {
		t.Fatal(err)
	}
	in := review.Input{ConsentToPublish: true, SessionID: s.ID, Contact: review.Contact{Name: "Rosa Pérez", Role: "Head of ICT", Email: "rosa@example.org"}}
	in.Practice = practices.Practice{Title: "Radio lessons for pupils without internet", Summary: "The town broadcast school lessons on the municipal radio.",
		City: "Villa Gesell", Country: "AR", Areas: []string{"education"}, Crises: []string{"health"}, TargetGroups: []string{"students"},
		Tags: []string{"radio", "schools"}, Results: []string{"1,200 pupils followed the lessons"}, Prerequisites: []string{"broadband"},
		Status: "operational", Year: 2021, Languages: []string{"es"}, Body: "## What was done\nLessons on the radio every morning.\n"}
	r, err := a.Review.Create(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID, r.TrackingToken
}

// The review shows every field the practice page will show, laid out by the page's own
// parts, beside the closest practices with what matched.
func TestReviewShowsEverythingThatWillBePublished(t *testing.T) {
	s := startSite(t)
	id, _ := fullCase(t, s.App)
	c := loginAs(t, s.URL, coordEmail)
	_, body := c.get("/review/submissions/" + id)
	facts, ok := find(t, body, "aside", "class", "facts")
	if !ok {
		t.Fatal("no key facts on the review")
	}
	for _, want := range []string{"Villa Gesell", "Argentina", "Education", "Health crisis", "students and the education sector", "broadband and fibre", "operational", "2021", "Spanish",
		"Digital inclusion 2026", "radio, schools", "Translations", "not given", "Live Learning Experience submission, session: Digital inclusion 2026",
		"oai:kb.example.org:villa-gesell-radio-lessons-for-pupils-without-internet", "Version 1 once accepted"} {
		if !strings.Contains(squash(facts), want) {
			t.Errorf("the key facts lack %q: %s", want, squash(facts))
		}
	}
	if res, _ := find(t, body, "section", "aria-labelledby", "results-h"); !strings.Contains(res, "1,200 pupils") {
		t.Errorf("results: %q", res)
	}
	if !strings.Contains(body, "<h2>What was done</h2>") {
		t.Error("the body is not rendered as the page renders it")
	}
	closest, _ := find(t, body, "aside", "class", "closest")
	if !strings.Contains(closest, "What matched") || !strings.Contains(closest, "Words in both texts:") {
		t.Errorf("the closest practices say nothing of what matched: %s", squash(closest))
	}
	if private, _ := find(t, body, "section", "aria-labelledby", "private-h"); !strings.Contains(private, "rosa@example.org") {
		t.Errorf("the contact is not shown to the coordinator: %q", private)
	}
}

// A coordinator edits a case before accepting it: the edit is a version of its own, the
// contributor sees from their version to the coordinator's, and the practice is
// published as edited, its first version naming who accepted it.
func TestCoordinatorEditsBeforeAccepting(t *testing.T) {
	s := startSite(t)
	id, token := fullCase(t, s.App)
	c := loginAs(t, s.URL, coordEmail)
	c.postAndFollow("/review/account", url.Values{"name": {"Ana Ruiz"}, "lang": {"en"}})
	_, form := c.get("/review/submissions/" + id + "/edit")
	if v, _ := find(t, form, "textarea", "id", "summary"); v != "The town broadcast school lessons on the municipal radio." {
		t.Fatalf("the form is not filled with the case: %q", v)
	}
	sub, _ := s.App.Review.Get(t.Context(), id, review.Access{Principal: &auth.Principal{Email: coordEmail, Role: auth.RoleCoordinator}})
	f := formOf(&sub.Practice)
	f.Set("session_id", sub.SessionID)
	f.Set("title", "")
	if resp, body := c.post("/review/submissions/"+id+"/edit", f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-title"><p class="error"`) {
		t.Fatalf("an edit without a title: %d", resp.StatusCode)
	}
	f.Set("title", sub.Practice.Title)
	f.Set("summary", "The town broadcast daily school lessons on the municipal radio station.")
	f.Set("note", "Says how often")
	if resp, _ := c.post("/review/submissions/"+id+"/edit", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	_, review := c.get("/review/submissions/" + id)
	if ed, _ := find(t, review, "section", "id", "edited"); !strings.Contains(ed, "Ana Ruiz (coordinator)") || !strings.Contains(ed, "Says how often") {
		t.Errorf("the review does not show the edit: %q", squash(ed))
	}
	_, track := get(t, s.URL, "/track/"+token, nil)
	ed, ok := find(t, track, "section", "id", "edited")
	if !ok || !strings.Contains(ed, "Ana Ruiz (coordinator)") {
		t.Fatalf("the contributor does not see the edit: %q", squash(ed))
	}
	if m := insideWords.FindStringSubmatch(track); m == nil || m[1] != "daily " {
		t.Errorf("the words the coordinator added: %q", m)
	}
	if strings.Contains(track, coordEmail) {
		t.Error("the tracking page shows the coordinator's address")
	}
	resp, _ := c.post("/review/submissions/"+id+"/decision", url.Values{"decision": {"accept"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	pid := strings.TrimPrefix(resp.Header.Get("Location"), "/practices/")
	pr, err := s.App.Get(t.Context(), pid)
	if err != nil || pr.Summary != "The town broadcast daily school lessons on the municipal radio station." {
		t.Fatalf("published: %v %+v", err, pr)
	}
	_, hist := c.get("/practices/" + pid + "/versions")
	if row, _ := find(t, hist, "tr", "id", "v1"); !strings.Contains(row, "Accepted from submission "+id) || !strings.Contains(row, "Ana Ruiz (coordinator)") {
		t.Errorf("version 1: %q", squash(row))
	}
}

// A submitted case is merged into an existing practice found by a search: it becomes a
// new version of it (its identity and address kept), after a question that says so; the
// submission is marked merged with a link.
func TestMergingASubmissionIntoAPractice(t *testing.T) {
	s := startSite(t)
	id, token := fullCase(t, s.App)
	c := loginAs(t, s.URL, coordEmail)
	const target = "bilbao-geobilbao"
	before, _ := s.App.Get(t.Context(), target)

	_, page := c.get("/review/submissions/" + id + "/merge")
	if _, ok := find(t, page, "input", "id", "merge-q"); !ok {
		t.Fatal("no search for the practice to merge into")
	}
	_, page = c.get("/review/submissions/" + id + "/merge?q=geobilbao")
	if !strings.Contains(page, `href="/review/submissions/`+id+`/merge?into=`+target+`"`) {
		t.Fatalf("the search does not offer %s: %s", target, page)
	}
	_, ask := c.get("/review/submissions/" + id + "/merge?into=" + target)
	what, _ := find(t, ask, "ul", "class", "consequences")
	if !strings.Contains(what, fmt.Sprintf("gets version %d", before.Version+1)) || !strings.Contains(what, "keeps its identity") || !strings.Contains(what, "marked merged") {
		t.Errorf("the question does not say what happens: %q", squash(what))
	}
	if !strings.Contains(ask, `<div class="words">`) {
		t.Error("the question does not show what changes in the practice")
	}
	// A post without the confirmation only asks again.
	if resp, _ := c.post("/review/submissions/"+id+"/merge", url.Values{"into": {target}}); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "merge?into=") {
		t.Fatalf("an unconfirmed merge: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ := c.post("/review/submissions/"+id+"/merge", url.Values{"into": {target}, "confirm": {"yes"}, "comment": {"Your case updates GeoBilbao"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/practices/"+target {
		t.Fatalf("merge: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	after, _ := s.App.Get(t.Context(), target)
	if after.Version != before.Version+1 || after.Title != "Radio lessons for pupils without internet" || after.URI != before.URI || after.Source != before.Source {
		t.Errorf("the practice after the merge: version %d, %q, uri %q, source %q", after.Version, after.Title, after.URI, after.Source)
	}
	_, hist := c.get("/practices/" + target + "/versions")
	if row, _ := find(t, hist, "tr", "id", "v"+strconv.Itoa(after.Version)); !strings.Contains(row, "Submission "+id+" merged into it") {
		t.Errorf("the merge's version: %q", squash(row))
	}
	_, track := get(t, s.URL, "/track/"+token, nil)
	if st, _ := find(t, track, "strong", "id", "status"); st != "merged into a published practice" || !strings.Contains(track, `href="/practices/`+target+`"`) {
		t.Errorf("the contributor's page: %q", st)
	}
}

// Archiving, merging a practice and withdrawing a case for its contributor each ask
// first, saying what will happen; the form on the question does it.
func TestCurationAsksBeforeActing(t *testing.T) {
	s := startSite(t)
	c := loginAs(t, s.URL, coordEmail)
	const id = "bilbao-geobilbao"
	_, edit := c.get("/practices/" + id + "/edit")
	if !strings.Contains(edit, `href="/practices/`+id+`/archive"`) || !strings.Contains(edit, `href="/practices/`+id+`/merge"`) {
		t.Fatal("the edit page does not lead to the questions")
	}
	// Posted without the confirmation, the archive only asks.
	resp, ask := c.post("/practices/"+id+"/archive", url.Values{"archived": {"yes"}})
	if p, _ := s.App.Get(t.Context(), id); resp.StatusCode != http.StatusOK || p.Archived {
		t.Fatalf("an unconfirmed archive: %d, archived %v", resp.StatusCode, p.Archived)
	}
	if what, _ := find(t, ask, "ul", "class", "consequences"); !strings.Contains(what, "OAI-PMH get a deletion") || !strings.Contains(what, "marked archived") {
		t.Errorf("the archive's question: %q", squash(what))
	}
	if resp, _ := c.post("/practices/"+id+"/archive", url.Values{"archived": {"yes"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	if p, _ := s.App.Get(t.Context(), id); !p.Archived {
		t.Error("not archived")
	}

	const other, into = "bilbao-smart-mobility-tools", "amb-dual-bus-stops"
	_, ask = c.get("/practices/" + other + "/merge?into=" + into)
	if what, _ := find(t, ask, "ul", "class", "consequences"); !strings.Contains(what, "redirects (301) to /practices/"+into) || !strings.Contains(what, "names “") {
		t.Errorf("the merge's question: %q", squash(what))
	}
	if resp, _ := c.post("/practices/"+other+"/merge", url.Values{"into": {into}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an unconfirmed merge: %d", resp.StatusCode)
	}
	if _, merged := s.App.Redirect(other); merged {
		t.Fatal("merged without confirmation")
	}
	c.post("/practices/"+other+"/merge", url.Values{"into": {into}, "confirm": {"yes"}})
	if to, merged := s.App.Redirect(other); !merged || to != into {
		t.Errorf("the merge: %q %v", to, merged)
	}

	sid, token := fullCase(t, s.App)
	_, ask = c.get("/review/submissions/" + sid + "/withdraw")
	if what, _ := find(t, ask, "ul", "class", "consequences"); !strings.Contains(what, "contributor is told") {
		t.Errorf("the withdrawal's question: %q", squash(what))
	}
	c.post("/review/submissions/"+sid+"/withdraw", url.Values{"confirm": {"yes"}, "comment": {"Sent twice"}})
	_, track := get(t, s.URL, "/track/"+token, nil)
	if st, _ := find(t, track, "strong", "id", "status"); st != "withdrawn" || !strings.Contains(track, "Sent twice") {
		t.Errorf("the contributor's page after the withdrawal: %q", st)
	}
}

// Signed-in coordinators see in the header how many cases wait; the queue filters by
// state, session, area and age and says how long each has waited.
func TestTheHeaderCountsWaitingCasesAndTheQueueFilters(t *testing.T) {
	s := startSite(t)
	_, body := get(t, s.URL, "/", nil)
	if strings.Contains(body, "waiting-count") {
		t.Error("a visitor sees the count")
	}
	c := loginAs(t, s.URL, coordEmail)
	_, body = c.get("/")
	if _, ok := find(t, body, "span", "id", "waiting-count"); ok {
		t.Error("a count with nothing waiting")
	}
	id, _ := fullCase(t, s.App)
	other := validCase(t, s.App)
	_, body = c.get("/")
	if n, _ := find(t, body, "span", "id", "waiting-count"); n != "2" {
		t.Errorf("the header's count %q, want 2", n)
	}
	sessions, _ := s.App.Review.Sessions(t.Context(), false)
	for query, want := range map[string][]string{
		"":                                      {id, other},
		"?session=" + sessions[0].ID:            {id},
		"?area=education":                       {id},
		"?area=economy":                         {other},
		"?older_than_days=3":                    {},
		"?status=accepted":                      {},
		"?status=all&session=" + sessions[0].ID: {id},
	} {
		_, q := c.get("/review" + query)
		for _, sid := range []string{id, other} {
			if got, w := strings.Contains(q, "/review/submissions/"+sid+`"`), slices.Contains(want, sid); got != w {
				t.Errorf("/review%s lists %s: %v, want %v", query, sid, got, w)
			}
		}
	}
	_, q := c.get("/review")
	if cell, _ := find(t, q, "td", "class", "waiting"); cell != "less than an hour" {
		t.Errorf("the waiting time %q", cell)
	}
}

// validCase submits a short case of another area, without a session.
func validCase(t *testing.T, a *app.App) string {
	t.Helper()
	in := review.Input{ConsentToPublish: true, Contact: review.Contact{Name: "Amina", Email: "amina@example.org"}}
	in.Practice = practices.Practice{Title: "Solar kiosks in markets", Summary: "Traders charge phones for free.", City: "Kisumu", Country: "KE",
		Areas: []string{"economy"}, Body: "Kiosks with solar panels.\n"}
	r, err := a.Review.Create(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// A session's page edits every field of it and lists its cases with their state; its
// export opens in a spreadsheet with the accents intact and no formula.
func TestSessionsAreEditedAndExported(t *testing.T) {
	s := startSite(t)
	id, _ := fullCase(t, s.App)
	in := review.Input{ConsentToPublish: true, Contact: review.Contact{Name: "=HYPERLINK(\"http://evil\")", Email: "x@example.org"}}
	sessions, _ := s.App.Review.Sessions(t.Context(), false)
	sess := sessions[0]
	in.SessionID = sess.ID
	in.Practice = practices.Practice{Title: "Aulas en la radio de Córdoba", Summary: "Clases por radio.", City: "Córdoba", Country: "AR", Areas: []string{"education"}, Body: "Clases.\n"}
	second, err := s.App.Review.Create(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	c := loginAs(t, s.URL, coordEmail)
	_, list := c.get("/review/sessions")
	if !strings.Contains(list, `href="/review/sessions/`+sess.ID+`"`) {
		t.Fatal("the sessions page does not lead to a session")
	}
	_, page := c.get("/review/sessions/" + sess.ID)
	if v, _ := find(t, page, "textarea", "id", "description"); v != sess.Description {
		t.Errorf("the form is not filled: %q", v)
	}
	table, _ := find(t, page, "table", "class", "sessionsubs")
	if !strings.Contains(table, "Radio lessons for pupils without internet") || !strings.Contains(table, "Aulas en la radio de Córdoba") || !strings.Contains(table, "submitted, waiting for review") {
		t.Errorf("the session's cases: %q", squash(table))
	}
	f := url.Values{"title": {"Inclusión digital 2026"}, "theme": {"Schools"}, "date": {"2026-13-01"}, "description": {"Cases on schools."}, "areas": {"education", "economy"}, "open": {"yes"}}
	if resp, body := c.post("/review/sessions/"+sess.ID, f); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-date"><p class="error"`) {
		t.Fatalf("a bad date: %d", resp.StatusCode)
	}
	f.Set("date", "2026-04-01")
	c.postAndFollow("/review/sessions/"+sess.ID, f)
	got, _ := s.App.Review.Session(t.Context(), sess.ID)
	if got.Title != "Inclusión digital 2026" || got.Date != "2026-04-01" || got.Theme != "Schools" || len(got.Areas) != 2 || !got.Created.Equal(sess.Created) {
		t.Errorf("the session after the edit: %+v", got)
	}

	resp, csvBody := c.get("/review/sessions/" + sess.ID + "/submissions.csv")
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("the export's headers: %v", resp.Header)
	}
	if !strings.HasPrefix(csvBody, "\uFEFFSubmission,State,Title,") {
		t.Errorf("the export starts %q", csvBody[:min(40, len(csvBody))])
	}
	if !strings.Contains(csvBody, "Aulas en la radio de Córdoba") || !strings.Contains(csvBody, id+",\"submitted, waiting for review\"") {
		t.Errorf("the export's rows: %s", csvBody)
	}
	if !strings.Contains(csvBody, second.ID) || !strings.Contains(csvBody, `"'=HYPERLINK(""http://evil"")"`) {
		t.Errorf("a formula is not neutralised: %s", csvBody)
	}
}

// The audit log reads as sentences in the interface's language, its targets links, and
// filters by who, what and when.
func TestTheAuditLogReadsAsSentences(t *testing.T) {
	s := startSite(t)
	id, _ := fullCase(t, s.App)
	c := loginAs(t, s.URL, coordEmail)
	c.postAndFollow("/review/account", url.Values{"name": {"Ana Ruiz"}, "lang": {"en"}})
	resp, _ := c.post("/review/submissions/"+id+"/decision", url.Values{"decision": {"accept"}})
	pid := strings.TrimPrefix(resp.Header.Get("Location"), "/practices/")

	_, log := c.get("/review/audit")
	want := `Ana Ruiz (coordinator) accepted submission <a href="/review/submissions/` + id + `">` + id + `</a> as practice <a href="/practices/` + pid + `">` + pid + `</a>`
	if !strings.Contains(log, want) {
		t.Errorf("the accept's sentence is not %s in %s", want, log)
	}
	if !strings.Contains(log, `the contributor of submission <a href="/review/submissions/`+id+`">`) {
		t.Error("the contributor's submission is not told")
	}
	_, mine := c.get("/review/audit?who=" + url.QueryEscape(coordEmail))
	if !strings.Contains(mine, "accepted submission") || strings.Contains(mine, "submitted submission") {
		t.Error("filtered by who, the log shows others' entries")
	}
	_, subs := c.get("/review/audit?what=submission.")
	if strings.Contains(subs, ") published practice") || !strings.Contains(subs, "submitted submission") {
		t.Error("filtered by what, the log shows other actions")
	}
	_, theirs := c.get("/review/audit?who=" + url.QueryEscape("contributor of submission "))
	if !strings.Contains(theirs, "submitted submission") || strings.Contains(theirs, "accepted submission") {
		t.Error("filtered by contributors, the log shows coordinators'")
	}
	_, none := c.get("/review/audit?to=2020-01-01")
	if !strings.Contains(none, "No entry matches.") {
		t.Error("filtered to before anything happened, the log shows entries")
	}
	today := time.Now().UTC().Format("2006-01-02")
	if _, some := c.get("/review/audit?from=" + today + "&to=" + today); !strings.Contains(some, "accepted submission") {
		t.Error("filtered to today, the log misses today's entries")
	}
	if resp, body := c.get("/review/audit?from=yesterday"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must be a day as YYYY-MM-DD") {
		t.Errorf("a bad day: %d", resp.StatusCode)
	}
	_, es := c.get("/review/audit?lang=es")
	if !strings.Contains(es, "Ana Ruiz (coordinador) aceptó la propuesta") {
		t.Error("the log is not in Spanish")
	}
}

// A version written through the API records its author as the pages' do.
func TestAPIVersionsRecordTheirAuthor(t *testing.T) {
	s := startSite(t)
	token, _, err := s.App.Auth.CreateToken(coordEmail, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	s.App.Auth.SetProfile(coordEmail, "Ana Ruiz", "", "test", []string{"en"})
	if resp := apiAs(t, s.URL, token, "POST", "/api/v1/practices/bilbao-geobilbao/archive", `{"archived":true}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("archive through the API: %d", resp.StatusCode)
	}
	p, _ := s.App.Get(t.Context(), "bilbao-geobilbao")
	if n := s.App.Review.NoteOf(t.Context(), p.ID, p.Version); n == nil || n.Name != "Ana Ruiz" || n.Role != auth.RoleCoordinator || n.Action != "practice.archive" {
		t.Errorf("the API's version note: %+v", n)
	}
	// An edit through the API carries its note in ?note=, bounded like the form's.
	p.Archived = false
	p.Title += " (revised)"
	body, _ := json.Marshal(p)
	if resp := apiAs(t, s.URL, token, "PUT", "/api/v1/practices/bilbao-geobilbao?note=Title+made+clearer", string(body)); resp.StatusCode != http.StatusOK {
		t.Fatalf("edit through the API: %d", resp.StatusCode)
	}
	p, _ = s.App.Get(t.Context(), "bilbao-geobilbao")
	if n := s.App.Review.NoteOf(t.Context(), p.ID, p.Version); n == nil || n.Note != "Title made clearer" || n.Name != "Ana Ruiz" {
		t.Errorf("the API edit's version note: %+v", n)
	}
	long := strings.Repeat("x", review.MaxEditNote+1)
	req, _ := http.NewRequest("PUT", s.URL+"/api/v1/practices/bilbao-geobilbao?note="+long, strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg := readAll(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(msg, "note") {
		t.Errorf("an edit note of %d characters: %d %s", len(long), resp.StatusCode, msg)
	}
}
