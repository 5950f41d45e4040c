package review

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Index is what the workflow needs from the search index.
type Index interface {
	// Sync brings the index up to the store after a write.
	Sync(ctx context.Context) error
	Similar(ctx context.Context, p *practices.Practice, limit int) ([]search.Hit, error)
}

// Service runs the workflow over the store's database.
type Service struct {
	store *store.Store
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

// New returns the workflow's service over st.
func New(st *store.Store, ix Index, geo *practices.Geography, authority Authority, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: st, index: ix, geo: geo, authority: authority, log: log, wake: make(chan struct{}, 1),
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
func uniqueKey(b store.Bucket, base string) string {
	key := base
	for i := 2; b.Has([]byte(key)); i++ {
		key = fmt.Sprintf("%s-%d", base, i)
	}
	return key
}
