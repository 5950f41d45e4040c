package review

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

var (
	bucketSessions    = []byte("lle_sessions")   // id → Session
	bucketSubmissions = []byte("submissions")    // id → Submission
	bucketOutbox      = []byte("outbox")         // seq → Notification
	bucketTrackTokens = []byte("track_tokens")   // hash of a tracking token → submission id
	bucketConfirm     = []byte("confirm_tokens") // hash of an address confirmation token → submission id
	bucketAsked       = []byte("confirm_asked")  // address → the requests to confirm it sent lately
)

// Index is what the workflow needs from the search index.
type Index interface {
	// Sync brings the index up to the store after a write.
	Sync(ctx context.Context) error
	Similar(ctx context.Context, p *practices.Practice, limit int) ([]index.Hit, error)
}

// Service runs the workflow over the store's database.
type Service struct {
	store *practices.Store
	index Index
	geo   *practices.Geography
	// authority says which practices this node may change.
	authority Authority
	log       *slog.Logger
	// wake tells the notification sender that the outbox has new mail.
	wake chan struct{}
	// Assistant, when set (an AI endpoint is configured), suggests metadata for a
	// submission when a coordinator asks.
	Assistant Suggester
	// Submissions limits new submissions per client, whichever door they come through.
	Submissions *limit.Limiter
	// Network and BaseURL name the knowledge base in the mails to contributors, and make
	// their links.
	Network, BaseURL string
	// Accounts lets the coordinators be told of new cases in a digest (QueueDigests), in
	// the language of each one's profile.
	Accounts Users
	// Messages are the catalogues the mails are written from.
	Messages Messages
}

// DefaultSubmissionRate: ten submissions, then one every six minutes, per client.
var DefaultSubmissionRate = limit.Rate{Every: 6 * time.Minute, Burst: 10}

// New creates the workflow's buckets and returns the service.
func New(store *practices.Store, ix Index, geo *practices.Geography, authority Authority, log *slog.Logger) (*Service, error) {
	err := store.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSessions, bucketSubmissions, bucketOutbox, bucketTrackTokens, bucketConfirm, bucketAsked, bucketResent, bucketOnce, bucketVersionNotes, bucketDigests} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, index: ix, geo: geo, authority: authority, log: log, wake: make(chan struct{}, 1),
		Submissions: limit.New(DefaultSubmissionRate, "submissions")}
	return s, nil
}

// Authority is this node's namespace and the study's authority: a practice is curated
// here only when this node is its authority.
type Authority struct {
	Namespace, StudyAuthority string
}

// owns reports whether this node publishes the versions of p.
func (a Authority) owns(p *practices.Practice) bool {
	return p.AuthorityNamespace(a.Namespace, a.StudyAuthority) == a.Namespace
}

// synced brings the index up to the store after a committed write. The write is already
// durable: a failure here is logged and repaired by the next sync.
func (s *Service) synced(ctx context.Context) {
	if err := s.index.Sync(ctx); err != nil {
		s.log.Error("index sync after a review write failed", "err", err)
	}
}

func randomID() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// uniqueKey returns base, or base-2, base-3 … the first not in the bucket.
func uniqueKey(b *bolt.Bucket, base string) string {
	key := base
	for i := 2; b.Get([]byte(key)) != nil; i++ {
		key = fmt.Sprintf("%s-%d", base, i)
	}
	return key
}

func getJSON[T any](b *bolt.Bucket, key, what string) (*T, error) {
	v := b.Get([]byte(key))
	if v == nil {
		return nil, apperr.Errorf(apperr.NotFound, "no %s with id %q", what, key)
	}
	var out T
	if err := json.Unmarshal(v, &out); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", what, key, err)
	}
	return &out, nil
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}
