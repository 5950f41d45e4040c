package recommend

import (
	"slices"
	"strings"
	"unicode"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Factor names.
const (
	FactorWeakArea      = "weak_area"
	FactorNeed          = "need"
	FactorGroups        = "groups"
	FactorCrises        = "crises"
	FactorSize          = "size"
	FactorRegion        = "region"
	FactorCountry       = "country"
	FactorLanguage      = "language"
	FactorPrerequisites = "prerequisites"
	FactorScale         = "scale"
	FactorEvidence      = "evidence"
)

// Weights is the one table of factor weights. Each factor is normalised to 0..1; a
// practice's score is the weighted mean over the factors that apply to the profile (need,
// groups and crises only when the profile gives them).
var Weights = []struct {
	Factor string
	Weight float64
	What   string
}{
	{FactorWeakArea, 0.26, "need fit: addresses a weak area, by its severity"},
	{FactorNeed, 0.22, "need fit: matches the need text through the search engine (concepts and languages included)"},
	{FactorGroups, 0.05, "need fit: serves the priority groups"},
	{FactorCrises, 0.04, "need fit: prepares for the crisis types"},
	{FactorSize, 0.08, "context: population on a log scale"},
	{FactorRegion, 0.05, "context: same world region"},
	{FactorCountry, 0.03, "context: same country"},
	{FactorLanguage, 0.02, "context: a shared language"},
	{FactorPrerequisites, 0.12, "feasibility: share of the practice's prerequisites the city has"},
	{FactorScale, 0.08, "feasibility: not from a much larger city than this one"},
	{FactorEvidence, 0.05, "evidence: operational over pilot, results reported with figures"},
}

// applies reports whether a factor counts for this profile.
func applies(factor string, p *Profile) bool {
	switch factor {
	case FactorNeed:
		return p.Need != ""
	case FactorGroups:
		return len(p.PriorityGroups) > 0
	case FactorCrises:
		return len(p.Crises) > 0
	}
	return true
}

// scorer computes the factors of practices for one profile.
type scorer struct {
	profile   *Profile
	geo       *practices.Geography
	needScore map[string]float64 // practice id → need match, 0..1
}

// factors returns each factor's value for a practice.
func (s *scorer) factors(pr *practices.Practice) map[string]float64 {
	p := s.profile
	f := map[string]float64{}
	matched, best := 0, 0.0
	for _, a := range pr.Areas {
		if slices.Contains(p.WeakAreas, a) {
			matched++
			best = max(best, severityWeight[p.severity(a)])
		}
	}
	if matched > 0 {
		// The most severe weak area addressed counts most; addressing several adds a little.
		f[FactorWeakArea] = best * (0.85 + 0.15*float64(matched)/float64(len(p.WeakAreas)))
	}
	f[FactorNeed] = s.needScore[pr.ID]
	f[FactorGroups] = share(p.PriorityGroups, pr.TargetGroups)
	f[FactorCrises] = share(p.Crises, pr.Crises)
	f[FactorSize] = sizeSimilarity(p.Population, bandMidpoint(pr.PopulationBand))
	if pr.Region == p.Region {
		f[FactorRegion] = 1
	}
	if pr.Country == p.Country {
		f[FactorCountry] = 1
	}
	if pr.Country == p.Country || s.geo.ShareLanguage(pr.Country, p.Country) != "" {
		f[FactorLanguage] = 1
	}
	f[FactorPrerequisites] = 1
	if len(pr.Prerequisites) > 0 {
		f[FactorPrerequisites] = share(pr.Prerequisites, p.Resources)
	}
	f[FactorScale] = scaleFit(bandIndex(pr.PopulationBand), bandIndex(p.PopulationBand))
	f[FactorEvidence] = evidence(pr)
	return f
}

// total is the weighted mean of the applicable factors.
func (s *scorer) total(f map[string]float64) float64 {
	var sum, weights float64
	for _, w := range Weights {
		if applies(w.Factor, s.profile) {
			sum += w.Weight * f[w.Factor]
			weights += w.Weight
		}
	}
	if weights == 0 {
		return 0
	}
	return sum / weights
}

// share is the part of want found in have (1 when nothing is wanted).
func share(want, have []string) float64 {
	if len(want) == 0 {
		return 0
	}
	n := 0
	for _, w := range want {
		if slices.Contains(have, w) {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// scaleFit is 1 for a practice from a city no larger than this one and falls with each
// band it is larger: a village should not get a megacity's platform first.
func scaleFit(practiceBand, cityBand int) float64 {
	if practiceBand < 0 || cityBand < 0 {
		return 0.5
	}
	switch d := practiceBand - cityBand; {
	case d <= 0:
		return 1
	case d == 1:
		return 0.6
	case d == 2:
		return 0.25
	default:
		return 0
	}
}

var statusEvidence = map[string]float64{"operational": 1, "pilot": 0.6, "planned": 0.3, "": 0.5}

// evidence rates how proven a practice is: its status, and results given with figures.
func evidence(pr *practices.Practice) float64 {
	e := 0.6 * statusEvidence[pr.Status]
	if figureResult(pr) != "" {
		e += 0.4
	}
	return e
}

// figureResult returns the first reported result that carries a figure.
func figureResult(pr *practices.Practice) string {
	for _, r := range pr.Results {
		if strings.IndexFunc(r, unicode.IsDigit) >= 0 {
			return r
		}
	}
	return ""
}
