package recommend

import (
	"slices"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Reason is why a practice is recommended, or what it would need that the city lacks:
// the factor it comes from and the value it states, so that each can be checked against
// the practice and the profile, and the sentence that says it, as a catalogue key and its
// arguments. Text is that sentence in one language, once said (SayIn).
type Reason struct {
	Factor string    `json:"factor"`
	Value  string    `json:"value,omitempty"`
	Says   i18n.Text `json:"says"`
	Text   string    `json:"text"`
}

// Thresholds above which a factor is worth saying.
const (
	sayNeed  = 0.3
	saySize  = 0.6
	warnSize = 0.6
)

// reasons builds the sentences from the factors that raised the score, and the gaps.
func (s *scorer) reasons(pr *practices.Practice, f map[string]float64, needWords []string) (reasons, missing []Reason) {
	p := s.profile
	say := func(factor, value, key string, args ...i18n.Arg) {
		reasons = append(reasons, Reason{Factor: factor, Value: value, Says: i18n.Say(key, args...)})
	}
	lack := func(factor, value, key string, args ...i18n.Arg) {
		missing = append(missing, Reason{Factor: factor, Value: value, Says: i18n.Say(key, args...)})
	}
	for _, a := range pr.Areas {
		if slices.Contains(p.WeakAreas, a) {
			say(FactorWeakArea, a, "reason.weak_area", i18n.Term("area", a), i18n.Term("level", p.severity(a)))
		}
	}
	if f[FactorNeed] >= sayNeed {
		if len(needWords) > 0 {
			say(FactorNeed, p.Need, "reason.need.words", i18n.Value(p.Need), i18n.Value(strings.Join(needWords, ", ")))
		} else {
			say(FactorNeed, p.Need, "reason.need", i18n.Value(p.Need))
		}
	}
	for _, g := range p.PriorityGroups {
		if slices.Contains(pr.TargetGroups, g) {
			say(FactorGroups, g, "reason.group", i18n.Term("group", g))
		}
	}
	for _, c := range p.Crises {
		if slices.Contains(pr.Crises, c) {
			say(FactorCrises, c, "reason.crisis", i18n.Term("crisis", c))
		}
	}
	if f[FactorSize] >= saySize {
		say(FactorSize, pr.PopulationBand, "reason.size", i18n.Value(pr.City), i18n.Term("population_band", pr.PopulationBand))
	}
	switch {
	case f[FactorCountry] == 1:
		say(FactorCountry, pr.Country, "reason.country", i18n.Term(i18n.CountryTerm, pr.Country))
	case f[FactorRegion] == 1:
		say(FactorRegion, pr.Region, "reason.region", i18n.Term("region", pr.Region))
	}
	if f[FactorCountry] == 0 {
		if lang := s.geo.ShareLanguage(pr.Country, p.Country); lang != "" {
			say(FactorLanguage, lang, "reason.language", i18n.Term(i18n.LanguageTerm, lang))
		}
	}
	for _, r := range pr.Prerequisites {
		if slices.Contains(p.Resources, r) {
			say(FactorPrerequisites, r, "reason.prerequisite", i18n.Term("resource", r))
		} else {
			lack(FactorPrerequisites, r, "gap.prerequisite", i18n.Term("resource", r))
		}
	}
	if f[FactorScale] < warnSize {
		lack(FactorScale, pr.PopulationBand, "gap.scale", i18n.Value(pr.City), i18n.Term("population_band", pr.PopulationBand))
	}
	switch pr.Status {
	case "operational":
		if r := figureResult(pr); r != "" {
			say(FactorEvidence, pr.Status, "reason.evidence.results", i18n.Value(r))
		} else {
			say(FactorEvidence, pr.Status, "reason.evidence.operational")
		}
	case "pilot":
		say(FactorEvidence, pr.Status, "reason.evidence.pilot")
	case "planned":
		lack(FactorEvidence, pr.Status, "gap.evidence.planned")
	}
	if reasons == nil {
		reasons = []Reason{}
	}
	if missing == nil {
		missing = []Reason{}
	}
	return reasons, missing
}

// SayIn writes every reason, gap and peer city's reason of the result in lang.
func (r *Result) SayIn(cat *i18n.Catalog, lang string) {
	for i := range r.Recommendations {
		rec := &r.Recommendations[i]
		for _, rs := range [][]Reason{rec.Reasons, rec.Missing} {
			for j := range rs {
				rs[j].Text = cat.Say(lang, rs[j].Says)
			}
		}
	}
	for i := range r.PeerCities {
		c := &r.PeerCities[i]
		c.Reasons = make([]string, len(c.Says))
		for j, t := range c.Says {
			c.Reasons[j] = cat.Say(lang, t)
		}
	}
}
