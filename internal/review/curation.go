package review

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Edit stores a coordinator's edit of a published practice as a new version. An edit
// keeps the practice's identity and origin: changing them is an admin's repair.
func (s *Service) Edit(ctx context.Context, actor, id string, p practices.Practice) (*practices.Practice, error) {
	return s.change(ctx, actor, id, VersionNote{Action: "practice.edit"}, func(old *practices.Practice) (*practices.Practice, error) {
		return s.edited(old, p)
	})
}

// edited is the new version of old with p's content: the identity, origin, local
// annotations, translations (unless p gives them) and record of AI assistance stay old's.
func (s *Service) edited(old *practices.Practice, p practices.Practice) (*practices.Practice, error) {
	p.ID, p.Archived, p.Version, p.UpdatedAt = old.ID, old.Archived, 0, old.UpdatedAt
	// Identity and local annotations are not the edit's to change.
	p.URI, p.SameAs, p.ReplacedBy, p.Origin, p.Hidden, p.LocalNote, p.LocalSameAs = old.URI, old.SameAs, old.ReplacedBy, old.Origin, old.Hidden, old.LocalNote, old.LocalSameAs
	if p.Session == "" {
		p.Session = old.Session
	}
	// Translations are kept apart from the text being edited, and the record of what
	// an assistant suggested stays as it was at publication.
	if p.Translations == nil {
		p.Translations = old.Translations
	}
	p.Assisted = old.Assisted
	p.Region, p.PopulationBand = "", ""
	p.Normalize()
	s.geo.Enrich(&p)
	if err := p.Validate(s.geo); err != nil {
		return nil, err
	}
	return &p, nil
}

// Repair is an admin's way to put any practice right, one this node is not the authority
// of too: the practice is stored as given, as a new version, its identity, origin,
// translations and record of AI assistance included (left out, they are removed). Only
// its archiving stays, which has its own action. The door checks that the actor is an
// admin.
func (s *Service) Repair(ctx context.Context, actor, id string, p practices.Practice) (*practices.Practice, error) {
	var out *practices.Practice
	err := s.store.Update(func(tx *store.Tx) error {
		cur, err := tx.Practice(id)
		if err != nil {
			return err
		}
		p.ID, p.Archived, p.Version, p.UpdatedAt = id, cur.Archived, 0, cur.UpdatedAt
		p.Region, p.PopulationBand = "", ""
		p.Normalize()
		s.geo.Enrich(&p)
		if err := p.Validate(s.geo); err != nil {
			return err
		}
		r, err := tx.PutPractice(&p, store.NewVersion)
		if err != nil {
			return err
		}
		out = cur
		if !r.Changed {
			return nil
		}
		out = &p
		if err := noteVersion(ctx, tx, actor, id, p.Version, VersionNote{Action: "practice.repair"}); err != nil {
			return err
		}
		return audit.Append(tx, audit.Record(actor, "practice.repair", "practice:"+id, cur, &p, authorIn(ctx).Note))
	})
	if err != nil {
		return nil, err
	}
	s.synced(ctx)
	return out, nil
}

// Revert stores an earlier version again, as the newest version.
func (s *Service) Revert(ctx context.Context, actor, id string, version int) (*practices.Practice, error) {
	old, err := s.store.Version(ctx, id, version)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, actor, id, VersionNote{Action: "practice.revert", Restored: version}, func(cur *practices.Practice) (*practices.Practice, error) {
		p := *old
		p.Archived = cur.Archived
		p.URI, p.SameAs, p.ReplacedBy, p.Origin, p.Hidden, p.LocalNote, p.LocalSameAs = cur.URI, cur.SameAs, cur.ReplacedBy, cur.Origin, cur.Hidden, cur.LocalNote, cur.LocalSameAs
		return &p, nil
	})
}

// Archive hides a practice from search and recommendations, or brings it back.
func (s *Service) Archive(ctx context.Context, actor, id string, archived bool) (*practices.Practice, error) {
	action := "practice.archive"
	if !archived {
		action = "practice.unarchive"
	}
	return s.change(ctx, actor, id, VersionNote{Action: action}, func(cur *practices.Practice) (*practices.Practice, error) {
		if _, merged := s.store.Redirect(id); merged && !archived {
			return nil, apperr.Errorf(apperr.Conflict, "practice %q was merged into another; it cannot be brought back", id)
		}
		p := *cur
		p.Archived = archived
		return &p, nil
	})
}

