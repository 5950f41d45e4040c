package recommend

import (
	"slices"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Kinds of what a practice needs to be transferred, as the OECD's toolkit for adopting
// other cities' ideas and the Eltis transferability checklist group them.
const (
	KindSkills         = "skills"
	KindInfrastructure = "infrastructure"
	KindPartners       = "partners"
	KindBudget         = "budget"
)

// fundingConcept is the thesaurus concept of grants, seed capital and subsidies: a
// practice whose text names it needs a budget of its own (the Resilient Córdoba prizes),
// which no prerequisite says. How much the study rarely states, and no profile tells
// what a city can spend: it counts as a moderately hard need the city lacks.
const fundingConcept = "funding"

// Levels of cost, complexity and of how hard a resource is to get.
const (
	levelLow    = "low"
	levelMedium = "medium"
	levelHigh   = "high"
)

var levelWeight = map[string]float64{levelLow: 1, levelMedium: 2, levelHigh: 3}

// Where a practice's cost and complexity come from.
const (
	FromStudy         = "study"         // its front matter, set where its own text supports it
	FromPrerequisites = "prerequisites" // estimated from what it needs
)

// ResourceTraits say, for each resource a practice may need, what kind of need it is and
// how hard a city that lacks it finds getting it. The study gives no such figures: these
// are the knowledge base's estimates, each with its reason, and the README says so.
var ResourceTraits = map[string]struct{ Kind, Difficulty, Why string }{
	"municipal-wifi":     {KindInfrastructure, levelHigh, "a network of access points to install and run across districts"},
	"broadband":          {KindInfrastructure, levelHigh, "fixed networks are built by operators over years"},
	"4g":                 {KindInfrastructure, levelHigh, "mobile coverage depends on operators and national licences"},
	"iot-network":        {KindInfrastructure, levelHigh, "sensors to buy, install, connect and maintain"},
	"open-data-portal":   {KindInfrastructure, levelMedium, "off-the-shelf portals exist; the data must be prepared"},
	"gis":                {KindSkills, levelMedium, "GIS software is common; mapping the city's data takes trained staff"},
	"e-administration":   {KindInfrastructure, levelHigh, "digitising procedures changes the whole administration, often its rules too"},
	"digital-identity":   {KindInfrastructure, levelHigh, "an identity system needs a legal basis and enrolment of the public"},
	"public-computers":   {KindInfrastructure, levelLow, "equipment placed in existing public buildings"},
	"digital-assistance": {KindSkills, levelLow, "staff who guide the public, trained in weeks"},
	"mobile-app":         {KindSkills, levelMedium, "a team or a supplier to build the app and keep it running"},
	"data-platform":      {KindInfrastructure, levelMedium, "a platform to procure or build, fed by the services' data"},
	"bi-tools":           {KindSkills, levelLow, "common business intelligence tools and staff who use them"},
	"ai-capability":      {KindSkills, levelHigh, "scarce specialist skills and good data to train on"},
	"video-analytics":    {KindInfrastructure, levelHigh, "cameras and analysis software, with their privacy rules"},
	"drones":             {KindInfrastructure, levelMedium, "equipment, trained pilots and flight permits"},
	"cloud-hosting":      {KindInfrastructure, levelMedium, "hosting bought as a service, or shared by a higher tier of government"},
	"fab-lab":            {KindInfrastructure, levelMedium, "a workshop with 3D printers and people who run it"},
	"video-conferencing": {KindInfrastructure, levelLow, "common tools, widely available"},
	"sms-gateway":        {KindInfrastructure, levelLow, "a service bought from a telecom provider"},
	"card-payments":      {KindPartners, levelMedium, "banks and shops that take part"},
	"civic-centres":      {KindInfrastructure, levelHigh, "buildings in the neighbourhoods, with staff"},
	"partner-network":    {KindPartners, levelMedium, "agreements with companies or civil society, built over time"},
}

// NeedOf is one thing a practice needs, whether the city has it, and how hard it is to
// get: a resource of its prerequisites, or a budget its text names.
type NeedOf struct {
	Kind       string    `json:"kind"`
	Resource   string    `json:"resource,omitempty"`
	Have       bool      `json:"have"`
	Difficulty string    `json:"difficulty"`
	Says       i18n.Text `json:"says"`
	Text       string    `json:"text"`
}

// Transfer is what transferring a practice to the city takes: its cost and complexity,
// what it needs and what of that the city has, and the effort of getting the rest.
type Transfer struct {
	Cost           string      `json:"cost"`
	CostFrom       string      `json:"cost_from"`
	Complexity     string      `json:"complexity"`
	ComplexityFrom string      `json:"complexity_from"`
	Needs          []NeedOf    `json:"needs"`
	Effort         string      `json:"effort"` // the hardest missing need's difficulty, "none" when nothing is missing
	Says           []i18n.Text `json:"says"`
	Text           []string    `json:"text"`
}

// transfer works out what transferring pr takes for a city with these resources;
// budget says its text names funding.
func transfer(pr *practices.Practice, have []string, budget bool) Transfer {
	t := Transfer{Effort: "none", Needs: []NeedOf{}}
	points, infra := 0.0, 0.0
	for _, r := range pr.Prerequisites {
		tr := ResourceTraits[r]
		n := NeedOf{Kind: tr.Kind, Resource: r, Have: slices.Contains(have, r), Difficulty: tr.Difficulty}
		if n.Have {
			n.Says = i18n.Say("transfer.need.have", i18n.Term("transfer.kind", n.Kind), i18n.Term("resource", r))
		} else {
			n.Says = i18n.Say("transfer.need.lack", i18n.Term("transfer.kind", n.Kind), i18n.Term("resource", r), i18n.Term("transfer.difficulty", n.Difficulty))
			if t.Effort == "none" || levelWeight[n.Difficulty] > levelWeight[t.Effort] {
				t.Effort = n.Difficulty
			}
		}
		points += levelWeight[tr.Difficulty]
		if tr.Kind == KindInfrastructure {
			infra += levelWeight[tr.Difficulty]
		}
		t.Needs = append(t.Needs, n)
	}
	if budget {
		n := NeedOf{Kind: KindBudget, Difficulty: levelMedium, Says: i18n.Say("transfer.need.budget", i18n.Term("transfer.difficulty", levelMedium))}
		t.Needs = append(t.Needs, n)
		points += levelWeight[n.Difficulty]
		infra += levelWeight[n.Difficulty]
		if t.Effort == "none" || levelWeight[n.Difficulty] > levelWeight[t.Effort] {
			t.Effort = n.Difficulty
		}
	}
	// Estimated: cost from the infrastructure and budget it needs, complexity from all it needs,
	// each need weighted by how hard it is to get (1 easy, 2 moderately hard, 3 hard):
	// nothing is low, one hard need or two moderate ones medium, more high.
	t.Cost, t.CostFrom = estimate(infra), FromPrerequisites
	t.Complexity, t.ComplexityFrom = estimate(points), FromPrerequisites
	if pr.Cost != "" {
		t.Cost, t.CostFrom = pr.Cost, FromStudy
	}
	if pr.Complexity != "" {
		t.Complexity, t.ComplexityFrom = pr.Complexity, FromStudy
	}
	t.Says = []i18n.Text{
		i18n.Say("transfer.cost."+t.CostFrom, i18n.Term("transfer.costlevel", t.Cost)),
		i18n.Say("transfer.complexity."+t.ComplexityFrom, i18n.Term("transfer.complexitylevel", t.Complexity)),
	}
	if t.Effort == "none" {
		t.Says = append(t.Says, i18n.Say("transfer.effort.none"))
	} else {
		t.Says = append(t.Says, i18n.Say("transfer.effort", i18n.Term("transfer.difficulty", t.Effort)))
	}
	return t
}

func estimate(points float64) string {
	switch {
	case points > 4:
		return levelHigh
	case points > 0:
		return levelMedium
	}
	return levelLow
}

// feasibility is the share of what a practice needs that the city has, each need
// weighted by how hard it is to get, smoothed so that one hard need lacking halves it
// rather than ruling the practice out; a practice that needs nothing scores 1.
func feasibility(t Transfer) float64 {
	const smooth = 3.0
	all, have := smooth, smooth
	for _, n := range t.Needs {
		all += levelWeight[n.Difficulty]
		if n.Have {
			have += levelWeight[n.Difficulty]
		}
	}
	return have / all
}
