package store

// NodeIdentity holds this node's signing key and namespace (package signing).
func (tx *Tx) NodeIdentity() Bucket { return tx.bucket(bucketIdentity) }
