package review

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

func (in *Session) normalizeAndValidate() error {
	in.Title = strings.TrimSpace(in.Title)
	in.Theme = strings.TrimSpace(in.Theme)
	in.Description = strings.TrimSpace(in.Description)
	in.Date = strings.TrimSpace(in.Date)
	var f apperr.FieldErrors
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		f.Add("title", "is required (at most 200 characters)", apperr.Required)
	case n > 200:
		f.Add("title", "is required (at most 200 characters)", apperr.TooLong, 200)
	}
	if utf8.RuneCountInString(in.Theme) > 200 {
		f.Add("theme", "is too long (at most 200 characters)", apperr.TooLong, 200)
	}
	if utf8.RuneCountInString(in.Description) > 5000 {
		f.Add("description", "is too long (at most 5000 characters)", apperr.TooLong, 5000)
	}
	if in.Date != "" {
		if _, err := time.Parse("2006-01-02", in.Date); err != nil {
			f.Add("date", "must be a date as YYYY-MM-DD", apperr.Malformed)
		}
	}
	for _, a := range in.Areas {
		if !practices.Areas.Has(a) {
			f.Add("areas", fmt.Sprintf("%q is not one of: %s", a, strings.Join(practices.Areas.IDs(), ", ")), apperr.NotAChoice, a)
		}
	}
	return f.Err("the session is not valid")
}

// SaveSession creates a session (empty id) or replaces one.
func (s *Service) SaveSession(ctx context.Context, actor string, in Session) (*Session, error) {
	if err := in.normalizeAndValidate(); err != nil {
		return nil, err
	}
	now := s.store.Now()
	err := s.store.Update(func(tx *store.Tx) error {
		b := tx.LLESessions()
		var before *Session
		if in.ID == "" {
			in.ID = uniqueKey(b, practices.Slug(in.Title, 60))
			in.Created = now
		} else {
			old, err := store.GetJSON[Session](b, in.ID, "session")
			if err != nil {
				return err
			}
			before, in.Created = old, old.Created
		}
		in.Updated = now
		if err := store.PutJSON(b, in.ID, in); err != nil {
			return err
		}
		return audit.Append(tx, audit.Record(actor, "session.save", "session:"+in.ID, before, in, ""))
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// Session returns one session.
func (s *Service) Session(ctx context.Context, id string) (*Session, error) {
	var out *Session
	err := s.store.View(func(tx *store.Tx) error {
		var err error
		out, err = store.GetJSON[Session](tx.LLESessions(), id, "session")
		return err
	})
	return out, err
}

// Sessions lists the sessions, most recent date first.
func (s *Service) Sessions(ctx context.Context, openOnly bool) ([]Session, error) {
	out := []Session{}
	err := s.store.View(func(tx *store.Tx) error {
		return tx.LLESessions().ForEach(func(k, v []byte) error {
			ss, err := store.GetJSON[Session](tx.LLESessions(), string(k), "session")
			if err != nil {
				return err
			}
			if !openOnly || ss.Open {
				out = append(out, *ss)
			}
			return nil
		})
	})
	sortSessions(out)
	return out, err
}

func sortSessions(ss []Session) {
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].Date != ss[j].Date {
			return ss[i].Date > ss[j].Date
		}
		return ss[i].Title < ss[j].Title
	})
}
