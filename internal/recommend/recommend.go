// Package recommend answers "which practices should my city look at first?": it scores
// practices for a city profile on explicit factors weighted in one table, and says why.
package recommend

// The profile is written in the vocabularies or in free words. The list covers each part
// of the need before repeating one and is kept diverse; it says why from the same numbers
// that scored, and what transferring each practice would take.

import (
	"context"
	"maps"
	"math"
	"slices"
	"sort"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// Searcher is what the recommender needs from the index: candidates, the search of each
// part of the need, and the thesaurus to read a profile's words.
type Searcher interface {
	Search(ctx context.Context, req search.Request) (*search.Result, error)
	Candidates(ctx context.Context, r search.CandidateRequest) ([]string, error)
	NamingConcept(ctx context.Context, concept string, ids []string) (map[string]bool, error)
	Concepts
}

// Getter reads practices from the store.
type Getter interface {
	Get(ctx context.Context, id string) (*practices.Practice, error)
}

// Tuning of the two stages.
const (
	areaCandidates = 300             // practices in the weak areas, pre-ranked by context in the index
	needCandidates = search.MaxLimit // practices matching each part of the need
	minNeedOnly    = 0.5             // a practice outside the weak areas must match the need at least this well
	answerMin      = 0.5             // a practice covers the part it matches best at least this well
	poolPerLimit   = 4               // the list is picked from this many times its length, best first
	poolPerPart    = 3               // and from the best few answers of each part
)

// Recommender scores practices for city profiles.
type Recommender struct {
	index Searcher
	store Getter
	geo   *practices.Geography
	words *reader
}

// New returns a recommender over an index and a store.
func New(ix Searcher, store Getter, geo *practices.Geography) *Recommender {
	return &Recommender{index: ix, store: store, geo: geo, words: newReader(ix)}
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
	Lang           string   `json:"lang"` // of the title and summary
}

// Recommendation is one practice worth transferring: its score, the factors it was
// computed from, the part of the need it answers, the reasons and gaps the factors imply,
// and what transferring it takes.
type Recommendation struct {
	Practice PracticeSummary `json:"practice"`
	// Score orders the list: the weighted mean of the factors, coverage included, less the
	// diversity penalty. Each score is at most the one above it.
	Score float64 `json:"score"`
	// OwnScore is the practice's score on its own, as if it stood first: the weighted
	// mean of its factors, no coverage counted.
	OwnScore float64            `json:"own_score"`
	Factors  map[string]float64 `json:"factors"`
	// Penalty is what likeness to a practice above it took from the score.
	Penalty float64 `json:"diversity_penalty"`
	// Answers is the part of the need (1, 2 …, Result.Parts) the practice answers best,
	// 0 when it answers none well.
	Answers  int      `json:"answers,omitempty"`
	Reasons  []Reason `json:"reasons"`
	Missing  []Reason `json:"missing"`
	Transfer Transfer `json:"transfer"`
}

// Result is the answer to a profile: the profile as read (its words replaced by terms),
// how its words were read, the parts of its need, the recommendations and peer cities.
type Result struct {
	Profile         Profile          `json:"profile"`
	Understood      []Reading        `json:"understood"`
	Parts           []Part           `json:"parts"`
	Recommendations []Recommendation `json:"recommendations"`
	PeerCities      []PeerCity       `json:"peer_cities"`
}

type scored struct {
	p        *practices.Practice
	factors  map[string]float64
	score    float64 // on its own: the weighted mean with no coverage
	part     int     // the part it matches best, -1 when it matches none well enough to say
	transfer Transfer
}

// Recommend answers a profile.
func (r *Recommender) Recommend(ctx context.Context, profile Profile) (*Result, error) {
	readings, parts, err := profile.resolve(r.geo, r.words)
	if err != nil {
		return nil, err
	}
	s := &scorer{profile: &profile, geo: r.geo, parts: parts}
	if s.needParts() > 1 {
		// The need as written is searched too, so that a part cut from its context ("and
		// we do not know how many are on each one") is not all there is.
		s.parts = append(slices.Clone(parts), Part{Text: profile.Need, From: fromWhole})
	}
	readings = append(readings, s.readNeedAreas(r.words)...)
	ids, err := r.candidates(ctx, s)
	if err != nil {
		return nil, err
	}
	funded, err := r.index.NamingConcept(ctx, fundingConcept, ids)
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
		t := transfer(p, profile.Resources, funded[p.ID])
		f := s.factors(p, t)
		if f[FactorWeakArea] == 0 && f[FactorNeed] < minNeedOnly {
			continue
		}
		need, part := s.need(p.ID)
		if need < sayNeed {
			part = -1
		}
		all = append(all, scored{p: p, factors: f, score: s.total(f), part: part, transfer: t})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].p.ID < all[j].p.ID
	})
	picked := s.pick(all, profile.Limit)
	needWords, err := r.needWords(ctx, s.parts, picked)
	if err != nil {
		return nil, err
	}
	out := &Result{Profile: profile, Understood: readings, Parts: parts, Recommendations: make([]Recommendation, 0, len(picked))}
	if out.Understood == nil {
		out.Understood = []Reading{}
	}
	if out.Parts == nil {
		out.Parts = []Part{}
	}
	for i, pk := range picked {
		answers := pk.part + 1
		if pk.part >= len(parts) { // the need as a whole
			answers = 0
		}
		moved, byCoverage := movedUp(picked, i)
		reasons, missing := s.reasons(pk, needWords[pk.p.ID], moved, byCoverage)
		out.Recommendations = append(out.Recommendations, Recommendation{
			Practice: summarize(pk.p), Score: round3(pk.final), OwnScore: round3(pk.score), Factors: roundAll(pk.factors), Penalty: round3(pk.penalty),
			Answers: answers, Reasons: reasons, Missing: missing, Transfer: pk.transfer,
		})
	}
	out.PeerCities = r.peerCities(&profile, all)
	return out, nil
}

