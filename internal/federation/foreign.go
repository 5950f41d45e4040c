package federation

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Formats a peer is harvested in.
const (
	// FormatKB is a kb node's: every field of a practice, signed by its authority.
	FormatKB = oai.PrefixKB
	// FormatDC is simple Dublin Core, which every OAI-PMH repository serves (DSpace,
	// EPrints, a kb node too): its records become drafts that a coordinator completes.
	FormatDC = oai.PrefixDC
)

// The store's DraftRejected remember, per identity, the datestamp of the draft a
// coordinator rejected: identity → Unix seconds.

// setSpec is the syntax OAI-PMH gives a set's spec.
var setSpec = regexp.MustCompile(`^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$`)

// validateFormat defaults a new peer's format to kb's and checks what depends on it: a
// repository that is not kb gives drafts, so its policy is review, and its sets are its
// own.
func validateFormat(n *NewPeer, f *apperr.FieldErrors) {
	if n.Format == "" {
		n.Format = FormatKB
	}
	switch n.Format {
	case FormatKB:
	case FormatDC:
		if n.Policy == "" {
			n.Policy = PolicyReview
		}
		if n.Policy != PolicyReview {
			f.Add("policy", "must be review for a repository that is not kb: its records are drafts that a coordinator completes before they are published", apperr.NotAChoice, n.Policy)
		}
		if n.Set != "" && !setSpec.MatchString(n.Set) {
			f.Add("set", "must be a setSpec of the repository, e.g. com_123456789_1", apperr.Malformed)
		}
	default:
		f.Add("format", "must be kb (a kb node, whose practices are signed by their authority) or oai_dc (any OAI-PMH repository, such as DSpace or EPrints, whose records become drafts for a coordinator)", apperr.NotAChoice, n.Format)
	}
}

// checkRepository admits a repository that is not kb: it answered Identify, and it
// serves oai_dc. Its repositoryIdentifier, if any, is recorded as its namespace; no key
// is recorded or pinned, so a kb node added this way is harvested as any repository.
func (s *Service) checkRepository(ctx context.Context, url string, repo oai.Repository) (oai.Repository, error) {
	formats, err := s.client.ListMetadataFormats(ctx, url)
	if err != nil {
		return repo, refused("the repository did not list its metadata formats", "url", fmt.Sprintf("%s did not answer ListMetadataFormats: %v", url, err), NoAnswer, url)
	}
	if !slices.Contains(formats, oai.PrefixDC) {
		return repo, refused("the repository does not serve oai_dc", "format", fmt.Sprintf("%s serves %s, not oai_dc", url, strings.Join(formats, ", ")), NoOAIDC, strings.Join(formats, ", "))
	}
	switch repo.Namespace {
	case s.cfg.Namespace:
		return repo, refused("the repository claims this node's namespace", "url", fmt.Sprintf("it says its namespace is %s, which is this node's own", repo.Namespace), OwnNamespace, repo.Namespace)
	case practices.StudyNamespace:
		return repo, refused("the repository claims the study's namespace", "url", "no repository's namespace is the study's", StudyNamespace)
	}
	repo.PublicKey = ""
	return repo, nil
}

// list harvests a peer's records in its format.
func (s *Service) list(ctx context.Context, peer *Peer, fn func(oai.Page) error) error {
	if peer.Format == FormatDC {
		return s.client.ListDCRecords(ctx, peer.URL, peer.From, peer.Set, fn)
	}
	return s.client.ListRecords(ctx, peer.URL, peer.From, peer.Set, fn)
}

