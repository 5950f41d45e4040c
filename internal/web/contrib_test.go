package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/review"
)

const caseJSONBody = `{"practice":{"title":"Night buses","summary":"Buses at night.","city":"Bilbao","country":"ES","areas":["mobility"],"body":"The city ran buses at night."},"contact":{"name":"N","email":"n@example.org"},"consent_to_publish":true}`

func postAPI(t *testing.T, base, body string, header map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	resp, data := request(t, nil, "POST", base+"/api/v1/submissions", h, strings.NewReader(body))
	var out map[string]any
	json.Unmarshal([]byte(data), &out)
	return resp, out
}

// The API's submission takes an Idempotency-Key: a retry with the same key and body is
// answered with the first receipt, a reuse of the key for another body is a 409.
func TestTheAPIsSubmissionIsIdempotentWithAKey(t *testing.T) {
	base, a := site(t)
	key := map[string]string{"Idempotency-Key": "5b0e7c7e-2f4a-4c1b-9d55-1f0f3c1c9a11", "Accept-Language": "fr"}
	resp1, r1 := postAPI(t, base, caseJSONBody, key)
	resp2, r2 := postAPI(t, base, strings.ReplaceAll(caseJSONBody, `","`, `", "`), key) // the same, spaced otherwise
	if resp1.StatusCode != 201 || resp2.StatusCode != 201 || r1["id"] != r2["id"] || r1["tracking_token"] != r2["tracking_token"] || resp2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %v, %d %v", resp1.StatusCode, r1, resp2.StatusCode, r2)
	}
	resp3, r3 := postAPI(t, base, strings.Replace(caseJSONBody, "Night buses", "Night trams", 1), key)
	if resp3.StatusCode != http.StatusConflict || !strings.Contains(r3["error"].(map[string]any)["message"].(string), "Idempotency-Key") {
		t.Fatalf("the key with another body: %d %v", resp3.StatusCode, r3)
	}
	if resp, _ := postAPI(t, base, caseJSONBody, map[string]string{"Idempotency-Key": "bad key"}); resp.StatusCode != 400 {
		t.Fatalf("a key with a space: %d", resp.StatusCode)
	}
	subs, _ := a.Review.List(t.Context(), review.Queue{})
	if len(subs) != 1 || subs[0].Lang != "fr" {
		t.Fatalf("%d submissions; language %q", len(subs), subs[0].Lang)
	}
}

