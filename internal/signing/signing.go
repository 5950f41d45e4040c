// Package signing lets an origin sign each version of a practice it publishes, and any
// node verify a version relayed to it by others: ed25519 over a canonical statement.
package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Statement is what an authority signs of one version of a practice: its identity, its
// version, and a digest of everything that travels with it (nothing for a deletion).
type Statement struct {
	URI        string `json:"uri"`
	Version    int    `json:"version"`
	Updated    string `json:"updated"`
	Deleted    bool   `json:"deleted,omitempty"`
	ReplacedBy string `json:"replaced_by,omitempty"`
	Digest     string `json:"digest,omitempty"`
}

// stampLayout is OAI-PMH's second granularity, at which every time travels.
const stampLayout = "2006-01-02T15:04:05Z"

// Stamp writes a time as statements carry it.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(stampLayout)
}

// content is every field of a practice that travels between nodes, in a fixed order.
// The local id, version and time, the origin and anything local are not in it.
type content struct {
	Title          string        `json:"title"`
	Summary        string        `json:"summary"`
	City           string        `json:"city"`
	Country        string        `json:"country"`
	Region         string        `json:"region,omitempty"`
	PopulationBand string        `json:"population_band,omitempty"`
	Areas          []string      `json:"areas,omitempty"`
	Crises         []string      `json:"crises,omitempty"`
	Tags           []string      `json:"tags,omitempty"`
	TargetGroups   []string      `json:"target_groups,omitempty"`
	Results        []string      `json:"results,omitempty"`
	Prerequisites  []string      `json:"prerequisites,omitempty"`
	Year           int           `json:"year,omitempty"`
	Status         string        `json:"status,omitempty"`
	Source         string        `json:"source"`
	Languages      []string      `json:"languages,omitempty"`
	Session        string        `json:"session,omitempty"`
	Body           string        `json:"body"`
	SameAs         []string      `json:"same_as,omitempty"`
	Translations   []translation `json:"translations,omitempty"`
	Assisted       *assisted     `json:"assisted,omitempty"`
	// Added after the first release: empty ones leave earlier digests unchanged.
	Cost       string `json:"cost,omitempty"`
	Complexity string `json:"complexity,omitempty"`
}

