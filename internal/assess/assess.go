package assess

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// TokenPrefix starts every link token, so that a leaked one is recognisable.
const TokenPrefix = "kba_"

// Recommender answers a city profile.
type Recommender interface {
	Recommend(ctx context.Context, p recommend.Profile) (*recommend.Result, error)
}

// Cases lists the study's cases as the store holds them now.
type Cases interface {
	StudyCases(ctx context.Context) ([]*practices.Practice, error)
}

// Service answers self-assessments.
type Service struct {
	findings  *findings.Findings
	questions []Question
	geo       *practices.Geography
	recommend Recommender
	cases     Cases
	store     *store.Store
	// Saves limits the links asked for per client: each is a write to the store.
	Saves *limit.Limiter
	Now   func() time.Time
}

// DefaultSaveRate: twenty links, then one a minute, per client.
var DefaultSaveRate = limit.Rate{Every: time.Minute, Burst: 20}

// New returns the service, which keeps the answers asked to be saved in st.
func New(f *findings.Findings, geo *practices.Geography, r Recommender, cases Cases, st *store.Store) (*Service, error) {
	return &Service{findings: f, questions: questions(f), geo: geo, recommend: r, cases: cases, store: st,
		Saves: limit.New(DefaultSaveRate, "saved self-assessments"), Now: time.Now}, nil
}

// Questions are the study's level questions, in its order.
func (s *Service) Questions() []Question { return s.questions }

// Findings are the study's findings the questions come from.
func (s *Service) Findings() *findings.Findings { return s.findings }

// Result is where a city stands beside the study's cities, and what to look at first.
type Result struct {
	// Date is when the answers were given.
	Date    time.Time `json:"date"`
	Answers Answers   `json:"answers"`
	// Standings are the city beside the study's cities, question by question.
	Standings []Standing `json:"standings"`
	// Behind lists the questions where the most of the study's cities stood higher,
	// most first.
	Behind []string `json:"furthest_behind"`
	// Resources are the ones the checked tools and the free words amount to; Recognised
	// those of them found in the free words.
	Resources  []string `json:"resources"`
	Recognised []string `json:"recognised,omitempty"`
	// Lacking are the resources the study's practices in the weak areas need that the
	// city did not say it has.
	Lacking []Lack `json:"lacking"`
	// AccessLacking are the resources giving people access to digital services that the
	// city lacks; with a weak area they make its need connectivity and digital inclusion.
	AccessLacking []string `json:"access_lacking"`
	// Profile is what the answers tell the recommender, and Recommendations its answer.
	Profile         recommend.Profile          `json:"profile"`
	Recommendations []recommend.Recommendation `json:"recommendations"`
	PeerCities      []recommend.PeerCity       `json:"peer_cities"`
	// Token opens the saved answers again (shown once, stored hashed), when asked for;
	// Link is the page that does, when the caller knows its address.
	Token string `json:"token,omitempty"`
	Link  string `json:"link,omitempty"`
	// Study names the source of the comparison.
	Study findings.Study `json:"study"`
}

// Standing is the city's answer to one question beside the study's cities.
type Standing struct {
	Question string `json:"question"`
	Area     string `json:"area"`
	Subject  string `json:"subject,omitempty"`
	Level    string `json:"level"`
	Impact   string `json:"impact,omitempty"`
	// Study is the study's distribution of levels.
	Study findings.Distribution `json:"study"`
	// Higher, Same and Lower are the shares (percent) of the study's cities that stated a
	// level above the city's, one that includes it, and below it; Unstated what the study
	// does not say.
	Higher   float64 `json:"higher"`
	Same     float64 `json:"same"`
	Lower    float64 `json:"lower"`
	Unstated float64 `json:"unstated"`
	// Have and Lack are the study's tools of the area the city has and has not.
	Have []string `json:"have"`
	Lack []string `json:"lack"`
}

// Lack is a resource the city lacks, with the study's practices that need it.
type Lack struct {
	Resource  string                  `json:"resource"`
	Practices []recommend.PracticeRef `json:"practices"`
}

// Assess answers a city's self-assessment; with Save, it also stores the answers under
// a new private link token.
func (s *Service) Assess(ctx context.Context, a Answers) (*Result, error) {
	if err := s.check(&a); err != nil {
		return nil, err
	}
	date := s.Now().UTC()
	res, err := s.answer(ctx, a, date)
	if err != nil || !a.Save {
		return res, err
	}
	undo, err := s.Saves.Take(ctx)
	if err != nil {
		return nil, err
	}
	token := TokenPrefix + auth.NewSecret()
	err = s.store.Update(func(tx *store.Tx) error {
		data, err := json.Marshal(saved{Answers: a, Date: date})
		if err != nil {
			return err
		}
		return tx.Assessments().Put([]byte(auth.Hash(token)), data)
	})
	if err != nil {
		undo()
		return nil, fmt.Errorf("save the self-assessment: %w", err)
	}
	res.Token = token
	return res, nil
}

