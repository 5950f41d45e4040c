package store

// The accounts of package auth: users, their API tokens and login sessions.

// Users maps an email to its user.
func (tx *Tx) Users() Bucket { return tx.bucket(bucketUsers) }

// Tokens maps a token id to its API token.
func (tx *Tx) Tokens() Bucket { return tx.bucket(bucketTokens) }

// TokenIndex maps the hash of an API token to its id.
func (tx *Tx) TokenIndex() Bucket { return tx.bucket(bucketTokenKey) }

// Sessions maps the hash of a login session's id to the session.
func (tx *Tx) Sessions() Bucket { return tx.bucket(bucketSessions) }
