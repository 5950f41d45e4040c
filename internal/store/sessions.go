package store

// LLESessions maps the id of a local learning exchange session (package review) to it.
func (tx *Tx) LLESessions() Bucket { return tx.bucket(bucketLLESessions) }
