package recommend

import (
	"context"
	"math"
	"slices"
	"sort"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Searcher is what the recommender needs from the index.
type Searcher interface {
	Search(ctx context.Context, req index.Request) (*index.Result, error)
	Candidates(ctx context.Context, r index.CandidateRequest) ([]string, error)
}

// Getter reads practices from the store.
type Getter interface {
	Get(ctx context.Context, id string) (*practices.Practice, error)
}

// Tuning of the two stages.
const (
	areaCandidates = 300            // practices in the weak areas, pre-ranked by context in the index
	needCandidates = index.MaxLimit // practices matching the need text
	minNeedOnly    = 0.25           // a practice outside the weak areas must match the need at least this well
	mmrLambda      = 0.7            // relevance against diversity in the final pick
)

// Recommender scores practices for city profiles.
type Recommender struct {
	index Searcher
	store Getter
	geo   *practices.Geography
}

// New returns a recommender over an index and a store.
func New(ix Searcher, store Getter, geo *practices.Geography) *Recommender {
	return &Recommender{index: ix, store: store, geo: geo}
}

// PracticeSummary is the part of a practice a recommendation shows.
type PracticeSummary struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	City           string   `json:"city"`
	Country        string   `json:"country"`
	Region         string   `json:"region"`
	PopulationBand string   `json:"population_band,omitempty"`
	Areas          []string `json:"areas"`
	Status         string   `json:"status,omitempty"`
	Summary        string   `json:"summary"`
}

// Recommendation is one practice worth transferring, with its score, the factors it was
// computed from, and the reasons and gaps they imply.
type Recommendation struct {
	Practice PracticeSummary    `json:"practice"`
	Score    float64            `json:"score"`
	Factors  map[string]float64 `json:"factors"`
	Reasons  []Reason           `json:"reasons"`
	Missing  []Reason           `json:"missing"`
}

// Result is the answer to a profile.
type Result struct {
	Profile         Profile          `json:"profile"`
	Recommendations []Recommendation `json:"recommendations"`
	PeerCities      []PeerCity       `json:"peer_cities"`
}

type scored struct {
	p       *practices.Practice
	factors map[string]float64
	score   float64
}

// Recommend answers a profile.
func (r *Recommender) Recommend(ctx context.Context, profile Profile) (*Result, error) {
	if err := profile.Resolve(r.geo); err != nil {
		return nil, err
	}
	s := &scorer{profile: &profile, geo: r.geo, needScore: map[string]float64{}}
	ids, err := r.candidates(ctx, s)
	if err != nil {
		return nil, err
	}
	var all []scored
	for _, id := range ids {
		p, err := r.store.Get(ctx, id)
		if apperr.Code(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		f := s.factors(p)
		if f[FactorWeakArea] == 0 && f[FactorNeed] < minNeedOnly {
			continue
		}
		all = append(all, scored{p: p, factors: f, score: s.total(f)})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].p.ID < all[j].p.ID
	})
	picked := diversify(all, profile.Limit)
	needWords, err := r.needWords(ctx, profile.Need, picked)
	if err != nil {
		return nil, err
	}
	out := &Result{Profile: profile, Recommendations: make([]Recommendation, 0, len(picked))}
	for _, sc := range picked {
		reasons, missing := s.reasons(sc.p, sc.factors, needWords[sc.p.ID])
		out.Recommendations = append(out.Recommendations, Recommendation{
			Practice: summarize(sc.p), Score: round3(sc.score), Factors: roundAll(sc.factors),
			Reasons: reasons, Missing: missing,
		})
	}
	out.PeerCities = r.peerCities(&profile, all)
	return out, nil
}

// candidates gathers the practices worth scoring: those in the weak areas that best share
// the city's context, and those that best match its need, with need scores normalised to
// the best match.
func (r *Recommender) candidates(ctx context.Context, s *scorer) ([]string, error) {
	p := s.profile
	ids, err := r.index.Candidates(ctx, index.CandidateRequest{
		Areas: p.WeakAreas, Region: p.Region, Country: p.Country, Band: p.PopulationBand, Limit: areaCandidates,
	})
	if err != nil {
		return nil, err
	}
	if p.Need == "" {
		return ids, nil
	}
	res, err := r.index.Search(ctx, index.Request{Query: p.Need, Limit: needCandidates, HitsOnly: true})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for _, h := range res.Hits {
		s.needScore[h.ID] = h.Score / res.Hits[0].Score
		if !seen[h.ID] {
			ids = append(ids, h.ID)
		}
	}
	return ids, nil
}

// needWords asks the index why each picked practice matched the need, in the words of
// the practice, for the reasons.
func (r *Recommender) needWords(ctx context.Context, need string, picked []scored) (map[string][]string, error) {
	out := map[string][]string{}
	if need == "" || len(picked) == 0 {
		return out, nil
	}
	ids := make([]string, len(picked))
	for i, sc := range picked {
		ids[i] = sc.p.ID
	}
	res, err := r.index.Search(ctx, index.Request{Query: need, IDs: ids, Limit: len(ids), Explain: true})
	if err != nil {
		return nil, err
	}
	for _, h := range res.Hits {
		for _, why := range h.Explain {
			for _, m := range why.Matched {
				if len(out[h.ID]) < 4 && !slices.Contains(out[h.ID], m) {
					out[h.ID] = append(out[h.ID], m)
				}
			}
		}
	}
	return out, nil
}

// diversify picks n practices by maximal marginal relevance: each next pick trades its
// score against its likeness to those already picked, so the top is not ten variants of
// one idea unless nothing else fits.
func diversify(all []scored, n int) []scored {
	pool := all
	if len(pool) > 4*n {
		pool = pool[:4*n]
	}
	var picked []scored
	used := make([]bool, len(pool))
	for len(picked) < n && len(picked) < len(pool) {
		best, bestVal := -1, math.Inf(-1)
		for i, c := range pool {
			if used[i] {
				continue
			}
			sim := 0.0
			for _, p := range picked {
				sim = max(sim, likeness(c.p, p.p))
			}
			if v := mmrLambda*c.score - (1-mmrLambda)*sim; v > bestVal {
				best, bestVal = i, v
			}
		}
		used[best] = true
		picked = append(picked, pool[best])
	}
	return picked
}

// likeness of two practices: the overlap of their areas and tags, more when from the
// same city.
func likeness(a, b *practices.Practice) float64 {
	set := func(p *practices.Practice) map[string]bool {
		m := map[string]bool{}
		for _, x := range p.Areas {
			m["a:"+x] = true
		}
		for _, x := range p.Tags {
			m["t:"+x] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	inter, union := 0, len(sb)
	for k := range sa {
		if sb[k] {
			inter++
		} else {
			union++
		}
	}
	j := 0.0
	if union > 0 {
		j = float64(inter) / float64(union)
	}
	if a.City == b.City && a.Country == b.Country {
		j = min(1, j+0.3)
	}
	return j
}

func summarize(p *practices.Practice) PracticeSummary {
	return PracticeSummary{ID: p.ID, Title: p.Title, City: p.City, Country: p.Country, Region: p.Region,
		PopulationBand: p.PopulationBand, Areas: p.Areas, Status: p.Status, Summary: p.Summary}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func roundAll(f map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(f))
	for k, v := range f {
		out[k] = round3(v)
	}
	return out
}
