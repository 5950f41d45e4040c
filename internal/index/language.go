package index

import (
	"slices"

	"github.com/uclg-digital-cities/kb/internal/index/schema"
)

// Letters that only some of the languages write, and which they point to.
var telltaleLetters = map[rune][]string{
	'ñ': {"es"}, 'ã': {"pt"}, 'õ': {"pt"}, 'ç': {"fr", "pt"},
	'è': {"fr"}, 'ë': {"fr"}, 'ï': {"fr"}, 'î': {"fr"}, 'û': {"fr"}, 'ù': {"fr"}, 'œ': {"fr"},
}

// The weight of the interface language in telling a query's language: enough to decide
// between languages the words leave tied, never against what the words say.
const priorWeight = 0.5

// queryLanguage tells which language a query is written in, among those of the index,
// from its own words: each stop word counts for the languages that drop it, each word for
// the languages whose practices or thesaurus labels know it (a word that every language
// knows counts for little), each letter only some languages write for them; prior, the
// interface language, decides a tie. "" when nothing tells.
func (b queryBuilder) queryLanguage(pq parsedQuery, prior string) string {
	langs := b.languages()
	score := map[string]float64{}
	if slices.Contains(langs, prior) {
		score[prior] = priorWeight
	}
	for _, w := range pq.words {
		var stopIn []string
		for _, l := range langs {
			if len(b.analyze(l, w)) == 0 {
				stopIn = append(stopIn, l)
			}
		}
		for _, l := range stopIn {
			score[l] += 1 / float64(len(stopIn))
		}
		if len(stopIn) == 0 {
			known := b.knownIn(w)
			for _, l := range known {
				score[l] += 1 / float64(len(known))
			}
		}
		for _, r := range w {
			for _, l := range telltaleLetters[r] {
				score[l] += 0.5
			}
		}
	}
	best, second := "", 0.0
	for _, l := range langs {
		switch s := score[l]; {
		case best == "" || s > score[best]:
			best, second = l, score[best]
		case s > second:
			second = s
		}
	}
	if score[best] == 0 || score[best] == second {
		return ""
	}
	return best
}

// knownIn lists the languages, among those of the index, in which w is a word: its stem
// in that language is in the practices' text in it, or in the thesaurus's labels in it.
func (b queryBuilder) knownIn(w string) []string {
	var out []string
	for _, l := range b.languages() {
		stems := b.analyze(l, w)
		if len(stems) != 1 {
			continue
		}
		if b.concepts != nil && b.concepts.Knows(l, stems[0]) || b.inText(l, stems[0]) {
			out = append(out, l)
		}
	}
	return out
}

// inText reports whether some practice's text in lang holds the stem.
func (b queryBuilder) inText(lang, stem string) bool {
	if b.docFreq == nil {
		return false
	}
	for _, f := range schema.TextFields {
		if b.docFreq(schema.TextField(f.Name, lang), stem) > 0 {
			return true
		}
	}
	return false
}

// wordLanguages are the languages a typed word is analysed in, and whether it may be a
// typo (matched fuzzily): a word of the query's language is read in it alone, a word the
// query's language does not know but others do in those, as typed there; only a word no
// language knows may be a typo, of a word of the query's language (of any, when the
// query's language is not known).
func (b queryBuilder) wordLanguages(w, queryLang string) (langs []string, typo bool) {
	known := b.knownIn(w)
	switch {
	case queryLang != "" && slices.Contains(known, queryLang):
		return []string{queryLang}, false
	case len(known) > 0:
		return known, false
	case queryLang != "":
		return []string{queryLang}, true
	}
	return b.languages(), true
}
