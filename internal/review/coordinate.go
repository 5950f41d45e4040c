package review

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// EditSubmission stores a coordinator's edit of a case waiting for review, before the
// decision: a version of its own, beside the contributor's, which the contributor sees
// on their tracking page. The contact and consent stay the contributor's; the session
// may be any session, open or closed.
func (s *Service) EditSubmission(ctx context.Context, id string, who *auth.Principal, p practices.Practice) (*Submission, error) {
	if err := checkNote(ctx); err != nil {
		return nil, err
	}
	var out *Submission
	err := s.store.Update(func(tx *store.Tx) error {
		sub, err := load(tx, id, Access{Principal: who})
		if err != nil {
			return err
		}
		if sub.Status != StatusSubmitted {
			return apperr.Errorf(apperr.Conflict, "only a case waiting for review is edited before the decision; this one is %s", humanState(sub.Status))
		}
		before := sub.view()
		session := strings.TrimSpace(p.Session)
		var ss *Session
		if session != "" {
			if ss, err = store.GetJSON[Session](tx.LLESessions(), session, "session"); err != nil {
				return fieldErr("session_id", fmt.Sprintf("%q is not a session", session), apperr.Unknown, session)
			}
		}
		in := Input{Practice: p, Contact: sub.Contact, ConsentToPublish: sub.Consent}
		prepared, err := s.prepare(tx, &in, false)
		if err != nil {
			return err
		}
		prepared.Session, prepared.Source = session, sourceOf(ss)
		a := authorIn(ctx)
		edit := &CoordinatorEdit{Time: s.store.Now(), Role: a.Role, Name: a.Name, Actor: who.Email, Note: a.Note, Original: sub.Practice}
		if sub.Edit != nil {
			edit.Original = sub.Edit.Original // the contributor's version stays the one compared with
		}
		sub.Practice, sub.SessionID, sub.Edit, sub.Updated = prepared, session, edit, edit.Time
		if err := store.PutJSON(tx.Submissions(), id, sub); err != nil {
			return err
		}
		out = sub.view()
		return audit.Append(tx, audit.Record(who.Email, "submission.edit", "submission:"+id, before, out, a.Note))
	})
	return out, err
}

// EditChanges lists what a coordinator changed in the contributor's case, field by field
// with the words that changed; nil when nobody edited it.
func (s *Submission) EditChanges() []FieldChange {
	if s.Edit == nil {
		return nil
	}
	return compare(&s.Edit.Original, &s.Practice, "contributor", "coordinator", append([]string{"source"}, versionFields...))
}

// WithdrawFor lets a coordinator withdraw a case before a decision (the contributor asked
// them to, or it was sent twice); the contributor is told, with the reason.
func (s *Service) WithdrawFor(ctx context.Context, id string, who *auth.Principal, reason string) (*Submission, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 5000 {
		return nil, fieldErr("comment", "is too long (at most 5000 characters)", apperr.TooLong, 5000)
	}
	return s.transition(ctx, id, Access{Principal: who}, ActionWithdraw, reason, nil)
}

// mergedCase is the content a submission brings to the practice it is merged into: the
// case as submitted (as the coordinator edited it), under the practice's source.
func mergedCase(sub *Submission, into *practices.Practice) practices.Practice {
	p := sub.Practice
	clearRecords(&p)
	p.Source = into.Source
	return p
}

// mergeInto writes a submission's case as a new version of an existing practice, inside
// the decision's transaction: the practice keeps its identity, address and history.
func (s *Service) mergeInto(ctx context.Context, tx *store.Tx, sub *Submission, into, actor string) (string, error) {
	target, err := tx.Practice(into)
	if apperr.Code(err) == apperr.NotFound {
		return "", fieldErr("into", fmt.Sprintf("there is no practice %q", into), apperr.Unknown, into)
	}
	if err != nil {
		return "", err
	}
	if target.Archived {
		return "", apperr.Errorf(apperr.Conflict, "practice %q is archived; merge into a published practice", into)
	}
	p := mergedCase(sub, target)
	_, err = s.changeTx(ctx, tx, actor, into, VersionNote{Action: "practice.merge_submission", Submission: sub.ID}, func(cur *practices.Practice) (*practices.Practice, error) {
		return s.edited(cur, p)
	})
	if apperr.Code(err) == apperr.Invalid {
		return "", apperr.Errorf(apperr.Conflict, "the merged case would not be valid: %s", apperr.As(err).FieldList())
	}
	return into, err
}

