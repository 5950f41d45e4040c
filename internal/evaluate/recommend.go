package evaluate

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

// RecommendCase is a judged city profile.
type RecommendCase struct {
	Name     string            `json:"name"`
	Kind     string            `json:"kind"`
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
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load eval set: %w", err)
	}
	var s RecommendSet
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("load eval set %s: %w", path, err)
	}
	return &s, nil
}

// RecommendConfigs are the compared recommenders: the naive baseline lists the practices
// in the weak areas, most weak areas first, then by title; kb is the full recommender.
var RecommendConfigs = []string{"baseline", "kb"}

// RecommendReport holds the scores of each configuration, and the share of top-k
// results that address at least one weak area.
type RecommendReport struct {
	Report    *Report
	AreaShare map[string]float64
}

// RunRecommend scores both configurations on every judged profile, at depth k.
func RunRecommend(ctx context.Context, set *RecommendSet, a *app.App, k int) (*RecommendReport, error) {
	var all []*practices.Practice
	if err := a.Store.Each(ctx, func(p *practices.Practice) error { all = append(all, p); return nil }); err != nil {
		return nil, err
	}
	areas := map[string][]string{}
	for _, p := range all {
		areas[p.ID] = p.Areas
	}
	cases := map[string]RecommendCase{}
	qs := &Set{}
	for _, c := range set.Cases {
		for id := range c.Relevant {
			if _, ok := areas[id]; !ok {
				return nil, fmt.Errorf("profile %q judges %q, which is not in the knowledge base", c.Name, id)
			}
		}
		cases[c.Name] = c
		qs.Queries = append(qs.Queries, Query{Q: c.Name, Kind: c.Kind, Relevant: c.Relevant})
	}
	ranked := map[string]map[string][]string{"baseline": {}, "kb": {}}
	for _, c := range set.Cases {
		ranked["baseline"][c.Name] = baseline(all, c.Profile.WeakAreas, k)
		p := c.Profile
		p.Limit = k
		res, err := a.Recommend(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("profile %q: %w", c.Name, err)
		}
		for _, r := range res.Recommendations {
			ranked["kb"][c.Name] = append(ranked["kb"][c.Name], r.Practice.ID)
		}
	}
	rankers := map[string]Ranker{}
	for _, cfg := range RecommendConfigs {
		rankers[cfg] = func(q Query) ([]string, error) { return ranked[cfg][q.Q], nil }
	}
	report, err := Run(qs, k, RecommendConfigs, rankers)
	if err != nil {
		return nil, err
	}
	share := map[string]float64{}
	for _, cfg := range RecommendConfigs {
		in, total := 0, 0
		for name, ids := range ranked[cfg] {
			for _, id := range ids {
				total++
				for _, a := range areas[id] {
					if slices.Contains(cases[name].Profile.WeakAreas, a) {
						in++
						break
					}
				}
			}
		}
		if total > 0 {
			share[cfg] = float64(in) / float64(total)
		}
	}
	return &RecommendReport{Report: report, AreaShare: share}, nil
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

// Print writes the per-kind table and the weak-area share of each configuration.
func (r *RecommendReport) Print(w io.Writer, k int) {
	r.Report.Print(w, k)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\nshare of top-%d results in a weak area\t\t\n", k)
	for _, cfg := range RecommendConfigs {
		fmt.Fprintf(tw, "%s\t%.3f\t\n", cfg, r.AreaShare[cfg])
	}
	tw.Flush()
}
