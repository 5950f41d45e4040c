package store

// Audit maps a big-endian sequence number to an entry of the audit log (package audit).
func (tx *Tx) Audit() Bucket { return tx.bucket(bucketAudit) }
