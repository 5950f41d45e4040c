// Package relevance measures ranking quality against judged sets: nDCG@k, recall@k and MRR
// of searches and recommendations, beside a plain-Bleve baseline (kb eval, kb bench).
package relevance

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
)

// Query is one judged query: the ids that should come back, graded (2 the answer, 1 also
// relevant).
type Query struct {
	Q        string            `json:"q"`
	Kind     string            `json:"kind"`
	Relevant map[string]int    `json:"relevant"`
	Params   map[string]string `json:"params,omitempty"`
	// Lang is the language the query is written in, typed in the interface in that
	// language; English when not said.
	Lang string `json:"lang,omitempty"`
}

// Language is the language the query is written in.
func (q Query) Language() string {
	if q.Lang == "" {
		return "en"
	}
	return q.Lang
}

// Set is a file of judged queries.
type Set struct {
	Description string  `json:"description"`
	Queries     []Query `json:"queries"`
}

// Load reads a judged set.
func Load(path string) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load eval set: %w", err)
	}
	var s Set
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("load eval set %s: %w", path, err)
	}
	return &s, nil
}

// Scores are the metrics of one query or the mean over several.
type Scores struct {
	NDCG   float64
	Recall float64
	MRR    float64
	N      int
}

// Score measures one ranking (ids, best first) against the judgements, at depth k.
func Score(ranked []string, relevant map[string]int, k int) Scores {
	if len(ranked) > k {
		ranked = ranked[:k]
	}
	var dcg, mrr float64
	found := 0
	for i, id := range ranked {
		g := relevant[id]
		if g == 0 {
			continue
		}
		found++
		dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		if mrr == 0 {
			mrr = 1 / float64(i+1)
		}
	}
	grades := make([]int, 0, len(relevant))
	for _, g := range relevant {
		grades = append(grades, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	var ideal float64
	for i, g := range grades {
		if i >= k {
			break
		}
		ideal += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	s := Scores{MRR: mrr, N: 1}
	if ideal > 0 {
		s.NDCG = dcg / ideal
	}
	if n := min(len(relevant), k); n > 0 {
		s.Recall = float64(found) / float64(n)
	}
	return s
}

// Mean averages scores.
func Mean(all []Scores) Scores {
	var m Scores
	for _, s := range all {
		m.NDCG += s.NDCG
		m.Recall += s.Recall
		m.MRR += s.MRR
		m.N += s.N
	}
	if len(all) > 0 {
		n := float64(len(all))
		m.NDCG, m.Recall, m.MRR = m.NDCG/n, m.Recall/n, m.MRR/n
	}
	return m
}

// Ranker answers a query with ids, best first.
type Ranker func(q Query) ([]string, error)

// Report holds, for each configuration, the mean scores per query kind and overall.
type Report struct {
	Configs []string
	Kinds   []string
	Langs   []string
	// ByKind[config][kind], ByLang[config][language] and Overall[config].
	ByKind  map[string]map[string]Scores
	ByLang  map[string]map[string]Scores
	Overall map[string]Scores
	// PerQuery[config][i] is the score of query i.
	PerQuery map[string][]Scores
}

// Run scores every configuration on every query of the set, at depth k.
func Run(set *Set, k int, configs []string, rankers map[string]Ranker) (*Report, error) {
	r := &Report{Configs: configs, ByKind: map[string]map[string]Scores{}, ByLang: map[string]map[string]Scores{}, Overall: map[string]Scores{}, PerQuery: map[string][]Scores{}}
	for _, q := range set.Queries {
		if !slices.Contains(r.Kinds, q.Kind) {
			r.Kinds = append(r.Kinds, q.Kind)
		}
		if !slices.Contains(r.Langs, q.Language()) {
			r.Langs = append(r.Langs, q.Language())
		}
	}
	for _, name := range configs {
		byKind, byLang := map[string][]Scores{}, map[string][]Scores{}
		var all []Scores
		for _, q := range set.Queries {
			ranked, err := rankers[name](q)
			if err != nil {
				return nil, fmt.Errorf("%s: query %q: %w", name, q.Q, err)
			}
			s := Score(ranked, q.Relevant, k)
			byKind[q.Kind] = append(byKind[q.Kind], s)
			byLang[q.Language()] = append(byLang[q.Language()], s)
			all = append(all, s)
		}
		r.PerQuery[name] = all
		r.Overall[name] = Mean(all)
		r.ByKind[name], r.ByLang[name] = means(byKind), means(byLang)
	}
	return r, nil
}

func means(groups map[string][]Scores) map[string]Scores {
	out := map[string]Scores{}
	for g, ss := range groups {
		out[g] = Mean(ss)
	}
	return out
}

// Print writes the report as a table: one row per kind, per language of the queries and
// overall, and for each configuration its nDCG@k, recall@k and MRR.
func (r *Report) Print(w io.Writer, k int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"kind", "queries"}
	for _, c := range r.Configs {
		head = append(head, fmt.Sprintf("%s nDCG@%d", c, k), fmt.Sprintf("%s recall@%d", c, k), c+" MRR")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	row := func(label string, pick func(c string) Scores) {
		cells := []string{label, fmt.Sprint(pick(r.Configs[0]).N)}
		for _, c := range r.Configs {
			s := pick(c)
			cells = append(cells, fmt.Sprintf("%.3f", s.NDCG), fmt.Sprintf("%.3f", s.Recall), fmt.Sprintf("%.3f", s.MRR))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	for _, kind := range r.Kinds {
		row(kind, func(c string) Scores { return r.ByKind[c][kind] })
	}
	for _, lang := range r.Langs {
		row("in "+lang, func(c string) Scores { return r.ByLang[c][lang] })
	}
	row("all", func(c string) Scores { return r.Overall[c] })
	tw.Flush()
}
