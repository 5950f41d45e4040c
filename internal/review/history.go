package review

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// The store's VersionNotes hold who made each version of a practice and why: id 0x00
// version → VersionNote. Kept beside the store's versions, not in them: a version's
// content is what travels and is signed, its author and note are this node's record.

// MaxEditNote bounds an edit note.
const MaxEditNote = 500

// Author is who makes a change and why, as the version it makes records it. It travels
// in the request's context, so that every door (pages, API) keeps one signature per
// action; a change made without one is recorded under its actor alone.
type Author struct {
	Role string // coordinator or admin
	Name string // the name public pages show; empty: the role alone
	Note string // the edit note
}

type authorKey struct{}

// WithAuthor returns ctx carrying the author of the changes made with it.
func WithAuthor(ctx context.Context, a Author) context.Context {
	return context.WithValue(ctx, authorKey{}, a)
}

// AuthorOf is the author of a principal's changes, with an edit note.
func AuthorOf(p *auth.Principal, note string) Author {
	if p == nil {
		return Author{Note: trimNote(note)}
	}
	return Author{Role: p.Role, Name: p.Name, Note: trimNote(note)}
}

func authorIn(ctx context.Context) Author {
	a, _ := ctx.Value(authorKey{}).(Author)
	if a.Role == "" {
		a.Role = auth.RoleCoordinator
	}
	return a
}

// VersionNote records who made one version of a practice, and why.
type VersionNote struct {
	// Action is what made the version: practice.edit, practice.revert, practice.publish,
	// practice.merge_submission, practice.archive …
	Action string `json:"action"`
	Role   string `json:"role"`
	Name   string `json:"name,omitempty"`
	// Actor is the account's address: for coordinators' pages, never public ones.
	Actor string `json:"actor,omitempty"`
	Note  string `json:"note,omitempty"`
	// Restored is the version a revert stored again.
	Restored int `json:"restored,omitempty"`
	// Submission is the submission the version came from (accepted, or merged in).
	Submission string `json:"submission,omitempty"`
	// Into is the practice a merge retired this one into.
	Into string `json:"into,omitempty"`
}

func noteKey(id string, version int) []byte {
	k := append([]byte(id), 0, 0, 0, 0, 0, 0, 0, 0, 0)
	binary.BigEndian.PutUint64(k[len(id)+1:], uint64(version))
	return k
}

// noteVersion records the author of a version just written, inside its transaction.
func noteVersion(ctx context.Context, tx *store.Tx, actor, id string, version int, n VersionNote) error {
	a := authorIn(ctx)
	n.Role, n.Name, n.Actor = a.Role, a.Name, actor
	if n.Note == "" {
		n.Note = a.Note
	}
	return store.PutJSON(tx.VersionNotes(), string(noteKey(id, version)), n)
}

// checkNote refuses an edit note that is too long, naming the field.
func checkNote(ctx context.Context) error {
	if n := utf8.RuneCountInString(authorIn(ctx).Note); n > MaxEditNote {
		return fieldErr("note", fmt.Sprintf("is too long (%d characters, at most %d)", n, MaxEditNote), apperr.TooLong, MaxEditNote)
	}
	return nil
}

// Version is one version of a practice in its history, with who made it and why (nil
// for versions that came by import or harvest); Current marks the newest.
type Version struct {
	store.VersionInfo
	Note    *VersionNote `json:"note,omitempty"`
	Current bool         `json:"current,omitempty"`
}

// History lists every version of a practice, oldest first, with their authors.
func (s *Service) History(ctx context.Context, id string) ([]Version, error) {
	vs, err := s.store.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Version, len(vs))
	err = s.store.View(func(tx *store.Tx) error {
		for i, v := range vs {
			out[i] = Version{VersionInfo: v, Note: readNote(tx, id, v.Version), Current: i == len(vs)-1}
		}
		return nil
	})
	return out, err
}

// NoteOf is who made one version of a practice, or nil when nobody here did.
func (s *Service) NoteOf(ctx context.Context, id string, version int) *VersionNote {
	var n *VersionNote
	s.store.View(func(tx *store.Tx) error { n = readNote(tx, id, version); return nil })
	return n
}

func readNote(tx *store.Tx, id string, version int) *VersionNote {
	v := tx.VersionNotes().Get(noteKey(id, version))
	if v == nil {
		return nil
	}
	var n VersionNote
	if json.Unmarshal(v, &n) != nil {
		return nil
	}
	return &n
}

// trimNote is an edit note as stored: its spaces folded.
func trimNote(s string) string { return strings.Join(strings.Fields(s), " ") }
