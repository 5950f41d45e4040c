package index

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
)

// Tuning of "more like this".
const (
	similarTerms    = 25  // the practice's most telling words that are looked for
	similarConcepts = 8   // and its most mentioned concepts
	maxDocShare     = 0.3 // words in more than this share of practices tell nothing
	DefaultSimilar  = 5
	MaxSimilar      = 20
)

// Similar finds the practices most like p: sharing its most telling words (frequent in
// it, rare in the knowledge base), its concepts, areas and tags. p need not be indexed,
// so a submission can be checked for duplicates before it is accepted; p itself is never
// returned.
func (ix *Index) Similar(ctx context.Context, p *practices.Practice, limit int) ([]search.Hit, error) {
	if limit < 1 || limit > MaxSimilar {
		return nil, apperr.InvalidFields("the request is not valid", map[string]string{"limit": "must be between 1 and 20"})
	}
	idx, release, err := ix.current()
	if err != nil {
		return nil, err
	}
	defer release()
	lang := p.Language()
	if !schema.IsLanguage(lang) {
		lang = "en"
	}
	text := strings.Join([]string{p.Title, p.Summary, p.Body}, "\n")
	var alts []query.Query
	terms, err := ix.tellingTerms(idx, lang, text)
	if err != nil {
		return nil, apperr.Wrap(err, "similar failed")
	}
	for _, t := range terms {
		alts = append(alts, boosted(termOn(schema.TextField("body", lang), t.term), t.weight), boosted(termOn(schema.TextField("title", lang), t.term), t.weight/2))
	}
	for _, c := range topCounts(schema.ConceptIDs(ix.concepts, lang, text), similarConcepts) {
		alts = append(alts, boosted(termOn(schema.ConceptsField, c), 0.5))
	}
	for _, a := range p.Areas {
		alts = append(alts, boosted(termOn(schema.FacetFields["area"], a), 0.3))
	}
	for _, t := range p.Tags {
		alts = append(alts, boosted(termOn(schema.FacetFields["tag"], t), 0.5))
	}
	if len(alts) == 0 {
		return []search.Hit{}, nil
	}
	q := query.NewBooleanQuery(nil, []query.Query{query.NewDisjunctionQuery(alts)}, []query.Query{query.NewDocIDQuery([]string{p.ID})})
	res, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, limit, 0, false))
	if err != nil {
		return nil, apperr.Wrap(err, "similar failed")
	}
	out := make([]search.Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, search.Hit{ID: h.ID, Score: h.Score})
	}
	return out, nil
}

type weightedTerm struct {
	term   string
	weight float64
}

// tellingTerms ranks the analysed words of text by tf × idf in the body field, keeping
// the best similarTerms, weights scaled to 1 for the best.
func (ix *Index) tellingTerms(idx *opened, lang, text string) ([]weightedTerm, error) {
	tf := map[string]int{}
	for _, tok := range ix.analysis.AnalyzerNamed(schema.AnalyzerName(lang)).Analyze([]byte(text)) {
		if t := string(tok.Term); utf8.RuneCountInString(t) >= 3 && !isNumber(t) {
			tf[t]++
		}
	}
	terms, err := idx.eng.Terms()
	if err != nil {
		return nil, err
	}
	defer terms.Close()
	n := terms.Docs()
	if n == 0 {
		return nil, nil
	}
	var out []weightedTerm
	for t, f := range tf {
		df, err := terms.DocFrequency(context.Background(), schema.TextField("body", lang), t)
		if err != nil {
			return nil, err
		}
		if float64(df) > maxDocShare*float64(n) {
			continue
		}
		idf := math.Log(1 + float64(n)/float64(df+1))
		out = append(out, weightedTerm{t, float64(f) * idf})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].weight != out[j].weight {
			return out[i].weight > out[j].weight
		}
		return out[i].term < out[j].term
	})
	if len(out) > similarTerms {
		out = out[:similarTerms]
	}
	for i := range out {
		out[i].weight /= out[0].weight
	}
	return out, nil
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// topCounts returns the most frequent values, most frequent first.
func topCounts(values []string, max int) []string {
	counts := map[string]float64{}
	for _, v := range values {
		counts[v]++
	}
	return best(counts, max)
}
