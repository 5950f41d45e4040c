package store

// The mail that package review queues, and the digests it sends coordinators.

// Outbox maps a big-endian sequence number to a notification waiting to be sent.
func (tx *Tx) Outbox() Bucket { return tx.bucket(bucketOutbox) }

// Digests maps a coordinator to when their last digest was queued.
func (tx *Tx) Digests() Bucket { return tx.bucket(bucketDigests) }
