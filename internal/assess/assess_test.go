package assess

import (
	"slices"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/findings"
)

func TestSeverityFollowsLevelAndImpact(t *testing.T) {
	for _, c := range []struct{ level, impact, want string }{
		{"very-low", "", "very-high"}, {"low", "", "high"}, {"medium", "", "medium"}, {"high", "", "low"}, {"very-high", "", "very-low"},
		{"low", "high", "very-high"}, {"very-low", "very-high", "very-high"}, {"medium", "medium", "medium"}, {"high", "very-high", "medium"},
	} {
		if got := severityOf(c.level, c.impact); got != c.want {
			t.Errorf("severityOf(%s, %s) = %s, want %s", c.level, c.impact, got, c.want)
		}
	}
}

// The city's level is placed among the study's parts: a part all above it is higher,
// one holding it is the same, the rest of 100% unstated.
func TestStandingPlacesTheLevelAmongTheParts(t *testing.T) {
	d := findings.Distribution{Parts: []findings.Figure{
		{Answers: []string{"very-low", "low"}, Value: 34},
		{Answers: []string{"medium"}, Value: 37},
	}}
	q := Question{ID: "public-services", Area: "public-services", Levels: d}
	s := &Service{}
	for level, want := range map[string][3]float64{"very-low": {37, 34, 0}, "low": {37, 34, 0}, "medium": {0, 37, 34}, "high": {0, 0, 71}} {
		st := s.standing(q, Answers{Levels: map[string]string{"public-services": level}}, nil)
		if got := [3]float64{st.Higher, st.Same, st.Lower}; got != want || st.Unstated != 29 {
			t.Errorf("%s: higher, same, lower %v and %v unstated; want %v and 29", level, got, st.Unstated, want)
		}
	}
	sts := []Standing{{Question: "a", Higher: 10, Level: "low"}, {Question: "b", Higher: 40, Level: "medium"}, {Question: "c"}, {Question: "d", Higher: 40, Level: "low"}}
	if got := behind(sts); !slices.Equal(got, []string{"d", "b", "a"}) {
		t.Errorf("behind %v", got)
	}
}

// Free words name resources as their ids spell them, whole words only.
func TestResourcesFromFreeWords(t *testing.T) {
	s := &Service{findings: &findings.Findings{}}
	all, recognised := s.resources(Answers{OtherTools: "We fly Drones, run a GIS and an SMS gateway; no fabulous lab."})
	if !slices.Equal(recognised, []string{"gis", "drones", "sms-gateway"}) || !slices.Equal(all, []string{"drones", "gis", "sms-gateway"}) {
		t.Errorf("recognised %v, all %v", recognised, all)
	}
}
