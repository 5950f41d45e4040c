package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Cases submitted independently to two networks are the same case under two identities.
// A harvest flags a practice new here that looks like one already held from another
// authority (the same normalised title, or the same city, country and year, a word of
// the title and much of the same text); a coordinator confirms or dismisses the flag. A confirmed link becomes
// a same_as of the practice this node publishes, so it travels to every peer with the
// next version, and search everywhere shows the case once (practices.CollapsedInto).

// The store's Duplicates hold the flags: new identity 0x00 held identity → Duplicate.

// Duplicate states.
const (
	DuplicateOpen      = "open"
	DuplicateConfirmed = "confirmed"
	DuplicateDismissed = "dismissed"
)

// Duplicate is a probable duplicate: a harvested practice and one held before it.
type Duplicate struct {
	URI     string  `json:"uri"`
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	HeldURI string  `json:"held_uri"`
	HeldID  string  `json:"held_id"`
	Score   float64 `json:"score"`
	// Reasons say why in English; Says says the same as sentences of the catalogues, for
	// each reader's language (a flag raised before it was said so has only Reasons).
	Reasons []string    `json:"reasons"`
	Says    []i18n.Text `json:"says,omitempty"`
	State   string      `json:"state"`
	Flagged time.Time   `json:"flagged"`
	// DecidedBy and Decided say who confirmed or dismissed it, and when.
	DecidedBy string    `json:"decided_by,omitempty"`
	Decided   time.Time `json:"decided,omitzero"`
}

func duplicateKey(uri, held string) []byte { return append(append([]byte(uri), 0), held...) }

// likeness is what a practice is compared by: its normalised title, place, year and words.
type likeness struct {
	id, uri, authority string
	title, place       string
	year               int
	words              map[string]bool
	links              []string
}

func likenessOf(p *practices.Practice, ns, study string) likeness {
	authority := p.AuthorityNamespace(ns, study)
	if p.Adopted() { // its source is the repository it came from, not this node
		authority, _, _ = practices.SplitURI(p.URI)
	}
	l := likeness{id: p.ID, uri: p.Identity(ns), authority: authority, title: normalTitle(p.Title),
		place: practices.Fold(p.City) + "|" + p.Country, year: p.Year, links: append(slices.Clone(p.SameAs), p.LocalSameAs...)}
	return l
}

// withWords adds the words of p's title and summary to its likeness: only worth it for
// a practice that has lookalikes, or may be one.
func (l *likeness) withWords(p *practices.Practice) {
	l.words = map[string]bool{}
	for _, w := range strings.FieldsFunc(practices.Fold(p.Title+" "+p.Summary), notWordRune) {
		if len(w) > 3 {
			l.words[w] = true
		}
	}
}

func notWordRune(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127) }

func normalTitle(s string) string {
	return strings.Join(strings.FieldsFunc(practices.Fold(s), notWordRune), " ")
}

