package recommend

import (
	"slices"
	"strings"
	"unicode"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Factor names.
const (
	FactorWeakArea      = "weak_area"
	FactorNeed          = "need"
	FactorCoverage      = "coverage"
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

// FactorOrder names the reason a practice stands above others that score higher on
// their own: it answers a part of the need nothing above answers, or brings variety.
const FactorOrder = "order"

// Weights is the one table of factor weights. Each factor is normalised to 0..1; a
// practice's score is the weighted mean over the factors that apply to the profile (weak
// areas, need, coverage, groups and crises only when the profile gives them), less the
// diversity penalty of the list it is in.
var Weights = []struct {
	Factor string
	Weight float64
	What   string
}{
	{FactorWeakArea, 0.18, "need fit: addresses a weak area, by its severity"},
	{FactorNeed, 0.23, "need fit: matches a part of the need through the search engine (concepts and languages included), the best part counting"},
	{FactorCoverage, 0.11, "need fit, in a list: the best answer to a part of a need of several parts that nothing above it answers"},
	{FactorGroups, 0.04, "need fit: serves the priority groups"},
	{FactorCrises, 0.03, "need fit: prepares for the crisis types"},
	{FactorSize, 0.04, "context: population, 1 within the practice's size band, falling with the distance to it on a log scale"},
	{FactorRegion, 0.03, "context: same world region"},
	{FactorCountry, 0.02, "context: same country"},
	{FactorLanguage, 0.02, "context: a shared language"},
	{FactorPrerequisites, 0.10, "feasibility: what the practice needs that the city has, each need weighted by how hard it is to get"},
	{FactorScale, 0.06, "feasibility: not from a much larger city than this one"},
	{FactorEvidence, 0.14, "evidence: operational over pilot over planned, results reported with figures"},
}

// diversityPenalty is taken from a practice's score for each unit of likeness to the
// most alike practice above it in the list (likeness 0..1).
const diversityPenalty = 0.15

// applies reports whether a factor counts for this profile.
func (s *scorer) applies(factor string) bool {
	p := s.profile
	switch factor {
	case FactorWeakArea:
		return len(p.WeakAreas)+len(p.NeedAreas) > 0
	case FactorNeed:
		return len(s.parts) > 0
	case FactorCoverage:
		return s.needParts() > 1
	case FactorGroups:
		return len(p.PriorityGroups) > 0
	case FactorCrises:
		return len(p.Crises) > 0
	}
	return true
}

// scorer computes the factors of practices for one profile.
type scorer struct {
	profile *Profile
	geo     *practices.Geography
	parts   []Part
	// partScore[j] maps a practice id to its match with part j, 0..1 of the best match.
	partScore []map[string]float64
	// areaPart maps an area of Profile.NeedAreas to the part of the need it was read from.
	areaPart map[string]int
}

// readNeedAreas adds to the profile the area each part of the need is about, when the
// concepts it names stand for one area only and that area is not among the weak areas
// given ("independent restaurants lost customers": hospitality, economy).
func (s *scorer) readNeedAreas(rd *reader) []Reading {
	p := s.profile
	s.areaPart = map[string]int{}
	var out []Reading
	for j, part := range s.parts {
		if part.From != fromNeed {
			continue
		}
		areas := rd.conceptTerms(wordFields[0], part.Text)
		if len(areas) != 1 || slices.Contains(p.WeakAreas, areas[0]) || slices.Contains(p.NeedAreas, areas[0]) {
			continue
		}
		p.NeedAreas = append(p.NeedAreas, areas[0])
		s.areaPart[areas[0]] = j
		out = append(out, Reading{Field: fromNeed, Written: part.Text, Term: areas[0],
			Says: i18n.Say("read.need_area", i18n.Value(part.Text), i18n.Term("area", areas[0]))})
	}
	return out
}

// needParts counts the parts that come from the need text itself.
func (s *scorer) needParts() int {
	n := 0
	for _, p := range s.parts {
		if p.From == fromNeed {
			n++
		}
	}
	return n
}

// keptWeight is how much a part kept from another field (a priority group or a resource
// no term says) counts beside a part of the need itself.
const keptWeight = 0.6

// need returns a practice's need match and the part it answers best (-1 for none): a
// part it matches well enough to say so before the need as a whole, which only counts
// when no part does.
func (s *scorer) need(id string) (float64, int) {
	best, part, whole := 0.0, -1, 0.0
	for j, scores := range s.partScore {
		v := scores[id]
		switch s.parts[j].From {
		case fromWhole:
			whole = v
			continue
		case fromNeed:
		default:
			v *= keptWeight
		}
		if v > best {
			best, part = v, j
		}
	}
	if whole > best {
		if best < sayNeed {
			part = len(s.parts) - 1 // the whole, last
		}
		best = whole
	}
	return best, part
}

// factors returns each factor's value for a practice, coverage aside (it depends on the
// list: see pick).
func (s *scorer) factors(pr *practices.Practice, t Transfer) map[string]float64 {
	p := s.profile
	f := map[string]float64{}
	weak := append(slices.Clone(p.WeakAreas), p.NeedAreas...)
	matched, best := 0, 0.0
	for _, a := range pr.Areas {
		if slices.Contains(weak, a) {
			matched++
			best = max(best, severityWeight[p.severity(a)])
		}
	}
	if matched > 0 {
		// The most severe weak area addressed counts most; addressing several adds a little.
		f[FactorWeakArea] = best * (0.85 + 0.15*float64(matched)/float64(len(weak)))
	}
	f[FactorNeed], _ = s.need(pr.ID)
	f[FactorGroups] = share(p.PriorityGroups, pr.TargetGroups)
	f[FactorCrises] = share(p.Crises, pr.Crises)
	f[FactorSize] = bandSimilarity(p.Population, pr.PopulationBand)
	if pr.Region == p.Region {
		f[FactorRegion] = 1
	}
	if pr.Country == p.Country {
		f[FactorCountry] = 1
	}
	if pr.Country == p.Country || s.geo.ShareLanguage(pr.Country, p.Country) != "" {
		f[FactorLanguage] = 1
	}
	f[FactorPrerequisites] = feasibility(t)
	f[FactorScale] = scaleFit(bandIndex(pr.PopulationBand), bandIndex(p.PopulationBand))
	f[FactorEvidence] = evidence(pr)
	return f
}

// total is the weighted mean of the applicable factors.
func (s *scorer) total(f map[string]float64) float64 {
	var sum, weights float64
	for _, w := range Weights {
		if s.applies(w.Factor) {
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

var statusEvidence = map[string]float64{"operational": 1, "pilot": 0.6, "planned": 0, "": 0.5}

// evidence rates how proven a practice is: its status, and results given with figures.
// What a planned practice reports (a budget, a prize) is no result yet.
func evidence(pr *practices.Practice) float64 {
	e := 0.6 * statusEvidence[pr.Status]
	if pr.Status != "planned" && figureResult(pr) != "" {
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