// MergePreview says what merging a submission into a practice would change in it, field
// by field, without storing anything.
func (s *Service) MergePreview(ctx context.Context, id string, who *auth.Principal, into string) (*practices.Practice, []FieldChange, error) {
	if to, merged := s.store.Redirect(into); merged {
		into = to
	}
	sub, err := s.Get(ctx, id, Access{Principal: who})
	if err != nil {
		return nil, nil, err
	}
	target, err := s.store.Get(ctx, into)
	if err != nil {
		return nil, nil, err
	}
	if !s.authority.owns(target) {
		return nil, nil, notOurs(target)
	}
	next, err := s.edited(target, mergedCase(sub, target))
	if err != nil {
		return target, nil, apperr.Errorf(apperr.Conflict, "the merged case would not be valid: %s", apperr.As(err).FieldList())
	}
	return target, compare(target, next, target.ID, "merged", versionFields), nil
}

// Closest is an existing practice close to a submitted case, with what they share.
type Closest struct {
	Practice *practices.Practice `json:"practice"`
	Score    float64             `json:"score"`
	Matched  Match               `json:"matched"`
}

// Match is what a submitted case and a practice share: the place, terms of each
// vocabulary and the telling words of their texts.
type Match struct {
	City, Country                     bool
	Areas, Crises, TargetGroups, Tags []string
	Words                             []string
}

// maxClosest is how many practices the review shows beside a case.
const maxClosest = 5

// ClosestTo lists the practices closest to a submission, for the coordinator deciding
// on it, each with what matched.
func (s *Service) ClosestTo(ctx context.Context, sub *Submission) []Closest {
	q := sub.Practice
	q.ID = "submission:" + sub.ID // never an existing practice's id
	hits, err := s.index.Similar(ctx, &q, maxClosest)
	if err != nil {
		s.log.Error("closest practices failed", "err", err)
		return nil
	}
	var out []Closest
	for _, h := range hits {
		pr, err := s.store.Get(ctx, h.ID)
		if err != nil {
			continue
		}
		out = append(out, Closest{Practice: pr, Score: h.Score, Matched: matchOf(&sub.Practice, pr)})
	}
	return out
}

// maxWords is how many shared words a match names.
const maxWords = 10

func matchOf(a, b *practices.Practice) Match {
	m := Match{
		City:    a.City != "" && strings.EqualFold(a.City, b.City),
		Country: a.Country != "" && a.Country == b.Country,
		Areas:   both(a.Areas, b.Areas), Crises: both(a.Crises, b.Crises), TargetGroups: both(a.TargetGroups, b.TargetGroups), Tags: both(a.Tags, b.Tags),
	}
	theirs := map[string]bool{}
	for w := range telling(b.Title + "\n" + b.Summary + "\n" + b.Body) {
		theirs[w] = true
	}
	counts := telling(a.Title + "\n" + a.Summary + "\n" + a.Body)
	for w := range counts {
		if theirs[w] {
			m.Words = append(m.Words, w)
		}
	}
	sort.Slice(m.Words, func(i, j int) bool {
		if counts[m.Words[i]] != counts[m.Words[j]] {
			return counts[m.Words[i]] > counts[m.Words[j]]
		}
		return m.Words[i] < m.Words[j]
	})
	if len(m.Words) > maxWords {
		m.Words = m.Words[:maxWords]
	}
	return m
}

func both(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// telling counts the words of a text that say what it is about: five letters or more
// (as the search's typo tolerance counts them), lowercased, less the common words of the
// four languages of the corpus.
func telling(text string) map[string]int {
	out := map[string]int{}
	for _, w := range words(text) {
		w = strings.ToLower(w)
		if len([]rune(w)) < 5 || !unicode.IsLetter([]rune(w)[0]) || commonWords[w] {
			continue
		}
		out[w]++
	}
	return out
}

var commonWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`about after again being below between could doing during every other their there these those through under until where which while would should still since first within without also using based
	entre sobre desde donde cuando durante hasta porque según todas todos otras otros puede pueden están había hacia mediante tiene tienen cada mismo misma
	avant après aussi autre autres cette comme depuis dont elles entre leurs leur mais même notre nous parce pendant peuvent plus pour quand selon sont tous toutes très
	ainda assim cada como desde entre essas esses estão isso mais mesmo muito onde outras outros para pelos quando sobre todas todos também`) {
		commonWords[w] = true
	}
}

// Waiting counts the submissions waiting for a coordinator's decision.
func (s *Service) Waiting(ctx context.Context) int {
	n, err := s.CountByStatus(ctx)
	if err != nil {
		return 0
	}
	return n[StatusSubmitted]
}

// Since is when a submission entered its present state: how long it has waited.
func (s *Submission) Since() time.Time {
	if n := len(s.History); n > 0 {
		return s.History[n-1].Time
	}
	return s.Updated
}
