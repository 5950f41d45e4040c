package engine

// EveryListDecoded keeps every postings list decoded, however short, for tests to cover
// the decoded lists with a small corpus.
func EveryListDecoded(o Options) Options {
	o.minDecoded = 1
	return o
}

// TablesBuilt is the number of segments whose table of a field is built.
func (e *Engine) TablesBuilt(field string) int {
	t := e.facetTables(field)
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.bySeg)
}

// SortOrdersBuilt is the number of segments whose order by a sort field is sorted.
func (e *Engine) SortOrdersBuilt(field string) int {
	t := e.facetTables(field)
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, st := range t.bySeg {
		st.mu.Lock()
		if st.browseOrder != nil {
			n++
		}
		st.mu.Unlock()
	}
	return n
}
