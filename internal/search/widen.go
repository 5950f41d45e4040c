package search

import (
	"strings"

	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// Reading says how a query was read, when that was more than its words.
type Reading struct {
	// Asked are the asking phrases set aside ("how can we").
	Asked []string `json:"asked,omitempty"`
	// Widened is the second pass, when the first found little.
	Widened *Widening `json:"widened,omitempty"`
}

// Widening says how a weak query was widened: from which practices, with which of
// their concepts (ids, and their names by language) and words (as they write them, in
// the query's language).
type Widening struct {
	From         []string                     `json:"from"`
	Concepts     []string                     `json:"concepts"`
	ConceptNames map[string]map[string]string `json:"concept_names,omitempty"`
	Words        []string                     `json:"words"`
}

// In says the reading in lang, from the catalogues (need.*): the asking phrases set
// aside, and what the second pass added, concepts by their names in lang.
func (r *Reading) In(cat *i18n.Catalog, lang string) []string {
	if r == nil {
		return nil
	}
	quote := func(list []string) string {
		quoted := make([]string, len(list))
		for i, s := range list {
			quoted[i] = cat.T(lang, "explain.quote", s)
		}
		return strings.Join(quoted, ", ")
	}
	var out []string
	if len(r.Asked) > 0 {
		out = append(out, cat.T(lang, "need.asked", quote(r.Asked)))
	}
	if w := r.Widened; w != nil {
		var added []string
		for _, c := range w.Concepts {
			name := w.ConceptNames[c][lang]
			if name == "" {
				name = strings.ReplaceAll(c, "-", " ")
			}
			added = append(added, name)
		}
		out = append(out, cat.T(lang, "need.widened", quote(append(added, w.Words...))))
	}
	return out
}