// applyDraft takes one record of a repository that is not kb. A new one is queued as a
// draft, never published, whatever is missing from it; a newer datestamp replaces a
// queued draft, and updates a published practice in the fields the repository gives
// only, keeping what its coordinators completed; a deletion withdraws a queued draft or
// archives the published practice. A practice held or queued from elsewhere is never
// changed by such a record. It returns a draft new here, to be checked for duplicates.
func (s *Service) applyDraft(tx *store.Tx, peer *Peer, rec oai.Record, harvested time.Time, rep *Report) (*practices.Practice, error) {
	h := rec.Header
	uri := identityOf(h.Identifier, peer)
	if rec.DC != nil {
		if named := namedIdentity(rec.DC); named != "" && named != uri {
			// A kb node relays it, or seeds it: taken from its origin, not adopted here.
			switch practices.AuthorityOf(named, s.cfg.StudyAuthority) {
			case s.cfg.Namespace:
				rep.Own++
			case "":
				rep.Study++
			default:
				rep.problem(h.Identifier, said("harvest.problem.elsewhere", named), "")
			}
			return nil, nil
		}
	}
	switch practices.AuthorityOf(uri, s.cfg.StudyAuthority) {
	case s.cfg.Namespace:
		rep.Own++
		return nil, nil
	case "":
		rep.Study++
		return nil, nil
	}
	if ns, _, _ := practices.SplitURI(uri); pinnedNamespace(tx, ns) {
		// A kb network's practices come signed by it, never through such a record.
		rep.refuse(h.Identifier, said("harvest.problem.kb_namespace", ns), "")
		return nil, nil
	}
	id, held, err := heldByURI(tx, uri)
	if err != nil {
		return nil, err
	}
	queued, _, err := getQueued(tx, uri)
	if err != nil {
		return nil, err
	}
	ours := func(p *practices.Practice) bool { return p.Adopted() && p.Origin.Peer == peer.Name }
	if (held != nil && !ours(held)) || (queued != nil && !ours(queued)) {
		rep.Unchanged++ // held or queued from its authority, or through another peer
		return nil, nil
	}
	stamp, _ := oai.ParseStamp(h.Datestamp) // the client checked it
	origin := &practices.Origin{Format: FormatDC, Peer: peer.Name, Network: peer.Name, Repository: peer.URL, RepositoryName: peer.RepositoryName,
		Identifier: h.Identifier, Datestamp: stamp, HarvestedAt: harvested}
	if h.Deleted() {
		switch {
		case queued != nil:
			return nil, tx.HarvestQueue().Delete([]byte(uri))
		case held != nil && !held.Archived:
			p := held.Clone()
			p.Archived = true
			p.Origin.Identifier, p.Origin.Datestamp, p.Origin.HarvestedAt = origin.Identifier, stamp, harvested
			if _, err := tx.PutPractice(p, store.NewVersion); err != nil {
				return nil, err
			}
			rep.Archived++
			return nil, audit.Append(tx, audit.Record("peer:"+peer.Name, "harvest_delete", "practice:"+id, held, p, uri))
		}
		rep.Unchanged++
		return nil, nil
	}
	rejected, err := draftRejected(tx, uri)
	if err != nil {
		return nil, err
	}
	switch {
	case !stamp.After(rejected):
		rep.Unchanged++ // a coordinator rejected this datestamp
		return nil, nil
	case held != nil && !stamp.After(held.Origin.Datestamp), queued != nil && !stamp.After(queued.Origin.Datestamp):
		rep.Unchanged++
		return nil, nil
	}
	d := s.draftOf(rec.DC, uri)
	origin.Coverage = texts(rec.DC.Coverage)
	if held != nil {
		p := held.Clone()
		given(p, d)
		p.Origin = origin
		p.Normalize()
		if err := p.Validate(s.geo); err != nil {
			rep.invalid(h.Identifier, err)
			return nil, nil
		}
		if _, err := tx.PutPractice(p, store.NewVersion); err != nil {
			return nil, err
		}
		rep.Updated++
		return nil, audit.Append(tx, audit.Record("peer:"+peer.Name, "harvest", "practice:"+id, held, p, uri))
	}
	if queued != nil {
		d.ID = queued.ID
	} else if d.ID, err = tx.FreeID(uri); err != nil {
		return nil, err
	}
	if d.Source == "" {
		d.Source = recordURL(peer.URL, h.Identifier)
	}
	d.Origin = origin
	d.Origin.Missing = missing(d, s.geo)
	rep.Queued++
	if err := putQueued(tx, d); err != nil || queued != nil {
		return nil, err // a replaced draft was checked for duplicates when it first came
	}
	return d, nil
}

