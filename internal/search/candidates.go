package search

// CandidateRequest asks for the practices in some areas, best first for a context: the
// shortlist a recommendation starts from.
type CandidateRequest struct {
	Areas                 []string
	Region, Country, Band string
	Limit                 int
}
