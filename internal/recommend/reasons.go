package recommend

import (
	"slices"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/i18n"
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

// Thresholds above which a factor is worth saying. sayNeed is at most minNeedOnly, so
// that a practice listed for its need alone says so.
const (
	sayNeed  = 0.3
	warnSize = 0.6
)

// reasons builds the sentences from the factors that raised the score, and the gaps;
// moved says the practice stands above one that scores higher on its own, byCoverage
// that it does for the part of the need it answers.
func (s *scorer) reasons(pk pick, needWords []string, moved, byCoverage bool) (reasons, missing []Reason) {
	p, pr, f := s.profile, pk.p, pk.factors
	say := func(factor, value, key string, args ...i18n.Arg) {
		reasons = append(reasons, Reason{Factor: factor, Value: value, Says: i18n.Say(key, args...)})
	}
	lack := func(factor, value, key string, args ...i18n.Arg) {
		missing = append(missing, Reason{Factor: factor, Value: value, Says: i18n.Say(key, args...)})
	}
	for _, a := range pr.Areas {
		switch {
		case slices.Contains(p.WeakAreas, a):
			say(FactorWeakArea, a, "reason.weak_area", i18n.Term("area", a), i18n.Term("level", p.severity(a)))
		case slices.Contains(p.NeedAreas, a):
			say(FactorWeakArea, a, "reason.need_area", i18n.Term("area", a), i18n.Value(s.parts[s.areaPart[a]].Text))
		}
	}
	if f[FactorNeed] >= sayNeed && pk.part >= 0 {
		s.sayNeed(say, pk.part, needWords)
	}
	switch {
	case moved && byCoverage:
		say(FactorOrder, FactorCoverage, "reason.order.part", i18n.Value(pk.part+1))
	case moved:
		say(FactorOrder, "diversity", "reason.order.diversity")
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
	if f[FactorSize] == 1 { // within the practice's band: nothing else is "your size"
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

// sayNeed says which part of the need a practice answers, with the words it matched.
func (s *scorer) sayNeed(say func(factor, value, key string, args ...i18n.Arg), part int, words []string) {
	pt := s.parts[part]
	key, args := "reason.need", []i18n.Arg{i18n.Value(pt.Text)}
	switch {
	case pt.From == fromWhole:
	case pt.From != fromNeed:
		key, args = "reason.need.kept", append(args, i18n.Term("read.field", pt.From))
	case s.needParts() > 1:
		key, args = "reason.need.part", []i18n.Arg{i18n.Value(part + 1), i18n.Value(pt.Text)}
	}
	if len(words) > 0 {
		key, args = key+".words", append(args, i18n.Value(strings.Join(words, ", ")))
	}
	say(FactorNeed, pt.Text, key, args...)
}

// SayIn writes every reading, reason, gap, transferability note and peer city's reason
// of the result in lang.
func (r *Result) SayIn(cat *i18n.Catalog, lang string) {
	for i := range r.Understood {
		r.Understood[i].Text = cat.Say(lang, r.Understood[i].Says)
	}
	for i := range r.Recommendations {
		rec := &r.Recommendations[i]
		for _, rs := range [][]Reason{rec.Reasons, rec.Missing} {
			for j := range rs {
				rs[j].Text = cat.Say(lang, rs[j].Says)
			}
		}
		t := &rec.Transfer
		t.Text = make([]string, len(t.Says))
		for j, say := range t.Says {
			t.Text[j] = cat.Say(lang, say)
		}
		for j := range t.Needs {
			t.Needs[j].Text = cat.Say(lang, t.Needs[j].Says)
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