// saved is what a link keeps: the answers and their date, nothing computed (the result
// is computed again, with the practices as they are then).
type saved struct {
	Answers Answers   `json:"answers"`
	Date    time.Time `json:"date"`
}

// Saved answers the self-assessment a link token opens.
func (s *Service) Saved(ctx context.Context, token string) (*Result, error) {
	var sv *saved
	err := s.store.View(func(tx *store.Tx) error {
		v := tx.Assessments().Get([]byte(auth.Hash(token)))
		if v == nil {
			return apperr.Errorf(apperr.NotFound, "no self-assessment opens with this link; check it was copied whole")
		}
		sv = &saved{}
		return json.Unmarshal(v, sv)
	})
	if err != nil {
		return nil, err
	}
	a := sv.Answers
	// Answers saved before a change of the questions are checked again: a question the
	// study no longer asks is dropped rather than failing the link.
	for id := range a.Levels {
		if !slices.Contains(s.questionIDs(), id) {
			delete(a.Levels, id)
			delete(a.Impact, id)
		}
	}
	if err := s.check(&a); err != nil {
		return nil, apperr.Errorf(apperr.Conflict, "the saved answers no longer fit the study's questions: %v", err)
	}
	return s.answer(ctx, a, sv.Date)
}

func (s *Service) answer(ctx context.Context, a Answers, date time.Time) (*Result, error) {
	res := &Result{Date: date, Answers: a, Study: s.findings.Study, Lacking: []Lack{}}
	res.Resources, res.Recognised = s.resources(a)
	for _, q := range s.questions {
		res.Standings = append(res.Standings, s.standing(q, a, res.Resources))
	}
	res.Behind = behind(res.Standings)
	res.AccessLacking = []string{}
	for _, r := range accessResources {
		if !slices.Contains(res.Resources, r) {
			res.AccessLacking = append(res.AccessLacking, r)
		}
	}
	res.Profile = s.profile(a, res)
	if len(res.AccessLacking) > 0 {
		res.Profile.Need = NeedInclusion
	}
	rec, err := s.recommend.Recommend(ctx, res.Profile)
	if err != nil {
		return nil, err
	}
	res.Profile, res.Recommendations, res.PeerCities = rec.Profile, rec.Recommendations, rec.PeerCities
	if res.Lacking, err = s.lacking(ctx, res.Profile.WeakAreas, res.Resources); err != nil {
		return nil, err
	}
	return res, nil
}

// standing places the city's level among the study's parts.
func (s *Service) standing(q Question, a Answers, have []string) Standing {
	st := Standing{Question: q.ID, Area: q.Area, Subject: q.Subject, Level: a.Levels[q.ID], Impact: a.Impact[q.ID],
		Study: q.Levels, Unstated: q.Levels.Unstated(), Have: []string{}, Lack: []string{}}
	at := levelIndex(st.Level)
	for _, p := range q.Levels.Parts {
		lo, hi := len(practices.Levels), -1
		for _, ans := range p.Answers {
			i := levelIndex(ans)
			lo, hi = min(lo, i), max(hi, i)
		}
		switch {
		case lo > at:
			st.Higher += p.Value
		case hi < at:
			st.Lower += p.Value
		default:
			st.Same += p.Value
		}
	}
	for _, l := range q.Tools {
		for _, t := range l.Items {
			if slices.Contains(a.Tools, t.ID) {
				st.Have = append(st.Have, t.ID)
			} else {
				st.Lack = append(st.Lack, t.ID)
			}
		}
	}
	return st
}

// maxBehind is how many questions the "furthest behind" list names at most.
const maxBehind = 3

// behind ranks the questions by the share of the study's cities that stood higher,
// keeping those where some did.
func behind(sts []Standing) []string {
	ranked := slices.Clone(sts)
	sort.SliceStable(ranked, func(i, j int) bool {
		if ranked[i].Higher != ranked[j].Higher {
			return ranked[i].Higher > ranked[j].Higher
		}
		return levelIndex(ranked[i].Level) < levelIndex(ranked[j].Level)
	})
	out := []string{}
	for _, st := range ranked {
		if st.Higher > 0 && len(out) < maxBehind {
			out = append(out, st.Question)
		}
	}
	return out
}

// severityOf turns a level of digitalisation into how severe the weakness is: the
// lower the level, the more severe; a high or very high impact felt makes it one step
// more severe.
func severityOf(level, impact string) string {
	i := len(practices.Levels) - 1 - levelIndex(level)
	if impact == "high" || impact == "very-high" {
		i = min(i+1, len(practices.Levels)-1)
	}
	return practices.Levels[i].ID
}

