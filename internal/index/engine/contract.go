package engine

// The engine knows nothing of kb: it takes Bleve queries and field names, and gives back
// ids, scores, totals and counts, as Bleve's own collector and terms facet would. It counts
// facets from per-segment tables and keeps the longest postings lists decoded.
//
// The contract: what the engine relies on in Bleve that is not Bleve's API, checked
// against the versions below. contract_test.go fails when the build has other
// versions: whoever upgrades reads each point again in the new sources, fixes what
// changed, runs the both-ways tests and the fuzzer, and then updates checkedVersions.
//
//  1. Document numbering. A scorch snapshot numbers its documents segment after
//     segment, deleted ones included: a document's global number is its segment's
//     offset (the sum of the earlier segments' Count) plus its local number, and an
//     IndexInternalID is that number as 8 big-endian bytes (scorch.IndexSnapshot,
//     segmentIndexAndLocalDocNumFromGlobal). facettables.go, evaluate.go (runBleve,
//     externalID) and the tables' add depend on it.
//  2. Tie-breaking. Bleve's top-N collector ranks equal scores by that global number,
//     lower first (rankedHit, worseByScore); a sort by field puts documents without a
//     value last and compares values as strings (tableView.compare).
//  3. Norms. zap (v15 to v17) stores a field's norm as float32 1/sqrt(field length)
//     and Posting.Norm returns it; bm25Base recovers the length as 1/norm².
//  4. Scoring formulas copied from Bleve's searchers: TermQueryScorer's BM25 (idf =
//     ln(1 + (N − df + 0.5)/(df + 0.5)), tf = sqrt(freq), k1 and b from
//     search.BM25_k1/BM25_b, the field's mean length ceil(FieldCardinality/N)), its
//     TF-IDF when a field has no length (idf = 1 + ln(N/(df+1)), tf·norm); the
//     query norm 1/sqrt(sum of squared boosted idf) set by the outermost searcher; the
//     disjunction's coordination (the sum times matched/parts) and min; the
//     conjunction's sum; MatchAll's constant boost·norm; a phrase scoring as the
//     conjunction of its terms; a lone leaf scored without boost or norm (so left to
//     Bleve). evaluate.go, evaluate_segment.go.
//  5. Fuzzy expansion: Bleve's fuzzy searcher takes the terms of the field within the
//     edits (Levenshtein with transpositions, vellum's automaton), with the prefix cut
//     at a rune boundary, boosts each by 1/(1+edits), refuses more than
//     searcher.DisjunctionMaxClauseCount terms, and searches a lone exact term as a term
//     (evaluate_fuzzy.go). zap's dictionary AutomatonIterator sets DictEntry's
//     EditDistance and Count (the count without deletions); Bleve's own
//     FieldDictFuzzy now reports Count 0, so Terms.Near counts live documents itself.
//  6. Phrases: MatchPhraseQuery analyses its text with the field's analyzer; positions
//     left by dropped stop words are gaps any word fills (compilePhrase).
//  7. Collector hooks: search.MakeDocumentMatchHandlerKey in the context wraps
//     collector.MakeTopNDocumentMatchHandler to count facets from the tables
//     (facetCount.handler); search.GetScoringModelCallbackKey selects BM25.
//  8. Segment types: the snapshot is *scorch.IndexSnapshot of *scorch.SegmentSnapshot,
//     whose Segment() implements segment.DocValueVisitable (the tables read doc
//     values), Dictionary(field).PostingsList(term, deleted, nil) with Count() less
//     the deleted, and an iterator whose Advance moves to a document at or after; a
//     reused postings list of a field the segment lacks is unsafe (evaluate_segment.go).
//  9. Segments never change once written, and their deleted documents only grow:
//     tables and decoded postings are kept by segment id (and number of deletions).
//     A rebuilt index numbers its segments afresh: it gets a new Engine.
//
// Bleve's early stop: with scoring off, SearchInContext stops counting at the page
// (TotalRelationGte); Search counts every match.
const contractNote = "read contract.go before changing checkedVersions"

// checkedVersions are the module versions the contract was checked against.
var checkedVersions = map[string]string{
	"github.com/blevesearch/bleve/v2":              "v2.6.3",
	"github.com/blevesearch/bleve_index_api":       "v1.4.1",
	"github.com/blevesearch/scorch_segment_api/v2": "v2.4.11",
	"github.com/blevesearch/vellum":                "v1.2.1",
	"github.com/blevesearch/zapx/v16":              "v16.3.4",
	"github.com/blevesearch/zapx/v17":              "v17.2.5",
	"github.com/RoaringBitmap/roaring/v2":          "v2.14.5",
}
