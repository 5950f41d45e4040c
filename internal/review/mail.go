package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/text/language"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Messages are the interface's message catalogues: the mails to contributors are
// written from them, in the contributor's language.
type Messages interface {
	T(lang, key string, args ...any) string
	// Languages are the catalogues' languages, the fallback first.
	Languages() []string
}

// UseMessages sets the catalogues the mails are written from, before any is written.
func (s *Service) UseMessages(m Messages) { s.Messages = m }

// t translates a mail's message; without catalogues (a store opened by a command that
// sends no mail) the key shows, as the catalogues do for a missing message.
func (s *Service) t(lang, key string, args ...any) string {
	if s.Messages == nil {
		return key
	}
	return s.Messages.T(lang, key, args...)
}

// Language picks the catalogue language nearest to what a contributor's door says of
// them (an interface language, or an Accept-Language header).
func (s *Service) Language(said string) string {
	if s.Messages == nil {
		return "en"
	}
	langs := s.Messages.Languages()
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = language.Make(l)
	}
	asked, _, _ := language.ParseAcceptLanguage(said)
	_, i, _ := language.NewMatcher(tags).Match(asked...)
	return langs[i]
}

// linkMark stands in a stored mail's body for the tracking link, which is kept apart
// (Notification.Link) so that the outbox, which coordinators read, never shows it, and
// is dropped once the mail is sent.
const linkMark = "[[kb:tracking-link]]"

// newTrackingLink opens the submission with one more tracking token, stored hashed like
// the first, and returns its link. Each mail carries its own: the store keeps no token
// it could show again.
func (s *Service) newTrackingLink(tx *store.Tx, id string) (string, error) {
	token := TrackingPrefix + auth.NewSecret()
	if err := tx.TrackTokens().Put([]byte(auth.Hash(token)), []byte(id)); err != nil {
		return "", err
	}
	return s.base() + "/track/" + token, nil
}

func (s *Service) base() string { return strings.TrimSuffix(s.BaseURL, "/") }

func (s *Service) network() string {
	if s.Network == "" {
		return "kb"
	}
	return s.Network
}

// notify puts a message about the submission's state in the outbox, inside the
// transaction of the change, when its contact confirmed their address; until then the
// one message is the request to confirm it. Every message carries a tracking link.
// Sending happens later and never holds up the request. The caller stores sub.
func (s *Service) notify(tx *store.Tx, sub *Submission, comment string) error {
	if sub.Contact.Email == "" {
		return nil
	}
	if sub.Address.Confirmed.IsZero() {
		return s.askToConfirm(tx, sub)
	}
	lang := sub.Lang
	title := sub.Practice.Title
	if title == "" {
		title = s.t(lang, "mail.untitled")
	}
	var b strings.Builder
	b.WriteString(s.greeting(lang, sub.Contact.Name))
	b.WriteString(s.t(lang, "mail.status."+sub.Status, title) + "\n")
	if comment != "" {
		b.WriteString("\n" + s.t(lang, "mail.comment") + "\n" + comment + "\n")
	}
	if sub.PracticeID != "" {
		b.WriteString("\n" + s.t(lang, "mail.published", s.base()+"/practices/"+sub.PracticeID) + "\n")
	}
	b.WriteString("\n" + s.t(lang, "mail.link") + "\n" + linkMark + "\n\n" + s.t(lang, "mail.link.keep") + "\n")
	b.WriteString(s.signature(lang))
	link, err := s.newTrackingLink(tx, sub.ID)
	if err != nil {
		return err
	}
	return s.queue(tx, Notification{To: sub.Contact.Email, Subject: s.t(lang, "mail.subject."+sub.Status), Body: b.String(), Link: link, SubmissionID: sub.ID})
}

func (s *Service) greeting(lang, name string) string {
	if name == "" {
		return s.t(lang, "mail.hello.anonymous") + "\n\n"
	}
	return s.t(lang, "mail.hello", name) + "\n\n"
}

func (s *Service) signature(lang string) string {
	return "\n-- \n" + s.t(lang, "mail.signature", s.network(), s.base()+"/") + "\n"
}

// Sending the links again to an address is limited per address, whoever asks: a form
// anyone may fill must not become a way to flood someone's mailbox.
const maxResends = 3

// ResendLinks mails the tracking links of the cases sent with an address to that
// address, in one message, at most three times a day. It answers the same whether the
// address has cases or not, so that the form tells nobody who sent what; an address not
// confirmed yet is asked to confirm (which then brings the links) instead.
func (s *Service) ResendLinks(ctx context.Context, email, lang string) error {
	email, err := auth.NormalizeEmail(email)
	if err != nil {
		return fieldErr("email", err.Error(), apperr.Malformed)
	}
	err = s.store.Update(func(tx *store.Tx) error {
		var mine []*Submission
		b := tx.Submissions()
		err := b.ForEach(func(k, v []byte) error {
			var sub Submission
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("decode submission %s: %w", k, err)
			}
			if sub.Contact.Email == email && sub.Status != StatusWithdrawn {
				mine = append(mine, &sub)
			}
			return nil
		})
		if err != nil || len(mine) == 0 {
			return err
		}
		var confirmed []*Submission
		for _, sub := range mine {
			if !sub.Address.Confirmed.IsZero() {
				confirmed = append(confirmed, sub)
				continue
			}
			if sub.Address.TokenHash != "" {
				if err := tx.ConfirmTokens().Delete([]byte(sub.Address.TokenHash)); err != nil {
					return err
				}
			}
			sub.Address = AddressState{} // asked again, within the address's daily count
			if err := s.askToConfirm(tx, sub); err != nil {
				return err
			}
			if err := store.PutJSON(b, sub.ID, sub); err != nil {
				return err
			}
		}
		if len(confirmed) == 0 {
			return nil
		}
		if ok, err := s.count(tx.LinksResent(), email, maxResends); !ok {
			return err
		}
		return s.mailLinks(tx, email, confirmed)
	})
	if err == nil {
		s.wakeSender()
	}
	return err
}

// mailLinks queues one message with a fresh tracking link to each of the cases, in the
// language of the latest.
func (s *Service) mailLinks(tx *store.Tx, email string, subs []*Submission) error {
	lang := subs[0].Lang
	for _, sub := range subs {
		if sub.Updated.After(subs[0].Updated) {
			lang = sub.Lang
		}
	}
	var b strings.Builder
	b.WriteString(s.greeting(lang, ""))
	b.WriteString(s.t(lang, "mail.resend.intro", s.network()) + "\n")
	var links []string
	for _, sub := range subs {
		link, err := s.newTrackingLink(tx, sub.ID)
		if err != nil {
			return err
		}
		title := sub.Practice.Title
		if title == "" {
			title = s.t(lang, "mail.untitled")
		}
		fmt.Fprintf(&b, "\n%s (%s)\n%s\n", title, s.t(lang, "state."+sub.Status), linkMark)
		links = append(links, link)
	}
	b.WriteString("\n" + s.t(lang, "mail.link.keep") + "\n" + s.t(lang, "mail.resend.notyou") + "\n")
	b.WriteString(s.signature(lang))
	return s.queue(tx, Notification{To: email, Subject: s.t(lang, "mail.subject.links"), Body: b.String(), Link: strings.Join(links, "\n")})
}
