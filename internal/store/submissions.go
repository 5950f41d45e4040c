package store

// The submission workflow of package review: submissions and the tokens that open them.

// Submissions maps a submission's id to it.
func (tx *Tx) Submissions() Bucket { return tx.bucket(bucketSubmissions) }

// TrackTokens maps the hash of a tracking link's token to its submission's id.
func (tx *Tx) TrackTokens() Bucket { return tx.bucket(bucketTrackTokens) }

// ConfirmTokens maps the hash of an address confirmation token to its submission's id.
func (tx *Tx) ConfirmTokens() Bucket { return tx.bucket(bucketConfirm) }

// ConfirmAsked maps an address to the requests to confirm it sent lately.
func (tx *Tx) ConfirmAsked() Bucket { return tx.bucket(bucketAsked) }

// LinksResent maps an address to the mails of links sent to it lately.
func (tx *Tx) LinksResent() Bucket { return tx.bucket(bucketResent) }

// SubmissionOnce maps the hash of an idempotency key to the creation it made.
func (tx *Tx) SubmissionOnce() Bucket { return tx.bucket(bucketOnce) }