func pinnedNamespace(tx *store.Tx, ns string) bool {
	_, ok := pinnedKey(tx, ns)
	return ok
}

// draftRejected is the datestamp of the draft with identity uri a coordinator rejected,
// zero when none was.
func draftRejected(tx *store.Tx, uri string) (time.Time, error) {
	if v := tx.DraftRejected().Get([]byte(uri)); len(v) == 8 {
		return time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC(), nil
	}
	return time.Time{}, nil
}

// rejectDraft remembers a rejected draft's datestamp: the same record is not queued
// again, a newer one is.
func rejectDraft(tx *store.Tx, p *practices.Practice) error {
	if !p.Adopted() {
		return nil
	}
	return tx.DraftRejected().Put([]byte(p.URI), binary.BigEndian.AppendUint64(nil, uint64(p.Origin.Datestamp.Unix())))
}

// Completion is what a coordinator adds to a draft from a repository that is not kb
// when accepting it: the fields the repository did not give (city, country and areas,
// most often). An empty field keeps the draft's.
type Completion struct {
	Title     string   `json:"title,omitempty"`
	Summary   string   `json:"summary,omitempty"`
	Body      string   `json:"body,omitempty"`
	City      string   `json:"city,omitempty"`
	Country   string   `json:"country,omitempty"`
	Areas     []string `json:"areas,omitempty"`
	Languages []string `json:"languages,omitempty"`
	Source    string   `json:"source,omitempty"`
}

func (c Completion) empty() bool {
	return c.Title == "" && c.Summary == "" && c.Body == "" && c.City == "" && c.Country == "" && len(c.Areas) == 0 && len(c.Languages) == 0 && c.Source == ""
}

// Accept publishes a queued practice, completing a draft from a repository that is not
// kb with what the coordinator gives; the draft must then be a valid practice.
func (s *Service) Accept(ctx context.Context, actor, id string, done Completion) (*practices.Practice, error) {
	return s.decide(ctx, actor, id, true, done)
}

// complete readies a queued practice for publication: a kb practice as its authority
// signed it, a draft with the coordinator's completion, refused with every field still
// missing or wrong.
func (s *Service) complete(p *practices.Practice, done Completion) error {
	if !p.Adopted() {
		if !done.empty() {
			return apperr.Errorf(apperr.Conflict, "%s is published by its authority %s as signed: it is accepted as it is, not completed here", p.ID, p.Origin.Network)
		}
		return nil
	}
	p.Title, p.Summary, p.Body, p.Source = cmp.Or(done.Title, p.Title), cmp.Or(done.Summary, p.Summary), cmp.Or(done.Body, p.Body), cmp.Or(done.Source, p.Source)
	if done.City != "" || done.Country != "" {
		p.City, p.Country = cmp.Or(done.City, p.City), cmp.Or(done.Country, p.Country)
		p.Region, p.PopulationBand = "", "" // derived again from the new place
	}
	if len(done.Areas) > 0 {
		p.Areas = done.Areas
	}
	if len(done.Languages) > 0 {
		p.Languages = done.Languages
	}
	p.Normalize()
	s.geo.Enrich(p)
	if err := p.Validate(s.geo); err != nil {
		return apperr.InvalidFields(fmt.Sprintf("the draft %s from %s lacks what a practice needs; complete it when accepting (kb peer accept %s --city CITY --country CC --areas AREA,AREA)", p.ID, p.Origin.Peer, p.ID), apperr.As(err).Fields)
	}
	p.Origin.Missing = nil
	return nil
}
