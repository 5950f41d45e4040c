package store

// Assessments maps the hash of a link token to the answers saved under it (package assess).
func (tx *Tx) Assessments() Bucket { return tx.bucket(bucketAssessments) }
