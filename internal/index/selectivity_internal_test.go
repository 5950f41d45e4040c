package index

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// A concept most practices carry weighs little and counts once; a concept few carry
// keeps its weight and counts twice; the clause of the concepts below a generic one is
// weighed by how many practices carry those.
func TestAConceptMostPracticesCarryWeighsLittle(t *testing.T) {
	th, err := thesaurus.Parse([]byte(`sources: {test: "a test"}
default_source: test
concepts:
  - {id: people, en: [people], es: [gente], fr: [gens], pt: [pessoas]}
  - {id: residents, broader: [people], en: [residents], es: [vecinos], fr: [habitants], pt: [moradores]}
  - {id: beaches, en: [beach], es: [playa], fr: [plage], pt: [praia]}
`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := schema.Mapping()
	if err != nil {
		t.Fatal(err)
	}
	df := map[string]uint64{
		schema.ConceptsField + " residents": 90, schema.ConceptsField + " beaches": 3, schema.ConceptsField + " people": 2,
		schema.BroaderConceptsField + " 1:people": 90,
	}
	qb := queryBuilder{m: m, concepts: thesaurus.NewMatcher(th, schema.NewAnalysis(m)), lang: "en", docs: 100,
		docFreq: func(field, term string) uint64 { return df[field+" "+term] }}

	prev := 2.0
	for _, n := range []uint64{0, 10, 20, 30, 50, 80, 100} {
		df[schema.ConceptsField+" x"] = n
		got := qb.selectivity(schema.ConceptsField, "x")
		if n <= 20 && got != 1 || got > prev || got < 0 {
			t.Errorf("a concept in %d of 100 practices weighs %.3f (the one before %.3f)", n, got, prev)
		}
		prev = got
	}
	if prev != 0 {
		t.Errorf("a concept every practice carries weighs %.3f", prev)
	}

	pq := parseQuery("residents beach people")
	q, ok := qb.textQuery(pq, qb.queryConcepts(pq)).(*query.DisjunctionQuery)
	if !ok {
		t.Fatalf("textQuery is a %T", q)
	}
	// residents once; beach and people twice each: they name concepts few practices carry.
	if len(q.Disjuncts) != 5 {
		t.Fatalf("%d clauses, want 5", len(q.Disjuncts))
	}
	boosts := conceptBoosts(t, q)
	if r, b := boosts[schema.ConceptsField+" residents"], boosts[schema.ConceptsField+" beaches"]; r <= 0 || r >= b/3 {
		t.Errorf("residents' clause weighs %.3f, beaches' %.3f", r, b)
	}
	// people's own clause keeps its weight; the one of its 90 practices below weighs less
	// than the half a step down it weighs when few carry it.
	if p, below := boosts[schema.ConceptsField+" people"], boosts[schema.BroaderConceptsField+" 1:people"]; p != 2 || below <= 0 || below >= p/2/3 {
		t.Errorf("people's clause weighs %.3f, the clause below it %.3f", p, below)
	}
}

// conceptBoosts reads the highest boost of each concept term clause of q, by "field term".
func conceptBoosts(t *testing.T, q query.Query) map[string]float64 {
	t.Helper()
	data, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if term, ok := v["term"].(string); ok {
				field, _ := v["field"].(string)
				boost, _ := v["boost"].(float64)
				if field == schema.ConceptsField || strings.HasPrefix(field, schema.BroaderConceptsField) {
					out[field+" "+term] = max(out[field+" "+term], boost)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(tree)
	return out
}
