package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/assess"
)

func answersOf(qs []assess.Question, levels map[string]string, def string) map[string]string {
	out := map[string]string{}
	for _, q := range qs {
		out[q.ID] = def
		if l, ok := levels[q.ID]; ok {
			out[q.ID] = l
		}
	}
	return out
}

// A city of 60,000 with low levels in education and public services (high elsewhere),
// no municipal WiFi, and students and low-income families as its vulnerable groups gets,
// among its first five recommendations, the study's connectivity case Montevideo's wifi
// ABC and a digital-inclusion one (Bogotá's Ruta 100K against the digital divide, from
// the study's digital divide section, or Córdoba's inclusive digital training); its
// comparison shows the study's distribution for every question.
func TestAssessmentOfAMidSizeCityLowInEducation(t *testing.T) {
	a := openCorpusApp(t)
	qs := a.Assessments.Questions()
	in := assess.Answers{Country: "AR", Population: 60_000,
		Levels: answersOf(qs, map[string]string{"education": "low", "public-services": "low"}, "high"),
		Tools:  []string{"broadband", "4g-coverage", "public-computers"}, Groups: []string{"students", "low-income"},
	}
	res, err := a.Assess(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var top []string
	for _, r := range res.Recommendations[:min(5, len(res.Recommendations))] {
		top = append(top, r.Practice.ID)
	}
	t.Logf("top five: %v; weak areas %v, severity %v", top, res.Profile.WeakAreas, res.Profile.Severity)
	if !slices.Contains(top, "montevideo-wifi-abc") {
		t.Errorf("the connectivity case montevideo-wifi-abc is not in the top five %v", top)
	}
	if res.Profile.Need != assess.NeedInclusion || !slices.Equal(res.AccessLacking, []string{"municipal-wifi", "digital-assistance"}) {
		t.Errorf("need %q from the access resources lacking %v", res.Profile.Need, res.AccessLacking)
	}
	if !slices.Contains(top, "bogota-against-digital-divide-ruta-100k") && !slices.Contains(top, "cordoba-inclusive-digital-training") {
		t.Errorf("no digital-inclusion case in the top five %v", top)
	}
	if !slices.Equal(res.Profile.WeakAreas, []string{"public-services", "education"}) || res.Profile.Severity["education"] != "high" {
		t.Errorf("weak areas %v with severity %v, want public services and education, high", res.Profile.WeakAreas, res.Profile.Severity)
	}
	if slices.Contains(res.Resources, "municipal-wifi") || !slices.Contains(res.Resources, "broadband") {
		t.Errorf("resources %v", res.Resources)
	}
	wifi := slices.IndexFunc(res.Lacking, func(l assess.Lack) bool { return l.Resource == "municipal-wifi" })
	if wifi < 0 || res.Lacking[wifi].Practices[0].ID != "mexico-city-free-wifi-students" {
		t.Errorf("municipal WiFi, which Mexico City's free WiFi for students needs, is not among the resources lacking: %+v", res.Lacking)
	}
	if len(res.Standings) != len(qs) || len(qs) < 6 {
		t.Fatalf("%d standings for %d questions", len(res.Standings), len(qs))
	}
	for _, st := range res.Standings {
		if len(st.Study.Parts) == 0 {
			t.Errorf("%s: no distribution of the study", st.Question)
		}
		if sum := st.Higher + st.Same + st.Lower + st.Unstated; sum < 99.5 || sum > 101.5 && st.Unstated > 0 {
			t.Errorf("%s: the shares add up to %v", st.Question, sum)
		}
	}
	if len(res.Behind) == 0 || res.Behind[0] != "public-services" && res.Behind[0] != "education" {
		t.Errorf("furthest behind %v", res.Behind)
	}
	if res.Token != "" {
		t.Error("a link was made though none was asked for")
	}
}

// Nothing is stored unless asked; a saved self-assessment opens again with its link,
// dated as it was given, and only with it.
func TestSavedAssessmentOpensWithItsLinkOnly(t *testing.T) {
	a := openCorpusApp(t)
	qs := a.Assessments.Questions()
	in := assess.Answers{Country: "UY", Population: 300_000, Levels: answersOf(qs, nil, "medium"), Save: true}
	res, err := a.Assess(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Token) < 40 {
		t.Fatalf("token %q", res.Token)
	}
	back, err := a.SavedAssessment(context.Background(), res.Token)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Date.Equal(res.Date) || back.Answers.Country != "UY" || back.Token != "" {
		t.Errorf("the saved assessment came back as %+v", back)
	}
	if _, err := a.SavedAssessment(context.Background(), res.Token+"x"); apperr.Code(err) != apperr.NotFound {
		t.Errorf("a wrong token: %v", err)
	}
}

// Every wrong answer is named, in the order of the form.
func TestAssessmentNamesEveryWrongAnswerInOrder(t *testing.T) {
	a := openCorpusApp(t)
	qs := a.Assessments.Questions()
	levels := answersOf(qs, map[string]string{"mobility": "extreme"}, "low")
	delete(levels, "education")
	_, err := a.Assess(context.Background(), assess.Answers{Country: "ZZ", Population: -5, Levels: levels,
		Tools: []string{"a-teleporter"}, Groups: []string{"dragons"}, Crises: []string{"zombies"}})
	var inv *assess.Invalid
	if !errors.As(err, &inv) || apperr.Code(err) != apperr.Invalid {
		t.Fatalf("err %v", err)
	}
	var fields []string
	for _, p := range inv.Problems {
		fields = append(fields, p.Field)
	}
	want := []string{"country", "population", "levels.mobility", "levels.education", "tools", "vulnerable_groups", "crises"}
	if !slices.Equal(fields, want) {
		t.Errorf("problems in the order %v, want %v", fields, want)
	}
	if f := apperr.As(err).Fields; f["levels.education"] == "" || f["country"] == "" {
		t.Errorf("the API error's fields %v", f)
	}
}

// A city at the top everywhere is behind nowhere; its profile still names the areas at
// its lowest level, so the recommender answers. With every access resource, the need for
// connectivity and digital inclusion is not assumed.
func TestAssessmentOfACityAheadEverywhere(t *testing.T) {
	a := openCorpusApp(t)
	qs := a.Assessments.Questions()
	res, err := a.Assess(context.Background(), assess.Answers{Country: "KR", Population: 9_000_000, Levels: answersOf(qs, nil, "very-high"),
		Tools: []string{"municipal-wifi", "broadband", "4g-coverage", "public-computers", "digital-assistance"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Behind) != 0 || len(res.Profile.WeakAreas) == 0 || res.Profile.Severity["education"] != "very-low" {
		t.Errorf("behind %v, weak areas %v, severity %v", res.Behind, res.Profile.WeakAreas, res.Profile.Severity)
	}
	if res.Profile.Need != "" || len(res.AccessLacking) != 0 || len(res.Recommendations) == 0 {
		t.Errorf("need %q, access lacking %v, %d recommendations", res.Profile.Need, res.AccessLacking, len(res.Recommendations))
	}
}
