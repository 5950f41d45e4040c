package index

// Concept returns the concept of the index's thesaurus with that id.
func (ix *Index) Concept(id string) (*Concept, bool) { return ix.thes.Concept(id) }
