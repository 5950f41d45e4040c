package review

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// The store's Digests hold, per coordinator, when their last digest was queued and the
// newest submission it told of: address → digestState.

// Users lists the accounts: the coordinators a digest goes to.
type Users interface {
	Users() ([]auth.UserInfo, error)
}

type digestState struct {
	Sent time.Time `json:"sent"`
	// Covered is when the newest case the last digest told of entered the queue, and
	// CoveredIDs the cases told of that entered it at that very second (times are to
	// the second).
	Covered    time.Time `json:"covered"`
	CoveredIDs []string  `json:"covered_ids,omitempty"`
}

// told reports whether the last digest told of a case.
func (st digestState) told(sub *Submission) bool {
	at := sub.Since()
	return at.Before(st.Covered) || at.Equal(st.Covered) && slices.Contains(st.CoveredIDs, sub.ID)
}

// after is the state once a digest told of fresh (oldest first): every case waiting
// that entered the queue up to the newest of them has been told of.
func after(now time.Time, fresh, waiting []*Submission) digestState {
	st := digestState{Sent: now, Covered: fresh[len(fresh)-1].Since()}
	for _, sub := range waiting {
		if sub.Since().Equal(st.Covered) {
			st.CoveredIDs = append(st.CoveredIDs, sub.ID)
		}
	}
	return st
}

// QueueDigests puts in the outbox, for each coordinator and admin whose last digest is
// at least every old, one mail listing the cases submitted since it, in the language of
// their profile: at most one a coordinator an interval, however many cases come. It
// returns how many it queued. now is the caller's clock, so that a test says when.
func (s *Service) QueueDigests(ctx context.Context, now time.Time, every time.Duration) (int, error) {
	if s.Accounts == nil || s.Messages == nil {
		return 0, nil
	}
	users, err := s.Accounts.Users()
	if err != nil {
		return 0, fmt.Errorf("digests: %w", err)
	}
	waiting, err := s.List(ctx, Queue{Status: StatusSubmitted})
	if err != nil {
		return 0, fmt.Errorf("digests: %w", err)
	}
	sort.Slice(waiting, func(i, j int) bool { return waiting[i].Since().Before(waiting[j].Since()) })
	queued := 0
	err = s.store.Update(func(tx *store.Tx) error {
		b := tx.Digests()
		for _, u := range users {
			if u.Disabled || !(&auth.Principal{Role: u.Role}).Can(auth.RoleCoordinator) {
				continue
			}
			var st digestState
			if old, err := store.GetJSON[digestState](b, u.Email, "digest"); err == nil {
				st = *old
			}
			if !st.Sent.IsZero() && now.Sub(st.Sent) < every {
				continue
			}
			var fresh []*Submission
			for _, sub := range waiting {
				if !st.told(sub) {
					fresh = append(fresh, sub)
				}
			}
			if len(fresh) == 0 {
				continue
			}
			if err := s.queue(tx, s.digest(u, fresh, len(waiting))); err != nil {
				return err
			}
			if err := store.PutJSON(b, u.Email, after(now, fresh, waiting)); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("digests: %w", err)
	}
	if queued > 0 {
		s.wakeSender()
	}
	return queued, nil
}

// digest is the mail that tells a coordinator of new cases waiting for review.
func (s *Service) digest(u auth.UserInfo, fresh []*Submission, waiting int) Notification {
	lang := u.Lang
	if lang == "" {
		lang = "en"
	}
	t := func(key string, args ...any) string { return s.Messages.T(lang, key, args...) }
	var b strings.Builder
	name := u.Name
	if name == "" {
		name = t("digest.colleague")
	}
	fmt.Fprintf(&b, "%s\n\n%s\n\n", t("digest.hello", name), t("digest.intro", len(fresh), s.Network))
	for _, sub := range fresh {
		p := sub.Practice
		fmt.Fprintf(&b, "- %s (%s, %s)\n  %s\n  %s\n", p.Title, p.City, p.Country, t("digest.since", sub.Since().Format("2006-01-02 15:04")), s.BaseURL+"/review/submissions/"+sub.ID)
	}
	fmt.Fprintf(&b, "\n%s\n%s\n\n%s\n", t("digest.waiting", waiting), s.BaseURL+"/review", t("digest.why", s.BaseURL+"/review/account"))
	return Notification{To: u.Email, Subject: t("digest.subject", len(fresh)), Body: b.String()}
}

// RunDigests queues the coordinators' digests until ctx ends, looking every tick.
func (s *Service) RunDigests(ctx context.Context, every, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := s.QueueDigests(ctx, s.store.Now(), every); err != nil {
			s.log.Error("coordinators' digests", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