// resemblance is the share of the words of a and b that both have (Jaccard).
func resemblance(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	both := 0
	for w := range a {
		if b[w] {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

// minResemblance is the share of shared words that makes two practices of one city and
// year probable duplicates.
const minResemblance = 0.35

// lookalikes indexes the practices held, so that each new record is compared with the
// few that share its title, or its place and a word of its title, not with every
// practice of its city (at 100 000 practices that was most of a harvest's time).
type lookalikes struct {
	byTitle, byPlaceWord map[string][]*likeness
}

// titleWords are the words of a normalised title that tell practices apart.
func titleWords(title string) []string {
	var out []string
	for _, w := range strings.Fields(title) {
		if len(w) > 3 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func (l *lookalikes) add(x *likeness) {
	l.byTitle[x.title] = append(l.byTitle[x.title], x)
	for _, w := range titleWords(x.title) {
		k := x.place + "|" + w
		l.byPlaceWord[k] = append(l.byPlaceWord[k], x)
	}
}

// near lists the practices held that share x's title, or its place and a title word.
func (l *lookalikes) near(x *likeness) []*likeness {
	out := slices.Clone(l.byTitle[x.title])
	for _, w := range titleWords(x.title) {
		out = append(out, l.byPlaceWord[x.place+"|"+w]...)
	}
	return out
}

func (s *Service) loadLookalikes(tx *store.Tx) (*lookalikes, error) {
	l := &lookalikes{byTitle: map[string][]*likeness{}, byPlaceWord: map[string][]*likeness{}}
	err := tx.EachPractice(func(p *practices.Practice) error {
		if p.Archived {
			return nil
		}
		x := likenessOf(p, s.cfg.Namespace, s.cfg.StudyAuthority)
		x.withWords(p)
		l.add(&x)
		return nil
	})
	return l, err
}

// flagDuplicates records the probable duplicates of p, new here, among the practices of
// other authorities; it returns how many it flagged.
func (s *Service) flagDuplicates(tx *store.Tx, l *lookalikes, p *practices.Practice, now time.Time) (int, error) {
	x := likenessOf(p, s.cfg.Namespace, s.cfg.StudyAuthority)
	near := l.near(&x)
	if len(near) == 0 {
		return 0, nil
	}
	x.withWords(p)
	seen := map[string]bool{}
	n := 0
	for _, y := range near {
		if seen[y.uri] || y.uri == x.uri || y.authority == x.authority || slices.Contains(x.links, y.uri) || slices.Contains(y.links, x.uri) {
			continue
		}
		seen[y.uri] = true
		var reasons []i18n.Text
		score := resemblance(x.words, y.words)
		if x.title == y.title && x.title != "" {
			reasons = append(reasons, said("peers.reason.title"))
			score = max(score, 0.9)
		}
		if x.place == y.place {
			reasons = append(reasons, said("peers.reason.place"))
			if x.year == y.year && x.year != 0 {
				reasons = append(reasons, said("peers.reason.year"))
			}
			if score >= minResemblance {
				reasons = append(reasons, said("peers.reason.words", int(math.Round(100*resemblance(x.words, y.words)))))
			}
		}
		if x.title != y.title && (x.place != y.place || score < minResemblance || (x.year != 0 && y.year != 0 && x.year != y.year)) {
			continue
		}
		key := duplicateKey(x.uri, y.uri)
		if tx.Duplicates().Get(key) != nil {
			continue // flagged before, or decided
		}
		d := Duplicate{URI: x.uri, ID: p.ID, Title: p.Title, HeldURI: y.uri, HeldID: y.id, Score: score, Says: reasons, State: DuplicateOpen, Flagged: now}
		for _, r := range reasons {
			d.Reasons = append(d.Reasons, english(r))
		}
		data, _ := json.Marshal(d)
		if err := tx.Duplicates().Put(key, data); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Duplicates lists the probable duplicates in a state (empty: every state), newest first.
func (s *Service) Duplicates(state string) ([]Duplicate, error) {
	out := []Duplicate{}
	err := s.store.View(func(tx *store.Tx) error {
		return tx.Duplicates().ForEach(func(k, v []byte) error {
			var d Duplicate
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode duplicate %q: %w", k, err)
			}
			if state == "" || d.State == state {
				out = append(out, d)
			}
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Flagged.After(out[j].Flagged) })
	return out, err
}

// DecideDuplicate confirms or dismisses a flag, named by the local ids of its two
// practices. Confirming adds the other's identity to the same_as of the one this node
// publishes (a new version, signed, that travels to peers); when it publishes neither,
// the link is kept here only, as a local annotation of the newer one.
func (s *Service) DecideDuplicate(ctx context.Context, actor, id, heldID string, confirm bool) (*Duplicate, error) {
	var out *Duplicate
	err := s.store.Update(func(tx *store.Tx) error {
		d, key, err := findDuplicate(tx, id, heldID)
		if err != nil {
			return err
		}
		if d.State != DuplicateOpen {
			return apperr.Errorf(apperr.Conflict, "the flag of %s and %s was already %s", id, heldID, d.State)
		}
		d.State, d.DecidedBy, d.Decided = DuplicateDismissed, actor, s.store.Now()
		if confirm {
			d.State = DuplicateConfirmed
			if err := s.link(tx, d); err != nil {
				return err
			}
		}
		data, _ := json.Marshal(d)
		if err := tx.Duplicates().Put(key, data); err != nil {
			return err
		}
		out = d
		return audit.Append(tx, audit.Record(actor, "duplicate."+d.State, "practice:"+id, nil, d, heldID))
	})
	if err != nil {
		return nil, err
	}
	if err := s.index.Sync(ctx); err != nil {
		s.log.Error("index sync after a duplicate decision failed", "err", err)
	}
	return out, nil
}

func findDuplicate(tx *store.Tx, id, heldID string) (*Duplicate, []byte, error) {
	var found *Duplicate
	var key []byte
	err := tx.Duplicates().ForEach(func(k, v []byte) error {
		var d Duplicate
		if err := json.Unmarshal(v, &d); err != nil {
			return err
		}
		if d.ID == id && d.HeldID == heldID {
			found, key = &d, bytes.Clone(k)
		}
		return nil
	})
	if err == nil && found == nil {
		err = apperr.Errorf(apperr.NotFound, "%s and %s are not flagged as probable duplicates", id, heldID)
	}
	return found, key, err
}

// link writes a confirmed same_as.
func (s *Service) link(tx *store.Tx, d *Duplicate) error {
	newer, err := tx.Practice(d.ID)
	if err != nil {
		return err
	}
	held, err := tx.Practice(d.HeldID)
	if err != nil {
		return err
	}
	for _, pair := range [][2]*practices.Practice{{held, newer}, {newer, held}} {
		mine, other := pair[0], pair[1]
		if mine.AuthorityNamespace(s.cfg.Namespace, s.cfg.StudyAuthority) != s.cfg.Namespace {
			continue
		}
		p := *mine
		p.SameAs = append(slices.Clone(p.SameAs), other.Identity(s.cfg.Namespace))
		_, err := tx.PutPractice(&p, store.NewVersion)
		return err
	}
	p := *newer
	p.LocalSameAs = append(slices.Clone(p.LocalSameAs), held.Identity(s.cfg.Namespace))
	return tx.RewritePractice(&p)
}