// accessResources are the study's general resources that give people access to digital
// services: without them a city's weak areas leave people behind, the digital divide
// the study's last chapter is about.
var accessResources = []string{"municipal-wifi", "broadband", "4g", "public-computers", "digital-assistance"}

// NeedInclusion is the need the answers point to when the city lacks some of them.
const NeedInclusion = "connectivity and digital inclusion"

// weakLevel is the highest level that makes an area weak.
const weakLevel = "medium"

// profile builds the recommender's profile: the areas at a medium level or below are
// weak, with the severity their level and impact give (for an area asked in two
// questions, the more severe); when none is, the areas furthest behind the study's
// cities, else those at the lowest level.
func (s *Service) profile(a Answers, res *Result) recommend.Profile {
	p := recommend.Profile{City: a.City, Country: a.Country, Population: a.Population, Severity: map[string]string{},
		PriorityGroups: a.Groups, Crises: a.Crises, Resources: res.Resources}
	weak := func(st Standing) {
		sev := severityOf(st.Level, st.Impact)
		if cur, ok := p.Severity[st.Area]; !ok || levelIndex(sev) > levelIndex(cur) {
			p.Severity[st.Area] = sev
		}
		if !slices.Contains(p.WeakAreas, st.Area) {
			p.WeakAreas = append(p.WeakAreas, st.Area)
		}
	}
	for _, st := range res.Standings {
		if levelIndex(st.Level) <= levelIndex(weakLevel) {
			weak(st)
		}
	}
	if len(p.WeakAreas) == 0 {
		for _, st := range res.Standings {
			if slices.Contains(res.Behind, st.Question) {
				weak(st)
			}
		}
	}
	if len(p.WeakAreas) == 0 {
		lowest := len(practices.Levels)
		for _, st := range res.Standings {
			lowest = min(lowest, levelIndex(st.Level))
		}
		for _, st := range res.Standings {
			if levelIndex(st.Level) == lowest {
				weak(st)
			}
		}
	}
	return p
}

// resources are the practices' resources the checked tools amount to, and those named
// in the free words (a resource's name, as its id spells it: "gis", "drones",
// "sms gateway"), which are also returned apart.
func (s *Service) resources(a Answers) (all, recognised []string) {
	for _, id := range a.Tools {
		if t, _, ok := s.findings.Tool(id); ok && t.Resource != "" && !slices.Contains(all, t.Resource) {
			all = append(all, t.Resource)
		}
	}
	words := " " + strings.Join(wordPattern.FindAllString(strings.ToLower(a.OtherTools), -1), " ") + " "
	for _, r := range practices.Resources.IDs() {
		if strings.Contains(words, " "+strings.ReplaceAll(r, "-", " ")+" ") {
			recognised = append(recognised, r)
			if !slices.Contains(all, r) {
				all = append(all, r)
			}
		}
	}
	sort.Strings(all)
	return all, recognised
}

var wordPattern = regexp.MustCompile(`[\p{L}\p{N}]+`)

// lacking lists the resources that the study's practices in the weak areas need and the
// city lacks, the one most practices need first.
func (s *Service) lacking(ctx context.Context, weakAreas, have []string) ([]Lack, error) {
	cases, err := s.cases.StudyCases(ctx)
	if err != nil {
		return nil, err
	}
	need := map[string][]recommend.PracticeRef{}
	for _, p := range cases {
		if !slices.ContainsFunc(p.Areas, func(a string) bool { return slices.Contains(weakAreas, a) }) {
			continue
		}
		for _, r := range p.Prerequisites {
			if !slices.Contains(have, r) {
				need[r] = append(need[r], recommend.PracticeRef{ID: p.ID, Title: p.Title, Areas: p.Areas})
			}
		}
	}
	out := []Lack{}
	for r, ps := range need {
		out = append(out, Lack{Resource: r, Practices: ps})
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Practices) != len(out[j].Practices) {
			return len(out[i].Practices) > len(out[j].Practices)
		}
		return out[i].Resource < out[j].Resource
	})
	return out, nil
}

// SayIn writes the recommendations' reasons and gaps and the peer cities' reasons in
// lang.
func (r *Result) SayIn(cat *i18n.Catalog, lang string) {
	rec := recommend.Result{Recommendations: r.Recommendations, PeerCities: r.PeerCities}
	rec.SayIn(cat, lang) // the slices are shared: their elements are said in place
}

// levelIndex is the position of a level on the study's scale, very-low first.
func levelIndex(id string) int {
	return slices.IndexFunc(practices.Levels, func(t practices.Term) bool { return t.ID == id })
}
