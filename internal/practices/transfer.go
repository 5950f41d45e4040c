package practices

import "github.com/uclg-digital-cities/kb/internal/apperr"

// validateTransfer checks a practice's cost and complexity levels.
func validateTransfer(f *apperr.FieldErrors, p *Practice) {
	if p.Cost != "" && !TransferLevels.Has(p.Cost) {
		f.Add("cost", unknownTerm(p.Cost, TransferLevels), apperr.NotAChoice, p.Cost)
	}
	if p.Complexity != "" && !TransferLevels.Has(p.Complexity) {
		f.Add("complexity", unknownTerm(p.Complexity, TransferLevels), apperr.NotAChoice, p.Complexity)
	}
}
