package recommend

import (
	"fmt"
	"slices"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Reason is one sentence of why a practice is recommended, or of what it would need that
// the city lacks, with the factor it comes from and the value it states, so that each can
// be checked against the practice and the profile.
type Reason struct {
	Factor string `json:"factor"`
	Value  string `json:"value,omitempty"`
	Text   string `json:"text"`
}

// Thresholds above which a factor is worth saying.
const (
	sayNeed  = 0.3
	saySize  = 0.6
	warnSize = 0.6
)

var languageNames = map[string]string{"es": "Spanish", "pt": "Portuguese", "fr": "French", "en": "English", "ar": "Arabic"}

// reasons builds the sentences from the factors that raised the score, and the gaps.
func (s *scorer) reasons(pr *practices.Practice, f map[string]float64, needWords []string) (reasons, missing []Reason) {
	p := s.profile
	say := func(factor, value, format string, args ...any) {
		reasons = append(reasons, Reason{Factor: factor, Value: value, Text: fmt.Sprintf(format, args...)})
	}
	lack := func(factor, value, format string, args ...any) {
		missing = append(missing, Reason{Factor: factor, Value: value, Text: fmt.Sprintf(format, args...)})
	}
	for _, a := range pr.Areas {
		if slices.Contains(p.WeakAreas, a) {
			say(FactorWeakArea, a, "addresses your weak area %s (severity: %s)", a, Severities.Label(p.severity(a)))
		}
	}
	if f[FactorNeed] >= sayNeed {
		if len(needWords) > 0 {
			say(FactorNeed, p.Need, "matches your need %q (%s)", p.Need, strings.Join(needWords, ", "))
		} else {
			say(FactorNeed, p.Need, "matches your need %q", p.Need)
		}
	}
	for _, g := range p.PriorityGroups {
		if slices.Contains(pr.TargetGroups, g) {
			say(FactorGroups, g, "serves %s, a priority group of yours", practices.TargetGroups.Label(g))
		}
	}
	for _, c := range p.Crises {
		if slices.Contains(pr.Crises, c) {
			say(FactorCrises, c, "helps prepare for a %s", strings.ToLower(practices.Crises.Label(c)))
		}
	}
	if f[FactorSize] >= saySize {
		say(FactorSize, pr.PopulationBand, "from a city of similar size (%s: %s)", pr.City, practices.PopulationBands.Label(pr.PopulationBand))
	}
	switch {
	case f[FactorCountry] == 1:
		say(FactorCountry, pr.Country, "from your country (%s)", s.countryName(pr.Country))
	case f[FactorRegion] == 1:
		say(FactorRegion, pr.Region, "from your region (%s)", practices.Regions.Label(pr.Region))
	}
	if f[FactorCountry] == 0 {
		if lang := s.geo.ShareLanguage(pr.Country, p.Country); lang != "" {
			say(FactorLanguage, lang, "from a city that shares your language (%s)", languageNames[lang])
		}
	}
	for _, r := range pr.Prerequisites {
		if slices.Contains(p.Resources, r) {
			say(FactorPrerequisites, r, "needs %s, which you have", practices.Resources.Label(r))
		} else {
			lack(FactorPrerequisites, r, "needs %s, which you have not listed", practices.Resources.Label(r))
		}
	}
	if f[FactorScale] < warnSize {
		lack(FactorScale, pr.PopulationBand, "comes from a much larger city (%s: %s); check that it scales down to yours", pr.City, practices.PopulationBands.Label(pr.PopulationBand))
	}
	switch pr.Status {
	case "operational":
		if r := figureResult(pr); r != "" {
			say(FactorEvidence, pr.Status, "operational, with reported results: %s", r)
		} else {
			say(FactorEvidence, pr.Status, "operational")
		}
	case "pilot":
		say(FactorEvidence, pr.Status, "tested as a pilot")
	case "planned":
		lack(FactorEvidence, pr.Status, "still planned: no results reported yet")
	}
	if reasons == nil {
		reasons = []Reason{}
	}
	if missing == nil {
		missing = []Reason{}
	}
	return reasons, missing
}

func (s *scorer) countryName(code string) string {
	if c, ok := s.geo.Country(code); ok {
		return c.Name
	}
	return code
}