// candidates gathers the practices worth scoring: those in the weak areas that best share
// the city's context, and those that best match each part of its need, with need scores
// normalised to each part's best match.
func (r *Recommender) candidates(ctx context.Context, s *scorer) ([]string, error) {
	p := s.profile
	ids, err := r.index.Candidates(ctx, search.CandidateRequest{
		Areas: p.WeakAreas, Region: p.Region, Country: p.Country, Band: p.PopulationBand, Limit: areaCandidates,
	})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	s.partScore = make([]map[string]float64, len(s.parts))
	for j, part := range s.parts {
		s.partScore[j] = map[string]float64{}
		res, err := r.index.Search(ctx, search.Request{Query: part.Text, Limit: needCandidates, HitsOnly: true})
		if apperr.Code(err) == apperr.Invalid {
			continue // a part the search cannot take (only stop words) matches nothing
		}
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			// The engine's scores fall steeply (the second answer to a query often scores a
			// tenth of the first): their square root keeps a good second answer in reach.
			s.partScore[j][h.ID] = math.Sqrt(h.Score / res.Hits[0].Score)
			if !seen[h.ID] {
				seen[h.ID] = true
				ids = append(ids, h.ID)
			}
		}
	}
	return ids, nil
}

// needWords asks the index why each picked practice matched the part of the need it
// answers, in the words of the practice, for the reasons.
func (r *Recommender) needWords(ctx context.Context, parts []Part, picked []pick) (map[string][]string, error) {
	out := map[string][]string{}
	byPart := map[int][]string{}
	for _, pk := range picked {
		if pk.part >= 0 {
			byPart[pk.part] = append(byPart[pk.part], pk.p.ID)
		}
	}
	for j, ids := range byPart {
		res, err := r.index.Search(ctx, search.Request{Query: parts[j].Text, IDs: ids, Limit: len(ids), Explain: true})
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
	}
	return out, nil
}

// pick is a practice placed in the list, with the score it was placed by.
type pick struct {
	scored
	final   float64 // the score it was placed by: coverage counted, diversity penalty taken
	penalty float64
}

// pick chooses n practices one at a time, each the best by its score in the list so far:
// its factors with coverage (it answers a part of the need nothing above answers), less
// a penalty for its likeness to the practices above it, so the top is not ten variants
// of one idea unless nothing else fits. Coverage only goes and penalties only grow as the
// list fills, so each score is at most the one before it: the order is the order of the
// scores.
func (s *scorer) pick(all []scored, n int) []pick {
	pool := all
	if len(pool) > poolPerLimit*n {
		pool = slices.Clone(pool[:poolPerLimit*n])
		for j := range s.parts { // the best answers of each part, wherever they rank on their own
			answers := 0
			for _, c := range all {
				if answers == poolPerPart {
					break
				}
				if c.part == j {
					answers++
					if !slices.ContainsFunc(pool, func(x scored) bool { return x.p.ID == c.p.ID }) {
						pool = append(pool, c)
					}
				}
			}
		}
	}
	covered := map[int]bool{}
	var picked []pick
	used := make([]bool, len(pool))
	for len(picked) < n && len(picked) < len(pool) {
		best := -1
		var bestPick pick
		for i, c := range pool {
			if used[i] {
				continue
			}
			f := maps.Clone(c.factors)
			if s.covers(c) && !covered[c.part] {
				f[FactorCoverage] = s.partScore[c.part][c.p.ID]
			}
			sim := 0.0
			for _, p := range picked {
				if c.part < 0 || c.part == p.part { // answers to different parts differ already
					sim = max(sim, likeness(c.p, p.p))
				}
			}
			pk := pick{scored: c, penalty: diversityPenalty * sim}
			pk.factors = f
			pk.final = s.total(f) - pk.penalty
			if best < 0 || pk.final > bestPick.final || pk.final == bestPick.final && c.p.ID < bestPick.p.ID {
				best, bestPick = i, pk
			}
		}
		used[best] = true
		if s.covers(bestPick.scored) {
			covered[bestPick.part] = true
		}
		picked = append(picked, bestPick)
	}
	return picked
}

// covers reports whether a practice answers the part of the need it matches best well
// enough to count as that part's answer.
func (s *scorer) covers(c scored) bool {
	return c.part >= 0 && s.parts[c.part].From == fromNeed && s.partScore[c.part][c.p.ID] >= answerMin
}

// movedUp reports whether the i-th pick stands above a practice that scores higher on
// its own, and whether coverage put it there.
func movedUp(picked []pick, i int) (moved, byCoverage bool) {
	for _, below := range picked[i+1:] {
		if round3(below.score) > round3(picked[i].score) { // as shown
			return true, picked[i].factors[FactorCoverage] > 0
		}
	}
	return false, false
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
		j = min(1, j+0.15)
	}
	return j
}

func summarize(p *practices.Practice) PracticeSummary {
	return PracticeSummary{ID: p.ID, Title: p.Title, City: p.City, Country: p.Country, Region: p.Region,
		PopulationBand: p.PopulationBand, Areas: p.Areas, Status: p.Status, Summary: p.Summary, Lang: p.Language()}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func roundAll(f map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(f))
	for k, v := range f {
		out[k] = round3(v)
	}
	return out
}
