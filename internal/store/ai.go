package store

// The records of package ai.

// Embeddings maps a practice's id to its vector.
func (tx *Tx) Embeddings() Bucket { return tx.bucket(bucketEmbeddings) }

// AIUsage maps a day to the tokens spent on it, in decimal.
func (tx *Tx) AIUsage() Bucket { return tx.bucket(bucketAIUsage) }
