package store

// Every bucket of the file, in one place: Open creates them all, so no package creates
// its own, and SchemaVersion covers them all. Keys and values are listed beside each;
// JSON values are the types of the package named.
var (
	// The practices (practices.go, versions.go, changes.go, featured.go).
	bucketMeta      = []byte("meta")      // schema version, practice count, once-only marks
	bucketPractices = []byte("practices") // id → practices.Practice, the current version
	bucketChanges   = []byte("changes")   // big-endian sequence → Change
	bucketVersions  = []byte("versions")  // id 0x00 big-endian version → the practice as it was
	bucketRedirects = []byte("redirects") // merged id → the id it was merged into
	bucketFeatured  = []byte("featured")  // id → when it was featured (RFC 3339)
	// The OAI-PMH datestamp order (datestamps.go).
	bucketDatestamps = []byte("datestamps") // big-endian Unix seconds + id → Stamp
	bucketStampKeys  = []byte("stamp_keys") // id → its key in datestamps
	// Identities (identities.go, sameas.go).
	bucketURIs   = []byte("uris")    // global identity → local id
	bucketSameAs = []byte("same_as") // named identity 0x00 naming id → ""
	// bucketChecksums (checksums.go) is the one bucket not in the list: addChecksums
	// creates it at open, as its being there says every value has its checksum.

	// Accounts (users.go): package auth.
	bucketUsers    = []byte("users")       // email → auth user
	bucketTokens   = []byte("tokens")      // token id → API token
	bucketTokenKey = []byte("token_index") // sha256(token) → token id
	bucketSessions = []byte("sessions")    // sha256(session) → login session

	// The submission workflow (submissions.go, sessions.go, outbox.go): package review.
	bucketLLESessions  = []byte("lle_sessions")    // id → review.Session
	bucketSubmissions  = []byte("submissions")     // id → review.Submission
	bucketTrackTokens  = []byte("track_tokens")    // hash of a tracking token → submission id
	bucketConfirm      = []byte("confirm_tokens")  // hash of an address confirmation token → submission id
	bucketAsked        = []byte("confirm_asked")   // address → the requests to confirm it sent lately
	bucketResent       = []byte("links_resent")    // address → the mails of links sent lately
	bucketOnce         = []byte("submission_once") // hash of an idempotency key → the creation it made
	bucketOutbox       = []byte("outbox")          // big-endian sequence → review.Notification
	bucketDigests      = []byte("digests")         // coordinator's address → review digest state
	bucketVersionNotes = []byte("version_notes")   // id 0x00 big-endian version → review.VersionNote

	// Federation (peers.go): package federation.
	bucketPeers         = []byte("peers")            // name → federation.Peer
	bucketQueue         = []byte("harvest_queue")    // identity → harvested practice waiting for review
	bucketRejected      = []byte("harvest_rejected") // identity → big-endian version a coordinator rejected
	bucketPinned        = []byte("pinned_keys")      // namespace → the key pinned for its authority, and via which peer
	bucketTombstones    = []byte("tombstones")       // identity → big-endian version of the deletion received
	bucketSources       = []byte("sources")          // identity 0x00 peer → ""
	bucketDuplicates    = []byte("duplicates")       // new identity 0x00 held identity → federation.Duplicate
	bucketDraftRejected = []byte("draft_rejected")   // identity → big-endian Unix seconds of the draft rejected

	// The rest, one package each.
	bucketAudit       = []byte("audit")         // big-endian sequence → audit.Entry (audit.go)
	bucketAssessments = []byte("assessments")   // hash of a link token → saved answers (assessments.go)
	bucketEmbeddings  = []byte("embeddings")    // practice id → its vector (ai.go)
	bucketAIUsage     = []byte("ai_usage")      // day → tokens spent, in decimal (ai.go)
	bucketIdentity    = []byte("node_identity") // this node's signing key and namespace (keys.go)
)

// buckets is what Open creates.
var buckets = [][]byte{
	bucketMeta, bucketPractices, bucketChanges, bucketVersions, bucketRedirects, bucketFeatured,
	bucketDatestamps, bucketStampKeys, bucketURIs, bucketSameAs,
	bucketUsers, bucketTokens, bucketTokenKey, bucketSessions,
	bucketLLESessions, bucketSubmissions, bucketTrackTokens, bucketConfirm, bucketAsked, bucketResent,
	bucketOnce, bucketOutbox, bucketDigests, bucketVersionNotes,
	bucketPeers, bucketQueue, bucketRejected, bucketPinned, bucketTombstones, bucketSources,
	bucketDuplicates, bucketDraftRejected,
	bucketAudit, bucketAssessments, bucketEmbeddings, bucketAIUsage, bucketIdentity,
}
