package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// Over the whole corpus, in English and in Spanish: a practice page has one Results
// heading, and every result its front matter lists is on it. The corpus has both a list
// and a Results section in the body for 15 of its cases; they must be among those read.
func TestEveryPracticeShowsItsResultsOnce(t *testing.T) {
	base, a := site(t)
	var ids []string
	a.Published(t.Context(), func(id string, _ time.Time) bool { ids = append(ids, id); return true })
	if len(ids) != 39 {
		t.Fatalf("%d practices published", len(ids))
	}
	both := 0
	for _, lang := range []struct{ code, heading string }{{"en", "Results"}, {"es", "Resultados"}} {
		heading := regexp.MustCompile(`<h2[^>]*>` + lang.heading + `</h2>`)
		for _, id := range ids {
			p, _ := a.Get(t.Context(), id)
			resp, page := get(t, base, "/practices/"+id+"?lang="+lang.code, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", id, resp.StatusCode)
			}
			if n := len(heading.FindAllString(page, -1)); n > 1 {
				t.Errorf("%s (%s): %d Results headings", id, lang.code, n)
			}
			results := p.Results
			for _, tr := range p.Translations {
				if tr.Language == lang.code && len(tr.Results) == len(p.Results) {
					results = tr.Results
				}
			}
			for _, r := range results {
				if !strings.Contains(html.UnescapeString(page), r) {
					t.Errorf("%s (%s): the result %q is not shown", id, lang.code, r)
				}
			}
			if lang.code == "en" && len(p.Results) > 0 && strings.Contains(p.Body, "\n## Results") {
				both++
			}
		}
	}
	if both != 15 {
		t.Errorf("%d practices have both a results list and a Results section; the corpus has 15", both)
	}
}

// The date a practice page gives is the case's own: the study's year for the study's
// cases (not the day they were imported), the day of acceptance for a contributed one.
// The page describes itself for link previews, and its short link leads to it.
func TestAPracticePageDatesAndDescribesTheCase(t *testing.T) {
	base, a := site(t)
	_, page := get(t, base, "/practices/bilbao-geobilbao", nil)
	today := time.Now().UTC().Format("2006-01-02")
	for _, want := range []string{`<time datetime="2021">2021, the year of the Smart Cities Study</time>`, `"datePublished":"2021"`,
		`<meta property="og:title" content="GeoBilbao, public portal of geographical data">`, `<meta name="description" content="Bilbao mapped the key elements`,
		`<meta property="og:url" content="`, `<meta property="og:type" content="article">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the study's case lacks %s", want)
		}
	}
	if strings.Contains(page, "updated "+today) || strings.Contains(page, "on "+today) {
		t.Error("the study's case is dated the day it was imported")
	}
	desc := regexp.MustCompile(`<meta name="description" content="([^"]*)">`).FindStringSubmatch(page)
	if desc == nil || len([]rune(html.UnescapeString(desc[1]))) > 201 {
		t.Errorf("description %v", desc)
	}
	short := regexp.MustCompile(`id="permalink">(http://[^<]+/p/([a-z0-9]+))<`).FindStringSubmatch(page)
	if short == nil {
		t.Fatal("no short permalink")
	}
	if resp, _ := get(t, base, "/p/"+short[2], nil); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/practices/bilbao-geobilbao" {
		t.Errorf("the short link: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get(t, base, "/p/zzzzzzz", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown short link: %d", resp.StatusCode)
	}

	in := review.Input{ConsentToPublish: true, Contact: review.Contact{Name: "R", Email: "r@example.org"}}
	in.Practice.Title, in.Practice.Summary, in.Practice.City, in.Practice.Country = "Radio lessons", "Lessons on the radio.", "Villa Gesell", "AR"
	in.Practice.Areas, in.Practice.Body = []string{"education"}, "Lessons on the radio."
	r, err := a.Review.Create(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Review.Decide(t.Context(), r.ID, &auth.Principal{Email: coordEmail, Role: auth.RoleCoordinator}, review.Decision{Decision: review.ActionAccept})
	if err != nil {
		t.Fatal(err)
	}
	_, page = get(t, base, "/practices/"+res.PracticeID, nil)
	if !strings.Contains(page, `<time datetime="`+today+`">published here on `) {
		t.Error("a contributed case is not dated the day it was accepted")
	}
	// Its short link is known as soon as it is published, not only after a rebuild.
	short = regexp.MustCompile(`id="permalink">http://[^<]+/p/([a-z0-9]+)<`).FindStringSubmatch(page)
	if resp, _ := get(t, base, "/p/"+short[1], nil); resp.StatusCode != http.StatusMovedPermanently {
		t.Errorf("the new case's short link: %d", resp.StatusCode)
	}
}
