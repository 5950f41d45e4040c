package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/engine"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// Concept returns the concept of the index's thesaurus with that id.
func (ix *Index) Concept(id string) (*thesaurus.Concept, bool) { return ix.thes.Concept(id) }

// ConceptsOf lists the concepts named in text, read as lang, most often named first.
func (ix *Index) ConceptsOf(lang, text string) []string {
	return topCounts(schema.ConceptIDs(ix.concepts, lang, text), len(ix.thes.Concepts))
}

// NamingConcept returns which of the practices ids name a concept in their text, from the
// concepts the index holds for each: cheaper than reading their texts again.
func (ix *Index) NamingConcept(ctx context.Context, concept string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	idx, release, err := ix.current()
	if err != nil {
		return nil, err
	}
	defer release()
	q := query.NewConjunctionQuery([]query.Query{termOn(schema.ConceptsField, concept), query.NewDocIDQuery(ids)})
	res, err := idx.eng.Search(ctx, engine.Query{Query: q, Size: len(ids), Unscored: true})
	if err != nil {
		return nil, apperr.Wrap(err, "concept lookup failed")
	}
	for _, h := range res.Hits {
		out[h.ID] = true
	}
	return out, nil
}
