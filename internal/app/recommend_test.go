package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/evaluate"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
)

// Floors under the recommender's figures on testdata/recommend_eval.json, set just under
// what it measured when they were last raised.
const (
	floorRecNDCG       = 0.85
	minGainOverNaive   = 0.2
	floorWeakAreaShare = 0.9
)

func TestRecommenderQuality(t *testing.T) {
	a := openCorpusApp(t)
	set, err := evaluate.LoadRecommend("../../testdata/recommend_eval.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Cases) < 15 {
		t.Fatalf("%d profiles, want at least 15", len(set.Cases))
	}
	r, err := evaluate.RunRecommend(context.Background(), set, a, 10)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.Print(&b, 10)
	t.Logf("recommender on %d profiles:\n%s", len(set.Cases), b.String())
	kb, naive := r.Report.Overall["kb"], r.Report.Overall["baseline"]
	if kb.NDCG < floorRecNDCG || kb.NDCG-naive.NDCG < minGainOverNaive {
		t.Errorf("nDCG@10 %.3f (floor %.2f), baseline %.3f (want at least +%.2f)", kb.NDCG, floorRecNDCG, naive.NDCG, minGainOverNaive)
	}
	if r.AreaShare["kb"] < floorWeakAreaShare {
		t.Errorf("only %.3f of the top results address a weak area", r.AreaShare["kb"])
	}
}

// Every reason and every gap of every recommendation, for every judged profile, is checked
// against the practice and the profile.
func TestRecommendationReasonsAreTrue(t *testing.T) {
	ctx := context.Background()
	a := openCorpusApp(t)
	set, err := evaluate.LoadRecommend("../../testdata/recommend_eval.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range set.Cases {
		res, err := a.Recommend(ctx, c.Profile)
		if err != nil {
			t.Fatal(err)
		}
		p := res.Profile
		for _, rec := range res.Recommendations {
			pr, err := a.Get(ctx, rec.Practice.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Reasons) == 0 {
				t.Errorf("%s / %s: no reason", c.Name, pr.ID)
			}
			for _, r := range rec.Reasons {
				if msg := checkReason(a.Geo, p, pr, rec.Factors, r, false); msg != "" {
					t.Errorf("%s / %s: reason %v: %s", c.Name, pr.ID, r.Says, msg)
				}
			}
			for _, r := range rec.Missing {
				if msg := checkReason(a.Geo, p, pr, rec.Factors, r, true); msg != "" {
					t.Errorf("%s / %s: missing %v: %s", c.Name, pr.ID, r.Says, msg)
				}
			}
		}
	}
}

func bandIndex(band string) int {
	for i, b := range practices.PopulationBands {
		if b.ID == band {
			return i
		}
	}
	return -1
}

// checkReason returns what is false in a reason, "" when it holds.
func checkReason(geo *practices.Geography, p recommend.Profile, pr *practices.Practice, f map[string]float64, r recommend.Reason, gap bool) string {
	switch r.Factor {
	case recommend.FactorWeakArea:
		if !slices.Contains(pr.Areas, r.Value) || !slices.Contains(p.WeakAreas, r.Value) {
			return "the area is not both the practice's and a weak area"
		}
	case recommend.FactorNeed:
		if p.Need == "" || r.Value != p.Need || f[recommend.FactorNeed] < 0.3 {
			return "no such need match"
		}
		text := strings.ToLower(strings.Join([]string{pr.Title, pr.Summary, pr.Body, strings.ReplaceAll(strings.Join(pr.Tags, " "), "-", " "), pr.City}, " "))
		for _, t := range pr.Translations { // its words count too: they are searched
			text += " " + strings.ToLower(t.Title+" "+t.Summary+" "+t.Body)
		}
		for _, t := range pr.TargetGroups {
			text += " " + strings.ToLower(practices.TargetGroups.Label(t))
		}
		for _, a := range pr.Areas {
			text += " " + strings.ToLower(practices.Areas.Label(a))
		}
		if c, ok := geo.Country(pr.Country); ok {
			text += " " + strings.ToLower(c.Name)
		}
		if r.Says.Key == "reason.need.words" {
			for _, w := range strings.Split(r.Says.Args[1].Value.(string), ", ") {
				if !strings.Contains(text, w) {
					return "the practice does not contain " + w
				}
			}
		}
	case recommend.FactorGroups:
		if !slices.Contains(pr.TargetGroups, r.Value) || !slices.Contains(p.PriorityGroups, r.Value) {
			return "the group is not both the practice's and a priority"
		}
	case recommend.FactorCrises:
		if !slices.Contains(pr.Crises, r.Value) || !slices.Contains(p.Crises, r.Value) {
			return "the crisis is not both the practice's and the profile's"
		}
	case recommend.FactorSize:
		if pr.PopulationBand != r.Value || f[recommend.FactorSize] < 0.6 {
			return "not a city of similar size"
		}
	case recommend.FactorCountry:
		if pr.Country != p.Country || r.Value != p.Country {
			return "not the same country"
		}
	case recommend.FactorRegion:
		if pr.Region != p.Region || r.Value != p.Region {
			return "not the same region"
		}
	case recommend.FactorLanguage:
		if geo.ShareLanguage(pr.Country, p.Country) != r.Value {
			return "no shared language"
		}
	case recommend.FactorPrerequisites:
		if !slices.Contains(pr.Prerequisites, r.Value) || slices.Contains(p.Resources, r.Value) != !gap {
			return "the prerequisite is not as stated"
		}
	case recommend.FactorScale:
		if !gap || bandIndex(pr.PopulationBand) <= bandIndex(p.PopulationBand) {
			return "the practice is not from a larger city"
		}
	case recommend.FactorEvidence:
		if pr.Status != r.Value {
			return "the status differs"
		}
		if r.Says.Key == "reason.evidence.results" && !slices.Contains(pr.Results, r.Says.Args[0].Value.(string)) {
			return "no such result"
		}
	default:
		return "unknown factor " + r.Factor
	}
	return ""
}

