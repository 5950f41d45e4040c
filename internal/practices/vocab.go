package practices

// The controlled vocabularies of the knowledge base, with the English label each term is
// shown with. They come from the Smart Cities Study 2021: its seven areas of governance,
// its four crisis types, the population bands of its table of participating cities, the
// vulnerable groups it names, and the digital resources it lists cities as having.

// Term is one entry of a vocabulary.
type Term struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Vocabulary is an ordered list of terms.
type Vocabulary []Term

// Has reports whether id is a term of v.
func (v Vocabulary) Has(id string) bool {
	for _, t := range v {
		if t.ID == id {
			return true
		}
	}
	return false
}

// Label returns the label of id, or id itself when v does not have it.
func (v Vocabulary) Label(id string) string {
	for _, t := range v {
		if t.ID == id {
			return t.Label
		}
	}
	return id
}

// IDs lists the term ids in order.
func (v Vocabulary) IDs() []string {
	ids := make([]string, len(v))
	for i, t := range v {
		ids[i] = t.ID
	}
	return ids
}

// Areas are the study's areas of governance (six areas plus the cross-cutting use of data).
var Areas = Vocabulary{
	{"mobility", "Mobility and transport"},
	{"public-services", "Public services"},
	{"institutional-operations", "Institutional operations"},
	{"citizen-participation", "Relations with citizens and public participation"},
	{"economy", "Economy"},
	{"education", "Education and training"},
	{"data", "Use and analysis of data"},
}

// Crises are the crisis types the study asks cities to prepare for.
var Crises = Vocabulary{
	{"health", "Health crisis"},
	{"climate", "Climate / environmental crisis"},
	{"social-demographic", "Social-demographic crisis"},
	{"economic", "Economic crisis"},
}

// PopulationBands are the bands of the study's table of participating cities.
var PopulationBands = Vocabulary{
	{"<50k", "fewer than 50,000 inhabitants"},
	{"50k-100k", "50,000 to 100,000 inhabitants"},
	{"100k-1M", "100,000 to 1,000,000 inhabitants"},
	{">1M", "more than 1,000,000 inhabitants"},
}

// TargetGroups are the groups a practice serves: first the vulnerable groups the study
// says should receive support, then the other audiences its practices name.
var TargetGroups = Vocabulary{
	{"rural", "rural and outlying communities"},
	{"low-income", "socially and economically marginalised communities"},
	{"limited-education-access", "communities with limited access to education"},
	{"students", "students and the education sector"},
	{"elderly", "the elderly"},
	{"dependent", "the dependent population"},
	{"immigrants", "immigrants"},
	{"trade-workers", "workers from the trade and services sector"},
	{"families", "families"},
	{"patients", "patients"},
	{"smes", "small and medium-sized businesses"},
	{"entrepreneurs", "entrepreneurs"},
	{"municipal-staff", "municipal staff"},
	{"municipalities", "other municipalities"},
	{"visitors", "visitors and tourists"},
	{"general-public", "the general public"},
}

// Resources are what a city may already have in place; practices list the ones they need
// as prerequisites and city profiles list the ones they have.
var Resources = Vocabulary{
	{"municipal-wifi", "municipal WiFi and free internet access points"},
	{"broadband", "broadband and fibre optic internet"},
	{"4g", "4G coverage"},
	{"iot-network", "a network of connected IoT sensors"},
	{"open-data-portal", "an open data portal"},
	{"gis", "a GIS (geographic information system)"},
	{"e-administration", "an e-administration platform"},
	{"digital-identity", "a digital identity system"},
	{"public-computers", "computer equipment for public use"},
	{"digital-assistance", "public guidance and digital assistance services"},
	{"mobile-app", "the capacity to build and run a mobile app"},
	{"data-platform", "a data platform with analysis tools"},
	{"bi-tools", "business intelligence tools"},
	{"ai-capability", "artificial intelligence skills and tools"},
	{"video-analytics", "cameras with video analysis"},
	{"drones", "drones"},
	{"cloud-hosting", "data centres or cloud hosting"},
	{"fab-lab", "public fab labs with 3D printers"},
	{"video-conferencing", "video-conference tools"},
	{"sms-gateway", "an SMS gateway"},
	{"card-payments", "electronic card payments"},
	{"civic-centres", "civic centres"},
	{"partner-network", "partners in the private sector or civil society"},
}

// Levels is the study's scale (of digitalisation before COVID-19, of impact), used for
// how severe a city's weakness in an area is.
var Levels = Vocabulary{
	{"very-low", "very low"},
	{"low", "low"},
	{"medium", "medium"},
	{"high", "high"},
	{"very-high", "very high"},
}

// Statuses describe how far a practice has gone.
var Statuses = Vocabulary{
	{"planned", "planned"},
	{"pilot", "pilot"},
	{"operational", "operational"},
}

// TransferLevels rate what adopting a practice costs and how complex it is.
var TransferLevels = Vocabulary{
	{"low", "low"},
	{"medium", "medium"},
	{"high", "high"},
}

// Languages are those the knowledge base analyses text in.
var Languages = Vocabulary{
	{"en", "English"},
	{"es", "Español"},
	{"fr", "Français"},
	{"pt", "Português"},
}