// The form: reloading the receipt sends nothing again, and shows it only to the browser
// that sent the form; "Track a case" takes the whole link or its code.
func TestTheFormRedirectsToItsReceiptAndTracksByLinkOrCode(t *testing.T) {
	base, a := site(t)
	v := newVisitor(t, base)
	v.get("/submit")
	resp, _ := v.post("/submit", caseForm(), nil)
	receipt := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(receipt, "/submitted/") {
		t.Fatalf("submit: %d to %q", resp.StatusCode, receipt)
	}
	var link string
	for range 3 { // reloads
		_, page := v.get(receipt)
		m := regexp.MustCompile(`id="tracking-link">(http://[^<]+/track/(kbs_[^<]+))<`).FindStringSubmatch(page)
		if m == nil || link != "" && m[1] != link {
			t.Fatalf("the receipt: %.300s", page)
		}
		link = m[1]
	}
	if subs, _ := a.Review.List(t.Context(), review.Queue{}); len(subs) != 1 {
		t.Fatalf("%d submissions after reloading the receipt", len(subs))
	}
	other := newVisitor(t, base)
	if resp, page := other.get(receipt); resp.StatusCode != http.StatusNotFound || strings.Contains(page, "kbs_") {
		t.Fatalf("another browser sees the receipt: %d", resp.StatusCode)
	}
	code := link[strings.Index(link, "kbs_"):]
	for _, typed := range []string{link, "  " + link + ".", code, "<" + link + ">"} {
		resp, _ := v.post("/track", url.Values{"token": {typed}}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/track/"+code {
			t.Errorf("tracking %q: %d to %q", typed, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, page := v.post("/track", url.Values{"token": {"https://example.org/track/nothing"}}, nil); resp.StatusCode != 400 || !strings.Contains(page, "not a private tracking link") {
		t.Errorf("not a link: %d", resp.StatusCode)
	}
}

// "Send me my link again" answers the same whether the address has a case; withdrawing
// asks first, on a page of its own.
func TestResendAndWithdrawAskNothingTheyShouldNot(t *testing.T) {
	base, a := site(t)
	v := newVisitor(t, base)
	_, form := v.get("/track")
	if !strings.Contains(form, `action="/track/resend"`) {
		t.Fatal("no form to get the link again")
	}
	v.submit(caseForm())
	_, known := v.post("/track/resend", url.Values{"email": {"amina@example.org"}}, nil)
	_, unknown := v.post("/track/resend", url.Values{"email": {"nobody@example.org"}}, nil)
	strip := regexp.MustCompile(`name="csrf_token" value="[^"]*"|value="[^"]*@example.org"`)
	if strip.ReplaceAllString(known, "") != strip.ReplaceAllString(unknown, "") || !strings.Contains(known, "a message with its link is on its way") {
		t.Error("the answer differs whether the address has a case")
	}
	if resp, page := v.post("/track/resend", url.Values{"email": {"nobody"}}, nil); resp.StatusCode != 400 || !strings.Contains(page, "name@example.org") {
		t.Errorf("a malformed address: %d", resp.StatusCode)
	}
	r, _ := a.Review.Create(t.Context(), review.Input{Draft: true, Practice: caseInput().Practice, Contact: caseInput().Contact})
	_, page := v.get("/track/" + r.TrackingToken)
	if !strings.Contains(page, `href="/track/`+r.TrackingToken+`/withdraw"`) {
		t.Fatal("the tracking page does not link to the withdrawal")
	}
	_, ask := v.get("/track/" + r.TrackingToken + "/withdraw")
	if !strings.Contains(ask, "cannot be undone") || !strings.Contains(ask, `id="withdraw-confirm"`) {
		t.Fatalf("the confirmation: %.300s", ask)
	}
	if s, _ := a.Review.ByToken(t.Context(), r.TrackingToken); s.Status != review.StatusDraft {
		t.Fatal("opening the confirmation withdrew it")
	}
	v.post("/track/"+r.TrackingToken+"/withdraw", url.Values{}, nil)
	if s, _ := a.Review.ByToken(t.Context(), r.TrackingToken); s.Status != review.StatusWithdrawn {
		t.Fatalf("confirmed: %s", s.Status)
	}
}

// Errors come in the order of the form, under the fields' labels, in words: no field
// key, no "ISO 3166-1"; the population is read as people write it.
func TestFormErrorsComeInFormOrderInWords(t *testing.T) {
	base, _ := site(t)
	v := newVisitor(t, base)
	v.get("/submit")
	bad := url.Values{"action": {"submit"}, "country": {"ZZ"}, "population": {"lots"}, "contact_email": {"x"}, "tags": {"Not A Tag"}, "year": {"1200"}}
	resp, page := v.post("/submit", bad, nil)
	if resp.StatusCode != 400 {
		t.Fatalf("%d", resp.StatusCode)
	}
	summary := page[strings.Index(page, `class="errorsummary"`):]
	summary = summary[:strings.Index(summary, "</div>")]
	var order []string
	for _, m := range regexp.MustCompile(`<a href="#([a-z_]+)">([^<:]+):`).FindAllStringSubmatch(summary, -1) {
		order = append(order, m[1])
	}
	want := []string{"title", "summary", "city", "country", "population", "areas", "tags", "year", "body", "contact_name", "contact_email", "consent_to_publish"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("errors in the order %v, want %v", order, want)
	}
	for _, never := range []string{"ISO 3166", "alpha-2", "practice.", "contact.email", ">consent_to_publish:", "is not one of"} {
		if strings.Contains(summary, never) {
			t.Errorf("the summary says %q: %s", never, summary)
		}
	}
	for _, words := range []string{"Country: Choose the country from the list.", "Population: Give a number of inhabitants from 1 to "} {
		if !strings.Contains(summary, words) {
			t.Errorf("the summary lacks %q", words)
		}
	}
	ok := caseForm()
	ok.Set("population", "250 000")
	ok.Set("city", "Nakuru")
	if resp, _ := v.post("/submit", ok, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a population with a space: %d", resp.StatusCode)
	}
}

func caseInput() review.Input {
	in := review.Input{ConsentToPublish: true, Contact: review.Contact{Name: "Amina", Email: "amina@example.org"}}
	in.Practice.Title, in.Practice.Summary, in.Practice.City, in.Practice.Country = "Solar kiosks", "Free charging.", "Kisumu", "KE"
	in.Practice.Areas, in.Practice.Body = []string{"economy"}, "Kiosks."
	return in
}

// The form says what is wrong as the API does: the same problem of each field, said by
// the same message of the catalogues, in every language; its summary lists them in the
// order of the form's fields.
func TestTheFormSaysTheAPIsProblemsInFormOrder(t *testing.T) {
	base, _ := site(t)
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	summary := regexp.MustCompile(`<li><a href="#([a-z_]+)">[^<:]+: ([^<]+)</a></li>`)
	for _, lang := range []string{"en", "es", "fr", "pt"} {
		resp, api := postAPI(t, base, `{"practice":{"title":"","summary":"","city":"Bilbao","country":"ZZ","areas":["nowhere"],"tags":["Not A Slug"],"year":1200,"languages":["xx"],"body":"Buses."},"contact":{"name":"","email":"not an address"},"consent_to_publish":false}`,
			map[string]string{"Accept-Language": lang})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: the API took a wrong case: %d %v", lang, resp.StatusCode, api)
		}
		// What the API's problems say in lang, named as the form names the fields; out of
		// English the API's own message is that sentence (in English it keeps the code's).
		said := map[string]string{}
		e := api["error"].(map[string]any)
		for k, v := range e["problems"].(map[string]any) {
			pr := v.(map[string]any)
			args, _ := pr["args"].([]any)
			msg := cat.Problem(lang, k, pr["code"].(string), args)
			if lang != "en" && e["fields"].(map[string]any)[k] != msg {
				t.Errorf("%s %s: the API says %q, its problem %q", lang, k, e["fields"].(map[string]any)[k], msg)
			}
			k = strings.ReplaceAll(strings.TrimPrefix(k, "practice."), ".", "_")
			if k == "languages" {
				k = "language"
			}
			said[k] = msg
		}
		v := newVisitor(t, base)
		v.get("/submit?lang=" + lang)
		_, page := v.post("/submit", url.Values{"title": {""}, "summary": {""}, "city": {"Bilbao"}, "country": {"ZZ"}, "areas": {"nowhere"},
			"tags": {"Not A Slug"}, "year": {"1200"}, "language": {"xx"}, "body": {"Buses."}, "contact_name": {""}, "contact_email": {"not an address"}, "action": {"submit"}}, nil)
		var order []string
		for _, m := range summary.FindAllStringSubmatch(page, -1) {
			order = append(order, m[1])
			if got := html.UnescapeString(m[2]); got != said[m[1]] {
				t.Errorf("%s %s: the form says %q, the API %q", lang, m[1], got, said[m[1]])
			}
		}
		want := []string{"title", "summary", "country", "areas", "tags", "year", "language", "contact_name", "contact_email", "consent_to_publish"}
		if !slices.Equal(order, want) {
			t.Errorf("%s: the summary lists %v, the form's order is %v", lang, order, want)
		}
		if len(said) != len(want) {
			t.Errorf("%s: the API names %v", lang, said)
		}
	}
}
