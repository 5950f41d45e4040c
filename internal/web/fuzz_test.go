package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Any submission form gets a page that is not a server error.
func FuzzSubmitForm(f *testing.F) {
	f.Add("Title", "ES", "education", "body", "a@example.org", "2020", "submit")
	f.Add("", "", "", "", "", "", "draft")
	f.Add("<script>alert(1)</script>", "XX", "parks", strings.Repeat("x", 5000), "not-an-email", "99999", "check")
	formBase, _ := site(f)
	f.Fuzz(func(t *testing.T, title, country, area, body, email, year, action string) {
		jar := &jar{}
		client := &http.Client{Jar: jar}
		resp, err := client.Get(formBase + "/submit")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		form := url.Values{"csrf_token": {jar.csrf()}, "title": {title}, "country": {country}, "areas": {area}, "body": {body},
			"contact_name": {"N"}, "contact_email": {email}, "year": {year}, "action": {action}, "consent": {"yes"}}
		resp, err = client.PostForm(formBase+"/submit", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%v: %d", form, resp.StatusCode)
		}
	})
}

type jar struct {
	mu sync.Mutex
	c  []*http.Cookie
}

func (j *jar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	j.c = append(j.c, cs...)
	j.mu.Unlock()
}
func (j *jar) Cookies(*url.URL) []*http.Cookie { j.mu.Lock(); defer j.mu.Unlock(); return j.c }
func (j *jar) csrf() string {
	for _, c := range j.Cookies(nil) {
		if c.Name == "kb_csrf" {
			return c.Value
		}
	}
	return ""
}
