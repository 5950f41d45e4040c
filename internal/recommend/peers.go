package recommend

import (
	"sort"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// PeerCity is a city of the corpus like the profile's, with what it did in the weak areas.
type PeerCity struct {
	Name           string        `json:"name"`
	Country        string        `json:"country"`
	Region         string        `json:"region"`
	PopulationBand string        `json:"population_band"`
	Similarity     float64       `json:"similarity"`
	Says           []i18n.Text   `json:"says"`
	Reasons        []string      `json:"reasons"` // Says in one language, once said (Result.SayIn)
	Practices      []PracticeRef `json:"practices"`
}

// PracticeRef names a practice.
type PracticeRef struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Areas []string `json:"areas"`
}

const maxPeers = 5

// peerCities ranks the known cities by likeness to the profile (size, region, country,
// language) and keeps those with practices in the weak areas among the candidates.
func (r *Recommender) peerCities(p *Profile, candidates []scored) []PeerCity {
	byCity := map[string][]PracticeRef{}
	for _, c := range candidates {
		if c.factors[FactorWeakArea] == 0 {
			continue
		}
		key := practices.Fold(c.p.City) + "|" + c.p.Country
		byCity[key] = append(byCity[key], PracticeRef{ID: c.p.ID, Title: c.p.Title, Areas: c.p.Areas})
	}
	var peers []PeerCity
	for _, c := range r.geo.Cities() {
		if practices.Fold(c.Name) == practices.Fold(p.City) && c.Country == p.Country {
			continue // the city itself
		}
		done := byCity[practices.Fold(c.Name)+"|"+c.Country]
		if len(done) == 0 {
			continue
		}
		size := bandSimilarity(p.Population, c.PopulationBand)
		peer := PeerCity{Name: c.Name, Country: c.Country, Region: c.Region, PopulationBand: c.PopulationBand, Practices: done}
		sim := 0.45 * size
		if size == 1 { // in the profile's own band
			peer.Says = append(peer.Says, i18n.Say("peer.size", i18n.Term("population_band", c.PopulationBand)))
		}
		if c.Country == p.Country {
			sim += 0.4
			peer.Says = append(peer.Says, i18n.Say("peer.country"))
		} else if c.Region == p.Region {
			sim += 0.25
			peer.Says = append(peer.Says, i18n.Say("peer.region"))
		}
		if lang := r.geo.ShareLanguage(c.Country, p.Country); lang != "" {
			sim += 0.15
			peer.Says = append(peer.Says, i18n.Say("peer.language", i18n.Term(i18n.LanguageTerm, lang)))
		}
		peer.Similarity = round3(sim)
		peers = append(peers, peer)
	}
	sort.SliceStable(peers, func(i, j int) bool {
		if peers[i].Similarity != peers[j].Similarity {
			return peers[i].Similarity > peers[j].Similarity
		}
		return len(peers[i].Practices) > len(peers[j].Practices)
	})
	if len(peers) > maxPeers {
		peers = peers[:maxPeers]
	}
	if peers == nil {
		peers = []PeerCity{}
	}
	return peers
}
