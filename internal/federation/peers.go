// Package federation is the harvesting side of the peer-to-peer exchange: the OAI-PMH peers,
// their harvest state, the practices waiting for a coordinator and probable duplicates.
package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/signing"
	"github.com/uclg-digital-cities/kb/internal/store"
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
	// Format is what the peer is harvested in: FormatKB (empty for a peer added before
	// formats) or FormatDC.
	Format string `json:"format"`
	// Paused peers are not harvested in the background (a harvest asked for still runs).
	Paused bool `json:"paused,omitempty"`
	// RepositoryName is what the peer calls itself, from its last Identify.
	RepositoryName string `json:"repository_name,omitempty"`
	// Namespace and PublicKey are the peer's identity, pinned when it was added: a peer
	// whose Identify later says otherwise is refused, as SSH refuses a changed host key.
	Namespace string `json:"namespace"`
	PublicKey string `json:"public_key"`

	// From is where the next harvest starts: the response date of the last complete one.
	From         time.Time `json:"from"`
	LastHarvest  time.Time `json:"last_harvest"`
	LastSuccess  time.Time `json:"last_success"`
	LastReceived int       `json:"last_received"`
	LastChanged  int       `json:"last_changed"`
	// What the last harvest did with what it received: unchanged, rejected as not valid,
	// refused for authority, and why (the first few).
	LastUnchanged int `json:"last_unchanged"`
	LastRejected  int `json:"last_rejected"`
	LastRefused   int `json:"last_refused"`
	// LastDuplicates counts the practices it flagged as probable duplicates.
	LastDuplicates int       `json:"last_duplicates"`
	LastProblems   []Problem `json:"last_problems,omitempty"`
	Received       int       `json:"received"`
	LastError      string    `json:"last_error,omitempty"`
	Failures       int       `json:"failures"`
	NextHarvest    time.Time `json:"next_harvest"`
}

// Index is the search index the harvest keeps in step.
type Index interface {
	Sync(ctx context.Context) error
	// Follow starts building a fresh index that follows the harvest's writes.
	Follow(ctx context.Context) (Follower, error)
}

// Follower indexes a large harvest while it is written (see index.Follower).
type Follower interface {
	Changed()
	Finish(ctx context.Context) error
}

// Config is this node's identity, against which records are judged.
type Config struct {
	// Namespace is this node's OAI namespace: records in it are its own.
	Namespace string
	// StudyAuthority is the namespace of the node that publishes the study's cases;
	// empty, nobody does, and their records are never taken from peers.
	StudyAuthority string
	// StagingDir holds the pages of harvests in progress, at most MaxStaged bytes per
	// harvest (default 256 MiB).
	StagingDir string
	MaxStaged  int64
	// Concurrent bounds the peers the background harvester harvests at once (default
	// 4), Deadline one harvest's time (default 30 minutes): a slow or hostile peer
	// delays only itself.
	Concurrent int
	Deadline   time.Duration
	// IndexAsItGoes is how many changes a harvest writes before it indexes the rest
	// while writing them, in a fresh index built beside (default 10 000: from there a
	// rebuild beats applying the changes one by one).
	IndexAsItGoes int
}

func (c Config) withDefaults() Config {
	if c.MaxStaged <= 0 {
		c.MaxStaged = 256 << 20
	}
	if c.IndexAsItGoes <= 0 {
		c.IndexAsItGoes = 10000
	}
	if c.Concurrent <= 0 {
		c.Concurrent = 4
	}
	if c.Deadline <= 0 {
		c.Deadline = 30 * time.Minute
	}
	if c.StagingDir == "" {
		c.StagingDir = filepath.Join(os.TempDir(), "kb-harvest-staging")
	}
	return c
}

// Service manages the peers and harvests them.
type Service struct {
	cfg    Config
	store  *store.Store
	index  Index
	geo    *practices.Geography
	client *oai.Client
	log    *slog.Logger

	mu      sync.Mutex
	running map[string]*Report // peers being harvested, and how far each has come
}

