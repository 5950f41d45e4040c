package engine_test

import (
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/index/engine"
)

// queryGen builds a query from fuzzed bytes: each byte picks a kind of node, a field, a
// word, a boost. Past the input every byte is 0: a term.
type queryGen struct {
	b []byte
	i int
}

func (g *queryGen) next() int {
	if g.i >= len(g.b) {
		return 0
	}
	g.i++
	return int(g.b[g.i-1])
}

var (
	fuzzFields = []string{"title", "body", "tags", "area"}
	boosts     = []float64{1, 2, 0.5, 3}
)

// value is a word of the vocabulary, cut short at times (a stem or a misspelling), or
// a keyword value.
func (g *queryGen) value(field string) string {
	switch field {
	case "tags":
		return tagValues[g.next()%len(tagValues)]
	case "area":
		return areaValues[g.next()%len(areaValues)]
	}
	w := vocabulary[g.next()%len(vocabulary)]
	if n := g.next() % 4; n > 0 && len(w) > n { // a misspelling, or a stem
		w = w[:len(w)-n]
	}
	return w
}

func (g *queryGen) query(depth int) query.Query {
	c := g.next()
	kind := c % 9
	if depth >= 3 && kind >= 3 && kind <= 4 {
		kind = 0
	}
	field := fuzzFields[(c/9)%len(fuzzFields)]
	switch kind {
	case 3, 4: // disjunction, conjunction
		parts := make([]query.Query, g.next()%5)
		for i := range parts {
			parts[i] = g.query(depth + 1)
		}
		if kind == 4 {
			return query.NewConjunctionQuery(parts)
		}
		q := query.NewDisjunctionQuery(parts)
		q.SetMin(float64(g.next() % (len(parts) + 1)))
		return q
	case 5: // fuzzy, on a text field
		q := query.NewFuzzyQuery(g.value("body"))
		q.SetField(fuzzFields[g.next()%2])
		q.Fuzziness, q.Prefix = 1+g.next()%2, g.next()%3
		q.SetBoost(boosts[g.next()%len(boosts)])
		return q
	case 6: // phrase, stop words among its words
		words := make([]string, 2+g.next()%2)
		for i := range words {
			if g.next()%3 == 0 {
				words[i] = stopWords[g.next()%len(stopWords)]
			} else {
				words[i] = vocabulary[g.next()%len(vocabulary)]
			}
		}
		q := query.NewMatchPhraseQuery(strings.Join(words, " "))
		q.SetField(fuzzFields[g.next()%2])
		return q
	case 7:
		q := query.NewMatchAllQuery()
		q.SetBoost(boosts[g.next()%len(boosts)])
		return q
	case 8:
		return query.NewDocIDQuery([]string{"doc-00001", "doc-00042", "doc-00100", "doc-00399"})
	}
	q := query.NewTermQuery(g.value(field))
	q.SetField(field)
	q.SetBoost(boosts[g.next()%len(boosts)])
	return q
}

// search builds the whole search: the query, then its page, order and facet.
func (g *queryGen) search() engine.Query {
	q := engine.Query{Query: g.query(0), Size: g.next() % 21, From: g.next() % 31}
	switch g.next() % 4 {
	case 1:
		q.Sort = []string{sortField, idField}
	case 2:
		q.Unscored = true
	case 3:
		q.Sort = []string{"-year", idField}
	}
	if f := g.next() % 3; f > 0 {
		q.FacetField = []string{"", "tags", "area"}[f]
	}
	return q
}

// Every fuzzed search finds through the engine what it finds through Bleve's collector.
func FuzzEngineAgreesWithBleve(f *testing.F) {
	for _, s := range []string{
		"",
		"\x03\x04\x00\x05\x00\x12\x01\x09\x00\x01",             // a disjunction of terms
		"\x04\x03\x03\x02\x00\x05\x01\x09\x03\x01\x00\x00\x02", // a conjunction with a filter
		"\x05\x07\x02\x01\x01\x00\x00\x00\x01",                 // fuzzy
		"\x06\x01\x00\x04\x01\x05\x00\x00\x00\x01",             // a phrase with a stop word
		"\x07\x00\x0a\x00\x01\x02",                             // browse by title
		"\x03\x03\x08\x00\x11\x00\x00\x14\x05\x02\x02",         // ids, unscored
		"\x03\x02\x00\x00\x00\x00\x0c\x00\x03\x01",             // sorted by Bleve, counted by the engine
	} {
		f.Add([]byte(s))
	}
	idx := testIndex(f, 400, 150)
	e := newEngine(idx, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		q := (&queryGen{b: data}).search()
		ev, bl, err := bothWays(idx, e, q)
		if d := ""; err != nil || func() bool { d = differ(q, ev, bl); return d != "" }() {
			dump, _ := query.DumpQuery(nil, q.Query)
			t.Fatalf("%s, page %d+%d, sort %v, unscored %v, facet %q: %v%s", dump, q.From, q.Size, q.Sort, q.Unscored, q.FacetField, err, d)
		}
	})
}