// A village gets practices it can adopt before a megacity's platforms, and the top ten
// are not variants of one idea.
func TestRecommendationsFitSizeAndStayDiverse(t *testing.T) {
	ctx := context.Background()
	a := openCorpusApp(t)
	res, err := a.Recommend(ctx, recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}})
	if err != nil {
		t.Fatal(err)
	}
	if top := res.Recommendations[0].Practice; top.PopulationBand == ">1M" {
		t.Errorf("a village's first recommendation comes from a megacity: %s", top.ID)
	}
	res, err = a.Recommend(ctx, recommend.Profile{Country: "MX", Population: 2000000, WeakAreas: practices.Areas.IDs()})
	if err != nil {
		t.Fatal(err)
	}
	cities, areas := map[string]bool{}, map[string]bool{}
	for _, r := range res.Recommendations {
		cities[r.Practice.City] = true
		for _, a := range r.Practice.Areas {
			areas[a] = true
		}
	}
	if len(res.Recommendations) != 10 || len(cities) < 5 || len(areas) < 5 {
		t.Errorf("top 10 from %d cities in %d areas", len(cities), len(areas))
	}
	if len(res.PeerCities) == 0 || res.PeerCities[0].Name != "Mexico City" && res.PeerCities[0].Country != "MX" {
		t.Errorf("peer cities: %+v", res.PeerCities)
	}
}

func TestKnownCityFillsItsFacts(t *testing.T) {
	a := openCorpusApp(t)
	res, err := a.Recommend(context.Background(), recommend.Profile{City: "villa gesell", WeakAreas: []string{"mobility"}})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profile
	if p.City != "Villa Gesell" || p.Country != "AR" || p.Region != "latin-america" || p.PopulationBand != "<50k" || !p.PopulationEstimated {
		t.Fatalf("resolved profile %+v", p)
	}
	for _, peer := range res.PeerCities {
		if peer.Name == "Villa Gesell" {
			t.Error("a city is its own peer")
		}
	}
}

func TestInvalidProfilesNameTheField(t *testing.T) {
	a := openCorpusApp(t)
	for _, tc := range []struct {
		p     recommend.Profile
		field string
	}{
		{recommend.Profile{Country: "ES", Population: -5, WeakAreas: []string{"data"}}, "population"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"parks"}}, "weak_areas"},
		{recommend.Profile{Country: "XX", Population: 5000, WeakAreas: []string{"data"}}, "country"},
		{recommend.Profile{Population: 5000, WeakAreas: []string{"data"}}, "country"},
		{recommend.Profile{Country: "ES", WeakAreas: []string{"data"}}, "population"},
		{recommend.Profile{Country: "ES", Population: 5000}, "weak_areas"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}, Severity: map[string]string{"economy": "high"}}, "severity"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}, Severity: map[string]string{"data": "awful"}}, "severity"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}, Resources: []string{"teleporter"}}, "resources"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}, PriorityGroups: []string{"cats"}}, "priority_groups"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}, Crises: []string{"alien"}}, "crises"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}, Limit: 500}, "limit"},
		{recommend.Profile{City: "Atlantis", WeakAreas: []string{"data"}}, "city"},
		{recommend.Profile{Country: "ES", Population: 5000, WeakAreas: []string{"data"}, Need: strings.Repeat("x", 501)}, "need"},
	} {
		_, err := a.Recommend(context.Background(), tc.p)
		if e := apperr.As(err); err == nil || e.Code != apperr.Invalid || e.Fields[tc.field] == "" {
			t.Errorf("%+v: %v, want field %s named", tc.p, err, tc.field)
		}
	}
}
