package practices

// validateTransfer checks a practice's cost and complexity levels.
func validateTransfer(f map[string]string, p *Practice) {
	if p.Cost != "" && !TransferLevels.Has(p.Cost) {
		f["cost"] = unknownTerm(p.Cost, TransferLevels)
	}
	if p.Complexity != "" && !TransferLevels.Has(p.Complexity) {
		f["complexity"] = unknownTerm(p.Complexity, TransferLevels)
	}
}