type translation struct {
	Language  string `json:"language"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Body      string `json:"body"`
	Machine   bool   `json:"machine,omitempty"`
	Model     string `json:"model,omitempty"`
	Generated string `json:"generated,omitempty"`
	Reviewed  bool   `json:"reviewed,omitempty"`
	Partial   bool   `json:"partial,omitempty"`
	// Added after the first release: empty ones leave earlier digests unchanged.
	Results []string `json:"results,omitempty"`
	By      string   `json:"by,omitempty"`
}

type assisted struct {
	Model     string   `json:"model"`
	Generated string   `json:"generated,omitempty"`
	Fields    []string `json:"fields,omitempty"`
	Edited    []string `json:"edited,omitempty"`
}

// Digest is the hex SHA-256 of the practice's travelling content.
func Digest(p *practices.Practice) string {
	c := content{Title: p.Title, Summary: p.Summary, City: p.City, Country: p.Country, Region: p.Region,
		PopulationBand: p.PopulationBand, Areas: p.Areas, Crises: p.Crises, Tags: p.Tags, TargetGroups: p.TargetGroups,
		Results: p.Results, Prerequisites: p.Prerequisites, Year: p.Year, Status: p.Status, Source: p.Source,
		Languages: p.Languages, Session: p.Session, Body: p.Body, SameAs: p.SameAs, Cost: p.Cost, Complexity: p.Complexity}
	// In language order: the same translations are the same content, however they came.
	ts := slices.Clone(p.Translations)
	slices.SortStableFunc(ts, func(a, b practices.Translation) int { return strings.Compare(a.Language, b.Language) })
	for _, t := range ts {
		c.Translations = append(c.Translations, translation{t.Language, t.Title, t.Summary, t.Body, t.Machine, t.Model, Stamp(t.Generated), t.Reviewed, t.Partial, t.Results, t.By})
	}
	if a := p.Assisted; a != nil {
		c.Assisted = &assisted{a.Model, Stamp(a.Generated), a.Fields, a.Edited}
	}
	data, _ := json.Marshal(c) // plain types only: it cannot fail
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// message is the bytes signed: a fixed label, so a signature means nothing elsewhere.
func (st Statement) message() []byte {
	data, _ := json.Marshal(st)
	return append([]byte("kb practice version v1\n"), data...)
}

// Key is a node's signing key.
type Key struct {
	priv ed25519.PrivateKey
}

// Public is the public key, base64, as Identify publishes it.
func (k *Key) Public() string {
	return base64.StdEncoding.EncodeToString(k.priv.Public().(ed25519.PublicKey))
}

// Sign signs a statement as the authority named signer.
func (k *Key) Sign(signer string, st Statement) practices.Signature {
	sig := ed25519.Sign(k.priv, st.message())
	return practices.Signature{Signer: signer, Key: k.Public(), Value: base64.StdEncoding.EncodeToString(sig)}
}

// ErrBadSignature means a signature does not verify.
var ErrBadSignature = errors.New("the signature does not verify")

// Verify checks a signature of a statement with a public key (base64).
func Verify(publicKey string, st Statement, sig *practices.Signature) error {
	if sig == nil {
		return fmt.Errorf("%w: the record is not signed", ErrBadSignature)
	}
	pub, err := base64.StdEncoding.DecodeString(publicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: %q is not an ed25519 public key", ErrBadSignature, publicKey)
	}
	value, err := base64.StdEncoding.DecodeString(sig.Value)
	if err != nil || !ed25519.Verify(pub, st.message(), value) {
		return ErrBadSignature
	}
	return nil
}

// ValidPublicKey reports whether s is a base64 ed25519 public key.
func ValidPublicKey(s string) bool {
	pub, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(pub) == ed25519.PublicKeySize
}

var keySeed = []byte("ed25519_seed")

// Updater is the store's write transaction.
type Updater interface {
	Update(fn func(tx *store.Tx) error) error
}

// LoadKey returns the node's signing key, made at the first call and kept in the store
// (so a backup carries it: a restored node keeps its identity).
func LoadKey(st Updater) (*Key, error) {
	var seed []byte
	err := st.Update(func(tx *store.Tx) error {
		b := tx.NodeIdentity()
		if v := b.Get(keySeed); len(v) == ed25519.SeedSize {
			seed = v // Get copies
			return nil
		}
		seed = make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return err
		}
		return b.Put(keySeed, seed)
	})
	if err != nil {
		return nil, fmt.Errorf("load the node's signing key: %w", err)
	}
	return &Key{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// Of is the statement for the version of p held here: the authority's version number
// and time for a harvested practice, the practice's own for one this node publishes
// (adopted ones included).
func Of(p *practices.Practice, uri string) Statement {
	st := Statement{URI: uri, Version: p.Version, Updated: Stamp(p.UpdatedAt), Deleted: p.Archived, ReplacedBy: p.ReplacedBy}
	if o := p.Origin; o != nil && !p.Adopted() {
		// The authority's deletion, not an archive of this node's own (a practice that
		// left the set it harvests), which its signature does not cover.
		st.Version, st.Updated, st.Deleted = o.Version, Stamp(o.Updated), o.Deleted
	}
	if !st.Deleted {
		st.Digest = Digest(p)
	}
	return st
}

var keyNamespace = []byte("namespace")

// DefaultNamespace is a node's namespace until one is configured.
const DefaultNamespace = "kb.localhost"

// Namespace returns the node's namespace: the one configured, recorded at its first use
// and refused when it later differs (every identity the node minted and every peer's
// pinned key depend on it), or, with none configured, the one recorded or the default.
func Namespace(st Updater, configured string) (string, error) {
	var ns string
	err := st.Update(func(tx *store.Tx) error {
		b := tx.NodeIdentity()
		recorded := string(b.Get(keyNamespace))
		switch {
		case configured == "" && recorded == "":
			ns = DefaultNamespace
		case configured == "":
			ns = recorded
		case recorded == "" || recorded == configured:
			ns = configured
			return b.Put(keyNamespace, []byte(configured))
		default:
			return fmt.Errorf("this data dir's OAI namespace is %s: the identities of its practices and the key its peers pinned belong to it, so it cannot become %s; start with --oai-namespace %s (or KB_OAI_NAMESPACE)", recorded, configured, recorded)
		}
		return nil
	})
	return ns, err
}
