package relevance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
)

// RecommendCase is a judged city profile. Traits say what makes it hard beside its
// size: words (lists in free words), parts (a need of several parts), es/fr/pt (written
// in that language).
type RecommendCase struct {
	Name     string            `json:"name"`
	Kind     string            `json:"kind"`
	Traits   []string          `json:"traits,omitempty"`
	Profile  recommend.Profile `json:"profile"`
	Relevant map[string]int    `json:"relevant"`
}

// RecommendSet is a file of judged profiles.
type RecommendSet struct {
	Description string          `json:"description"`
	Cases       []RecommendCase `json:"cases"`
}

// LoadRecommend reads a judged profile set.
func LoadRecommend(path string) (*RecommendSet, error) {
	var s RecommendSet
	if err := loadStrict(path, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Previous holds the rankings an earlier release gave a judged set, so that every run
// prints its figures beside this one's: the profiles as written (a profile it refused has
// no ranking and scores 0), and the same profiles with their words given as the
// vocabularies' ids, as that release required.
type Previous struct {
	Release   string              `json:"release"`
	How       string              `json:"how"`
	AsWritten map[string][]string `json:"as_written"`
	Refused   map[string]string   `json:"refused"`
	WithIDs   map[string][]string `json:"with_ids"`
}

// LoadPrevious reads an earlier release's rankings.
func LoadPrevious(path string) (*Previous, error) {
	var p Previous
	if err := loadStrict(path, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func loadStrict(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("load eval set: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("load eval set %s: %w", path, err)
	}
	return nil
}

// Recommend configurations: the naive baseline lists the practices in the weak areas,
// most weak areas first, then by title; previous and previous-ids are an earlier
// release's rankings (as written, and given ids); kb is the full recommender.
const (
	ConfigBaseline    = "baseline"
	ConfigPrevious    = "previous"
	ConfigPreviousIDs = "previous-ids"
	ConfigKB          = "kb"
)

// RecommendReport holds the scores of each configuration, per kind and per trait, and
// the share of top-k results that address at least one weak area (given or read from
// the need).
type RecommendReport struct {
	Report    *Report
	Traits    []string
	ByTrait   map[string]map[string]Scores
	AreaShare map[string]float64
	// Previous names the earlier release compared, and Missing the profiles it has no
	// ranking for (its columns are left out then).
	Previous string
	Missing  []string
}

// RunRecommend scores every configuration on every judged profile, at depth k; prev may
// be nil.
func RunRecommend(ctx context.Context, set *RecommendSet, a *app.App, k int, prev *Previous) (*RecommendReport, error) {
	var all []*practices.Practice
	if err := a.Store.Each(ctx, func(p *practices.Practice) error { all = append(all, p); return nil }); err != nil {
		return nil, err
	}
	areas := map[string][]string{}
	for _, p := range all {
		areas[p.ID] = p.Areas
	}
	out := &RecommendReport{ByTrait: map[string]map[string]Scores{}, AreaShare: map[string]float64{}}
	configs := []string{ConfigBaseline, ConfigKB}
	if prev != nil {
		out.Previous = prev.Release
		for _, c := range set.Cases {
			_, ranked := prev.AsWritten[c.Name]
			_, refused := prev.Refused[c.Name]
			if _, withIDs := prev.WithIDs[c.Name]; !withIDs || !ranked && !refused {
				out.Missing = append(out.Missing, c.Name)
			}
		}
		if len(out.Missing) == 0 {
			configs = []string{ConfigBaseline, ConfigPrevious, ConfigPreviousIDs, ConfigKB}
		}
	}
	weak := map[string][]string{} // the areas each profile is weak in, as kb read them
	qs := &Set{}
	ranked := map[string]map[string][]string{}
	for _, cfg := range configs {
		ranked[cfg] = map[string][]string{}
	}
	for _, c := range set.Cases {
		for id := range c.Relevant {
			if _, ok := areas[id]; !ok {
				return nil, fmt.Errorf("profile %q judges %q, which is not in the knowledge base", c.Name, id)
			}
		}
		qs.Queries = append(qs.Queries, Query{Q: c.Name, Kind: c.Kind, Relevant: c.Relevant})
		p := c.Profile
		p.Limit = k
		res, err := a.Recommend(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("profile %q: %w", c.Name, err)
		}
		for _, r := range res.Recommendations {
			ranked[ConfigKB][c.Name] = append(ranked[ConfigKB][c.Name], r.Practice.ID)
		}
		weak[c.Name] = append(slices.Clone(res.Profile.WeakAreas), res.Profile.NeedAreas...)
		ranked[ConfigBaseline][c.Name] = baseline(all, res.Profile.WeakAreas, k)
		if len(configs) > 2 {
			ranked[ConfigPrevious][c.Name] = prev.AsWritten[c.Name]
			ranked[ConfigPreviousIDs][c.Name] = prev.WithIDs[c.Name]
		}
	}
	rankers := map[string]Ranker{}
	for _, cfg := range configs {
		rankers[cfg] = func(q Query) ([]string, error) { return ranked[cfg][q.Q], nil }
	}
	report, err := Run(qs, k, configs, rankers)
	if err != nil {
		return nil, err
	}
	out.Report = report
	for _, c := range set.Cases {
		for _, t := range c.Traits {
			if !slices.Contains(out.Traits, t) {
				out.Traits = append(out.Traits, t)
			}
		}
	}
	for _, cfg := range configs {
		out.ByTrait[cfg] = map[string]Scores{}
		for _, t := range out.Traits {
			var ss []Scores
			for i, c := range set.Cases {
				if slices.Contains(c.Traits, t) {
					ss = append(ss, report.PerQuery[cfg][i])
				}
			}
			out.ByTrait[cfg][t] = Mean(ss)
		}
		in, total := 0, 0
		for name, ids := range ranked[cfg] {
			for _, id := range ids {
				total++
				if slices.ContainsFunc(areas[id], func(a string) bool { return slices.Contains(weak[name], a) }) {
					in++
				}
			}
		}
		if total > 0 {
			out.AreaShare[cfg] = float64(in) / float64(total)
		}
	}
	return out, nil
}

// baseline ranks practices by how many weak areas they address, then by title.
func baseline(all []*practices.Practice, weak []string, k int) []string {
	type c struct {
		p *practices.Practice
		n int
	}
	var cs []c
	for _, p := range all {
		n := 0
		for _, a := range p.Areas {
			if slices.Contains(weak, a) {
				n++
			}
		}
		if n > 0 {
			cs = append(cs, c{p, n})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].n != cs[j].n {
			return cs[i].n > cs[j].n
		}
		return practices.Fold(cs[i].p.Title) < practices.Fold(cs[j].p.Title)
	})
	var ids []string
	for i := 0; i < len(cs) && i < k; i++ {
		ids = append(ids, cs[i].p.ID)
	}
	return ids
}

// Print writes the per-kind and per-trait tables and the weak-area share of each
// configuration.
func (r *RecommendReport) Print(w io.Writer, k int) {
	if r.Previous != "" {
		if len(r.Missing) > 0 {
			fmt.Fprintf(w, "the previous release's rankings (%s) lack %d of the profiles: not compared\n\n", r.Previous, len(r.Missing))
		} else {
			fmt.Fprintf(w, "previous = %s on the profiles as written (refused ones score 0); previous-ids = the same release given the vocabularies' ids\n\n", r.Previous)
		}
	}
	r.Report.Print(w, k)
	if len(r.Traits) > 0 {
		byTrait := &Report{Configs: r.Report.Configs, Kinds: r.Traits, ByKind: map[string]map[string]Scores{}, Overall: r.Report.Overall}
		for _, cfg := range r.Report.Configs {
			byTrait.ByKind[cfg] = r.ByTrait[cfg]
		}
		fmt.Fprintln(w, "\nby trait (a profile may have several):")
		byTrait.Print(w, k)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\nshare of top-%d results in a weak area (given or read from the need)\t\t\n", k)
	for _, cfg := range r.Report.Configs {
		fmt.Fprintf(tw, "%s\t%.3f\t\n", cfg, r.AreaShare[cfg])
	}
	tw.Flush()
}

// Record is this release's rankings of a judged set, for the next release to print
// beside its own (kb eval recommend --record): the profiles as written, and with the
// words of each list given as the ids this release reads them as (the words it keeps
// added to the need).
func Record(ctx context.Context, set *RecommendSet, a *app.App, k int, release string) (*Previous, error) {
	out := &Previous{Release: release, AsWritten: map[string][]string{}, Refused: map[string]string{}, WithIDs: map[string][]string{},
		How: "kb eval recommend --record: each profile through this release's recommender, as written and with its words given as the ids it reads them as"}
	ids := func(res *recommend.Result) []string {
		list := []string{}
		for _, r := range res.Recommendations {
			list = append(list, r.Practice.ID)
		}
		return list
	}
	for _, c := range set.Cases {
		p := c.Profile
		p.Limit = k
		res, err := a.Recommend(ctx, p)
		if err != nil {
			out.Refused[c.Name] = err.Error()
			continue
		}
		out.AsWritten[c.Name] = ids(res)
		q := res.Profile
		q.NeedAreas, q.PopulationBand = nil, ""
		if q.PopulationEstimated {
			q.Population, q.PopulationEstimated = 0, false
		}
		for _, pt := range res.Parts {
			if pt.From != "need" {
				q.Need = strings.TrimPrefix(q.Need+"; "+pt.Text, "; ")
			}
		}
		if res, err = a.Recommend(ctx, q); err != nil {
			return nil, fmt.Errorf("profile %q given ids: %w", c.Name, err)
		}
		out.WithIDs[c.Name] = ids(res)
	}
	return out, nil
}