// New returns the federation service over st.
func New(cfg Config, st *store.Store, ix Index, geo *practices.Geography, client *oai.Client, log *slog.Logger) (*Service, error) {
	if client == nil {
		client = &oai.Client{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg.withDefaults(), store: st, index: ix, geo: geo, client: client, log: log, running: map[string]*Report{}}, nil
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
	Format   string   `json:"format"`
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

// What may be wrong with a peer as it is added, beside apperr's codes: the fields' own
// sentences (problem.url.no_answer …) say it to a coordinator in their language.
const (
	NoAnswer       = "no_answer"       // args: the address, which did not answer as OAI-PMH
	NotKB          = "not_kb"          // its Identify names no kb namespace and key
	OwnNamespace   = "own_namespace"   // args: the namespace it claims, this node's
	StudyNamespace = "study_namespace" // it claims the study's namespace
	NoOAIDC        = "no_oai_dc"       // args: the formats it serves, without oai_dc
	ReservedName   = "reserved"        // args: the name, which names this node's own practices
)

func (n *NewPeer) validate() error {
	var f apperr.FieldErrors
	switch {
	case !practices.ValidID(n.Name) || len(n.Name) > maxPeerName:
		f.Add("name", fmt.Sprintf("must be a short slug of lowercase letters, digits and dashes (at most %d characters), e.g. metropolis", maxPeerName), apperr.Malformed, maxPeerName)
	case n.Name == schema.LocalNetwork: // the network facet's value for local practices
		f.Add("name", fmt.Sprintf("%q names this knowledge base's own practices; choose another name", schema.LocalNetwork), ReservedName, n.Name)
	}
	if u, err := url.Parse(n.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.Add("url", "must be the http(s) URL of the peer's OAI-PMH endpoint, e.g. https://kb.example.org/oai", apperr.Malformed)
	}
	validateFormat(n, &f)
	if n.Policy == "" {
		n.Policy = PolicyPublish
	}
	if n.Policy != PolicyPublish && n.Policy != PolicyReview {
		f.Add("policy", "must be publish or review", apperr.NotAChoice, n.Policy)
	}
	if n.Format == FormatKB && n.Set != "" && !practices.Areas.Has(strings.TrimPrefix(n.Set, "area:")) && !practices.Regions.Has(strings.TrimPrefix(n.Set, "region:")) {
		f.Add("set", "must be a set of the peer, area:ID or region:ID, e.g. area:mobility", apperr.Malformed)
	}
	if n.Interval == 0 {
		n.Interval = Duration(DefaultInterval)
	}
	if time.Duration(n.Interval) < time.Minute {
		f.Add("interval", "must be at least one minute", apperr.OutOfRange)
	}
	return f.Err("the peer is not valid")
}

// refused is a peer refused for one field: what is wrong, in English and as a problem.
func refused(msg, field, english, code string, args ...any) error {
	var f apperr.FieldErrors
	f.Add(field, english, code, args...)
	return f.Err(msg)
}

// Add registers a peer; it is harvested at the next background round or `kb peer sync`.
func (s *Service) Add(ctx context.Context, n NewPeer) (*Peer, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	repo, err := s.client.Identify(ctx, n.URL)
	if err != nil {
		return nil, refused("the peer did not answer Identify", "url", fmt.Sprintf("%s did not answer as an OAI-PMH endpoint (it ends in /oai): %v", n.URL, err), NoAnswer, n.URL)
	}
	if n.Format == FormatDC {
		repo, err = s.checkRepository(ctx, n.URL, repo)
	} else {
		err = s.checkIdentity(repo)
	}
	if err != nil {
		return nil, err
	}
	p := &Peer{Name: n.Name, URL: n.URL, Policy: n.Policy, Set: n.Set, Interval: n.Interval, Format: n.Format,
		RepositoryName: repo.Name, Namespace: repo.Namespace, PublicKey: repo.PublicKey}
	err = s.store.Update(func(tx *store.Tx) error {
		b := tx.Peers()
		if b.Get([]byte(n.Name)) != nil {
			return apperr.Errorf(apperr.Conflict, "there is already a peer named %q", n.Name)
		}
		if key, ok := pinnedKey(tx, p.Namespace); ok && p.PublicKey != "" && key != p.PublicKey {
			return apperr.Errorf(apperr.Conflict, "%s says it is %s, but another key is pinned for %s here: it is not the node this knowledge base knows under that namespace", n.URL, p.Namespace, p.Namespace)
		}
		if err := pinKey(tx, p.Namespace, p.PublicKey, p.Name); err != nil {
			return err
		}
		return putPeer(tx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func putPeer(tx *store.Tx, p *Peer) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode peer %s: %w", p.Name, err)
	}
	return tx.Peers().Put([]byte(p.Name), data)
}

func getPeer(tx *store.Tx, name string) (*Peer, error) {
	v := tx.Peers().Get([]byte(name))
	if v == nil {
		return nil, apperr.Errorf(apperr.NotFound, "no peer named %q", name)
	}
	var p Peer
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("decode peer %s: %w", name, err)
	}
	return &p, nil
}

// Pause stops or resumes a peer's background harvests.
func (s *Service) Pause(name string, paused bool) (*Peer, error) {
	var out *Peer
	err := s.store.Update(func(tx *store.Tx) error {
		p, err := getPeer(tx, name)
		if err != nil {
			return err
		}
		p.Paused = paused
		out = p
		return putPeer(tx, p)
	})
	return out, err
}

// Peer returns one peer.
func (s *Service) Peer(name string) (*Peer, error) {
	var p *Peer
	err := s.store.View(func(tx *store.Tx) error {
		var err error
		p, err = getPeer(tx, name)
		return err
	})
	return p, err
}

// Peers lists the peers by name.
func (s *Service) Peers() ([]Peer, error) {
	out := []Peer{}
	err := s.store.View(func(tx *store.Tx) error {
		return tx.Peers().ForEach(func(k, v []byte) error {
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

// Removal says what removing a peer does: the practices that came only from it are
// removed, those another peer also serves stay, now followed through that peer.
type Removal struct {
	Peer     string   `json:"peer"`
	Removed  []string `json:"removed"`
	Repinned int      `json:"kept_from_other_peers"`
	Done     bool     `json:"done"`
}

// Remove forgets a peer and removes what came only from it. Removing practices is asked
// first: unless confirm equals the number of practices it would remove, nothing happens
// and the plan is returned with a Conflict that gives the count.
func (s *Service) Remove(ctx context.Context, name string, confirm int) (Removal, error) {
	plan := Removal{Peer: name, Removed: []string{}}
	err := s.store.Update(func(tx *store.Tx) error {
		if _, err := getPeer(tx, name); err != nil {
			return err
		}
		type move struct {
			p   *practices.Practice
			via string
		}
		var moves []move
		var gone []*practices.Practice
		err := tx.EachPractice(func(p *practices.Practice) error {
			if p.Origin == nil || p.Origin.Peer != name {
				return nil
			}
			if other, ok := otherSource(tx, p.URI, name); ok {
				moves = append(moves, move{p, other})
			} else {
				gone = append(gone, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, p := range gone {
			plan.Removed = append(plan.Removed, p.ID)
		}
		plan.Repinned = len(moves)
		if len(gone) > 0 && confirm != len(gone) {
			return apperr.Errorf(apperr.Conflict, "removing the peer %s also removes the %d practices that came only from it; confirm with that number (kb peer remove %s --confirm %d)", name, len(gone), name, len(gone))
		}
		for _, m := range moves {
			q := *m.p
			o := *q.Origin
			o.Peer = m.via
			q.Origin = &o
			if err := tx.RewritePractice(&q); err != nil {
				return err
			}
		}
		for _, p := range gone {
			if err := tx.DeletePractice(p.ID); err != nil {
				return err
			}
			if err := audit.Append(tx, audit.Record("peer:"+name, "peer_remove", "practice:"+p.ID, p, nil, p.URI)); err != nil {
				return err
			}
		}
		c := tx.Sources().Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if i := bytes.IndexByte(k, 0); i >= 0 && string(k[i+1:]) == name {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		plan.Done = true
		return tx.Peers().Delete([]byte(name))
	})
	if err != nil {
		return plan, err
	}
	if err := s.index.Sync(ctx); err != nil {
		s.log.Error("index sync after removing a peer failed", "peer", name, "err", err)
	}
	return plan, nil
}

// checkIdentity refuses a repository that has no kb identity, or claims this node's.
func (s *Service) checkIdentity(repo oai.Repository) error {
	switch {
	case !practices.ValidNamespace(repo.Namespace) || !signing.ValidPublicKey(repo.PublicKey):
		return refused("the peer is not a kb node", "url", "its Identify names no kb namespace and public key to verify its practices with; a repository that is not kb (DSpace, EPrints, any oai_dc provider) is added with --format oai_dc (format oai_dc in the API), its records becoming drafts for a coordinator", NotKB)
	case repo.Namespace == s.cfg.Namespace:
		return refused("the peer claims this node's namespace", "url", fmt.Sprintf("it says its namespace is %s, which is this node's own", repo.Namespace), OwnNamespace, repo.Namespace)
	case repo.Namespace == practices.StudyNamespace:
		return refused("the peer claims the study's namespace", "url", "no node's namespace is the study's", StudyNamespace)
	}
	return nil
}

// sameIdentity refuses a harvest from a peer whose identity changed since it was added.
func (p *Peer) sameIdentity(repo oai.Repository) error {
	if repo.Namespace != p.Namespace || (p.PublicKey != "" && repo.PublicKey != p.PublicKey) {
		return fmt.Errorf("%w: the peer %s now says it is %s with key %.12s…, but %s with key %.12s… was pinned when it was added; if its owners confirm the change, remove the peer and add it again",
			errIdentityChanged, p.Name, repo.Namespace, repo.PublicKey, p.Namespace, p.PublicKey)
	}
	return nil
}

var errIdentityChanged = errors.New("the peer's identity changed")

type pinned struct {
	Key  string `json:"key"`
	Peer string `json:"peer"`
}

func pinnedKey(tx *store.Tx, namespace string) (string, bool) {
	v := tx.PinnedKeys().Get([]byte(namespace))
	if v == nil {
		return "", false
	}
	var p pinned
	if json.Unmarshal(v, &p) != nil {
		return "", false
	}
	return p.Key, true
}

func pinKey(tx *store.Tx, namespace, key, via string) error {
	if _, ok := pinnedKey(tx, namespace); ok || key == "" { // a repository that is not kb has none
		return nil
	}
	data, _ := json.Marshal(pinned{Key: key, Peer: via})
	return tx.PinnedKeys().Put([]byte(namespace), data)
}

func sourceKey(uri, peer string) []byte { return append(append([]byte(uri), 0), peer...) }

func markSource(tx *store.Tx, uri, peer string) error {
	return tx.Sources().Put(sourceKey(uri, peer), nil)
}

// otherSource returns a peer other than peer that serves uri, if one does.
func otherSource(tx *store.Tx, uri, peer string) (string, bool) {
	prefix := append([]byte(uri), 0)
	c := tx.Sources().Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if p := string(k[len(prefix):]); p != peer && tx.Peers().Get([]byte(p)) != nil {
			return p, true
		}
	}
	return "", false
}

// networkName names an authority for people: the peer added under its namespace, or the
// namespace itself (never what a record or a relay calls it).
func (s *Service) networkName(tx *store.Tx, namespace string) string {
	name := namespace
	tx.Peers().ForEach(func(k, v []byte) error {
		var p Peer
		if json.Unmarshal(v, &p) == nil && p.Namespace == namespace {
			name = p.Name
		}
		return nil
	})
	return name
}

// kbNamespace reports whether a kb node is known here under ns: a peer added under it,
// or a key pinned for it that signed as ns itself.
func (s *Service) kbNamespace(tx *store.Tx, ns string) bool {
	if ns == s.cfg.Namespace {
		return true
	}
	known := false
	tx.Peers().ForEach(func(k, v []byte) error {
		var p Peer
		if json.Unmarshal(v, &p) == nil && p.Namespace == ns && p.Format != FormatDC {
			known = true
		}
		return nil
	})
	return known
}