// Merge keeps into and retires id: id is archived and its address redirects to into.
func (s *Service) Merge(ctx context.Context, actor, id, into string) (*practices.Practice, error) {
	if id == into {
		return nil, fieldErr("into", "a practice cannot be merged into itself", apperr.Malformed)
	}
	target, err := s.store.Get(ctx, into)
	if apperr.Code(err) == apperr.NotFound {
		return nil, fieldErr("into", fmt.Sprintf("there is no practice %q", into), apperr.Unknown, into)
	}
	if err != nil {
		return nil, err
	}
	if target.Archived {
		return nil, apperr.Errorf(apperr.Conflict, "practice %q is archived; merge into a published practice", into)
	}
	return s.change(ctx, actor, id, VersionNote{Action: "practice.merge", Into: into}, func(cur *practices.Practice) (*practices.Practice, error) {
		if _, merged := s.store.Redirect(id); merged {
			return nil, apperr.Errorf(apperr.Conflict, "practice %q was already merged", id)
		}
		p := *cur
		p.Archived = true
		p.ReplacedBy = target.Identity(s.authority.Namespace) // travels with the deletion
		return &p, nil
	}, func(tx *store.Tx) error { return tx.SetRedirect(id, into) })
}

// change writes a new version of a practice, made by edit from the current one, with its
// author (from ctx), its audit entry and any extra writes in one transaction; the index
// follows. what names the action and says what the version records of it.
func (s *Service) change(ctx context.Context, actor, id string, what VersionNote, edit func(*practices.Practice) (*practices.Practice, error), extra ...func(*store.Tx) error) (*practices.Practice, error) {
	if err := checkNote(ctx); err != nil {
		return nil, err
	}
	var out *practices.Practice
	err := s.store.Update(func(tx *store.Tx) error {
		var err error
		out, err = s.changeTx(ctx, tx, actor, id, what, edit, extra...)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.synced(ctx)
	return out, nil
}

// changeTx is change inside the caller's transaction; the caller syncs the index.
func (s *Service) changeTx(ctx context.Context, tx *store.Tx, actor, id string, what VersionNote, edit func(*practices.Practice) (*practices.Practice, error), extra ...func(*store.Tx) error) (*practices.Practice, error) {
	var notes []string
	switch {
	case what.Restored > 0:
		notes = append(notes, fmt.Sprintf("to version %d", what.Restored))
	case what.Into != "":
		notes = append(notes, "into "+what.Into)
	case what.Submission != "":
		notes = append(notes, "from submission "+what.Submission)
	}
	if a := authorIn(ctx).Note; a != "" {
		notes = append(notes, a)
	}
	cur, err := tx.Practice(id)
	if err != nil {
		return nil, err
	}
	if !s.authority.owns(cur) {
		return nil, notOurs(cur)
	}
	p, err := edit(cur)
	if err != nil {
		return nil, err
	}
	r, err := tx.PutPractice(p, store.NewVersion)
	if err != nil {
		return nil, err
	}
	if !r.Changed {
		return cur, nil
	}
	for _, x := range extra {
		if err := x(tx); err != nil {
			return nil, err
		}
	}
	if err := noteVersion(ctx, tx, actor, id, p.Version, what); err != nil {
		return nil, err
	}
	return p, audit.Append(tx, audit.Record(actor, what.Action, "practice:"+id, cur, p, strings.Join(notes, " · ")))
}

// Feature puts a practice on the home page, or takes it off.
func (s *Service) Feature(ctx context.Context, actor, id string, featured bool) error {
	return s.store.Update(func(tx *store.Tx) error {
		p, err := tx.Practice(id)
		if err != nil {
			return err
		}
		if featured && p.Archived {
			return apperr.Errorf(apperr.Conflict, "an archived practice cannot be featured")
		}
		if err := tx.SetFeatured(id, featured, s.store.Now()); err != nil {
			return err
		}
		action := "practice.feature"
		if !featured {
			action = "practice.unfeature"
		}
		return audit.Append(tx, audit.Record(actor, action, "practice:"+id, nil, nil, ""))
	})
}

// FieldChange is one difference between two versions.
type FieldChange struct {
	Field   string   `json:"field"`
	From    any      `json:"from,omitempty"`
	To      any      `json:"to,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// Diff is a unified line diff, for long text.
	Diff string `json:"diff,omitempty"`
	// Words marks the words that changed inside a text (or the list of results), with
	// the text around them.
	Words []Span `json:"words,omitempty"`
}

// Diff says what changed between two versions of a practice, field by field.
type Diff struct {
	ID      string        `json:"id"`
	From    int           `json:"from"`
	To      int           `json:"to"`
	Changes []FieldChange `json:"changes"`
}

// CompareVersions compares two versions of a practice.
func (s *Service) CompareVersions(ctx context.Context, id string, from, to int) (*Diff, error) {
	a, err := s.store.Version(ctx, id, from)
	if err != nil {
		return nil, err
	}
	b, err := s.store.Version(ctx, id, to)
	if err != nil {
		return nil, err
	}
	return &Diff{ID: id, From: from, To: to, Changes: compare(a, b, fmt.Sprintf("version %d", from), fmt.Sprintf("version %d", to), versionFields)}, nil
}

// versionFields are what every version has of its own, left out of a diff of versions.
var versionFields = []string{"version", "updated_at"}

// caseFields are what tells two practices apart without being their content (identity,
// provenance, this node's own annotations and links, versions), left out when a
// harvested record is compared with a practice held here; translations are shown apart.
var caseFields = []string{"id", "uri", "version", "updated_at", "origin", "archived", "hidden", "local_note",
	"local_same_as", "collapsed_into", "same_as", "replaced_by", "session", "translations", "assisted"}

// ComparePractices lists how the content of a practice held here and another (a
// harvested record that may be the same case) differ, field by field; long text as a
// line diff from the held one's to the other's.
func ComparePractices(held, other *practices.Practice) []FieldChange {
	return compare(held, other, held.ID, other.ID, caseFields)
}

// compare lists the differing fields of two practices, in the order of the type, but
// those named in skip; from and to label the two sides of a line diff.
func compare(a, b *practices.Practice, from, to string, skip []string) []FieldChange {
	out := []FieldChange{}
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	t := va.Type()
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		if slices.Contains(skip, name) {
			continue
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.DeepEqual(x, y) {
			continue
		}
		switch xv := x.(type) {
		case []string:
			yv := y.([]string)
			c := FieldChange{Field: name, Added: minus(yv, xv), Removed: minus(xv, yv)}
			if slices.Contains(proseLists, name) {
				c.Words = wordDiff(strings.Join(xv, "\n"), strings.Join(yv, "\n"))
			}
			out = append(out, c)
		case string:
			yv := y.(string)
			c := FieldChange{Field: name, From: xv, To: yv, Words: wordDiff(xv, yv)}
			if strings.Contains(xv, "\n") || strings.Contains(yv, "\n") || len(xv) > 200 || len(yv) > 200 {
				c.From, c.To, c.Diff = nil, nil, lineDiff(xv, yv, from, to)
			}
			out = append(out, c)
		default:
			out = append(out, FieldChange{Field: name, From: x, To: y})
		}
	}
	return out
}

// proseLists are the list fields whose items are sentences: their diff marks words.
var proseLists = []string{"results"}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func lineDiff(a, b, from, to string) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(a), B: difflib.SplitLines(b),
		FromFile: from, ToFile: to, Context: 2,
	})
	return d
}

// notOurs explains why a practice held from elsewhere is not changed here.
func notOurs(p *practices.Practice) error {
	if p.Study() && p.Origin == nil {
		return apperr.Errorf(apperr.Conflict, "%s is one of the Smart Cities Study 2021's cases (%s): the study's cases are the same on every node and only the study's publisher changes them, so it cannot be edited, reverted, merged or archived here; a coordinator can add a local note or hide it", p.ID, p.URI)
	}
	network := p.URI
	if p.Origin != nil {
		network = p.Origin.Network
	}
	return apperr.Errorf(apperr.Conflict, "%s is published by %s (%s): only its origin publishes its versions, which follow here, so it cannot be edited, reverted, merged or archived locally; a coordinator can add a local note or hide it", p.ID, network, p.URI)
}

// Annotate sets this node's own note on a practice, or hides it from search here, without
// a new version: annotations are local and never travel to peers.
func (s *Service) Annotate(ctx context.Context, actor, id string, hidden *bool, note *string) (*practices.Practice, error) {
	var out *practices.Practice
	err := s.store.Update(func(tx *store.Tx) error {
		before, after, err := tx.Annotate(id, hidden, note)
		if err != nil {
			return err
		}
		out = after
		return audit.Append(tx, audit.Record(actor, "practice.annotate", "practice:"+id, before, after, ""))
	})
	if err != nil {
		return nil, err
	}
	s.synced(ctx)
	return out, nil
}
