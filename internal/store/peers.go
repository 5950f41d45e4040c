package store

// Federation's records (package federation): peers, what their harvests brought and the
// keys pinned for the authorities seen.

// Peers maps a peer's name to it.
func (tx *Tx) Peers() Bucket { return tx.bucket(bucketPeers) }

// HarvestQueue maps an identity to the harvested practice waiting for review.
func (tx *Tx) HarvestQueue() Bucket { return tx.bucket(bucketQueue) }

// HarvestRejected maps an identity to the authority's version a coordinator rejected.
func (tx *Tx) HarvestRejected() Bucket { return tx.bucket(bucketRejected) }

// PinnedKeys maps an authority's namespace to the public key pinned for it.
func (tx *Tx) PinnedKeys() Bucket { return tx.bucket(bucketPinned) }

// Tombstones maps an identity to the version of the deletion received for it.
func (tx *Tx) Tombstones() Bucket { return tx.bucket(bucketTombstones) }

// Sources records which peers serve each identity: identity 0x00 peer → "".
func (tx *Tx) Sources() Bucket { return tx.bucket(bucketSources) }

// Duplicates holds the possible duplicates a harvest flagged.
func (tx *Tx) Duplicates() Bucket { return tx.bucket(bucketDuplicates) }

// DraftRejected maps the identity of a foreign draft to when it was rejected.
func (tx *Tx) DraftRejected() Bucket { return tx.bucket(bucketDraftRejected) }
