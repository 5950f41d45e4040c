// Package federation is the harvesting side of the peer-to-peer exchange: the peers this
// knowledge base harvests over OAI-PMH, their harvest state and the queue of harvested
// practices waiting for a coordinator.
package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

var (
	bucketPeers = []byte("peers")      // name → Peer
	bucketQueue = []byte("peer_queue") // local id → harvested practice waiting for review
	// bucketRejected remembers, per local id, the origin datestamp a coordinator rejected.
	bucketRejected = []byte("peer_rejected")
	// bucketStaged holds the pages of a harvest in progress: peer 0x00 page → oai.Page.
	bucketStaged = []byte("harvest_staged")
)

// Policies: what a harvest does with a practice it has not seen before.
const (
	PolicyPublish = "publish" // publish it at once
	PolicyReview  = "review"  // queue it for a coordinator
)

// DefaultInterval is the time between two background harvests of a peer.
const DefaultInterval = time.Hour

// maxBackoff bounds the wait after repeated failures.
const maxBackoff = 24 * time.Hour

// Peer is another network's knowledge base this one harvests, with its harvest state.
type Peer struct {
	Name     string   `json:"name"`
	URL      string   `json:"url"`
	Policy   string   `json:"policy"`
	Set      string   `json:"set,omitempty"`
	Interval Duration `json:"interval"`
	// RepositoryName is what the peer calls itself, from its last Identify.
	RepositoryName string `json:"repository_name,omitempty"`

	// From is where the next harvest starts: the response date of the last complete one.
	From         time.Time `json:"from"`
	LastHarvest  time.Time `json:"last_harvest"`
	LastSuccess  time.Time `json:"last_success"`
	LastReceived int       `json:"last_received"`
	LastChanged  int       `json:"last_changed"`
	Received     int       `json:"received"`
	LastError    string    `json:"last_error,omitempty"`
	Failures     int       `json:"failures"`
	NextHarvest  time.Time `json:"next_harvest"`
}

// Index is the search index the harvest keeps in step.
type Index interface {
	Sync(ctx context.Context) error
}

// Service manages the peers and harvests them.
type Service struct {
	store  *practices.Store
	index  Index
	geo    *practices.Geography
	client *oai.Client
	log    *slog.Logger

	mu      sync.Mutex
	running map[string]bool // peers being harvested
}

// New creates the buckets the service keeps in the store.
func New(store *practices.Store, ix Index, geo *practices.Geography, client *oai.Client, log *slog.Logger) (*Service, error) {
	err := store.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketPeers, bucketQueue, bucketRejected, bucketStaged} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = &oai.Client{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, index: ix, geo: geo, client: client, log: log, running: map[string]bool{}}, nil
}

// maxPeerName keeps the local ids of harvested practices (NAME-ID) readable.
const maxPeerName = 30

// NewPeer is what adding a peer takes.
type NewPeer struct {
	Name     string   `json:"name"`
	URL      string   `json:"url"`
	Policy   string   `json:"policy"`
	Set      string   `json:"set"`
	Interval Duration `json:"interval"`
}

// Duration reads and writes as Go duration text ("1h30m") in JSON.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is text such as \"1h\" or \"30m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 1h or 30m", s)
	}
	*d = Duration(v)
	return nil
}

func (n *NewPeer) validate() error {
	f := map[string]string{}
	switch {
	case !practices.ValidID(n.Name) || len(n.Name) > maxPeerName:
		f["name"] = fmt.Sprintf("must be a short slug of lowercase letters, digits and dashes (at most %d characters), e.g. metropolis", maxPeerName)
	case n.Name == index.LocalNetwork: // the network facet's value for local practices
		f["name"] = fmt.Sprintf("%q names this knowledge base's own practices; choose another name", index.LocalNetwork)
	}
	if u, err := url.Parse(n.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f["url"] = "must be the http(s) URL of the peer's OAI-PMH endpoint, e.g. https://kb.example.org/oai"
	}
	if n.Policy == "" {
		n.Policy = PolicyPublish
	}
	if n.Policy != PolicyPublish && n.Policy != PolicyReview {
		f["policy"] = "must be publish or review"
	}
	if n.Set != "" && !practices.Areas.Has(strings.TrimPrefix(n.Set, "area:")) && !practices.Regions.Has(strings.TrimPrefix(n.Set, "region:")) {
		f["set"] = "must be a set of the peer, area:ID or region:ID, e.g. area:mobility"
	}
	if n.Interval == 0 {
		n.Interval = Duration(DefaultInterval)
	}
	if time.Duration(n.Interval) < time.Minute {
		f["interval"] = "must be at least one minute"
	}
	if len(f) > 0 {
		return apperr.InvalidFields("the peer is not valid", f)
	}
	return nil
}

// Add registers a peer; it is harvested at the next background round or `kb peer sync`.
func (s *Service) Add(ctx context.Context, n NewPeer) (*Peer, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	p := &Peer{Name: n.Name, URL: n.URL, Policy: n.Policy, Set: n.Set, Interval: n.Interval}
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPeers)
		if b.Get([]byte(n.Name)) != nil {
			return apperr.Errorf(apperr.Conflict, "there is already a peer named %q", n.Name)
		}
		return putPeer(tx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func putPeer(tx *bolt.Tx, p *Peer) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode peer %s: %w", p.Name, err)
	}
	return tx.Bucket(bucketPeers).Put([]byte(p.Name), data)
}

func getPeer(tx *bolt.Tx, name string) (*Peer, error) {
	v := tx.Bucket(bucketPeers).Get([]byte(name))
	if v == nil {
		return nil, apperr.Errorf(apperr.NotFound, "no peer named %q", name)
	}
	var p Peer
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("decode peer %s: %w", name, err)
	}
	return &p, nil
}

// Peer returns one peer.
func (s *Service) Peer(name string) (*Peer, error) {
	var p *Peer
	err := s.store.View(func(tx *bolt.Tx) error {
		var err error
		p, err = getPeer(tx, name)
		return err
	})
	return p, err
}

// Peers lists the peers by name.
func (s *Service) Peers() ([]Peer, error) {
	out := []Peer{}
	err := s.store.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPeers).ForEach(func(k, v []byte) error {
			var p Peer
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode peer %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Remove forgets a peer. The practices harvested from it stay, with their provenance.
func (s *Service) Remove(name string) error {
	return s.store.Update(func(tx *bolt.Tx) error {
		if _, err := getPeer(tx, name); err != nil {
			return err
		}
		return tx.Bucket(bucketPeers).Delete([]byte(name))
	})
}
