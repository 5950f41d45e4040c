package review

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// ConfirmPrefix starts every token of an address confirmation link.
const ConfirmPrefix = "kbc_"

// Anyone may submit a case under any address, so the knowledge base writes to an address
// only once its owner confirmed it: the first mail asks just that, with nothing the
// submitter chose in it but the address itself, and an address is asked at most
// maxAsks times a day whoever submits under it.
const (
	maxAsks    = 3
	asksWindow = 24 * time.Hour
)

// asks counts the requests to confirm one address sent since Since.
type asks struct {
	Since time.Time `json:"since"`
	N     int       `json:"n"`
}

// askToConfirm queues the mail asking the contact to confirm their address, once per
// submission and address, within the address's daily count. The caller stores sub.
func (s *Service) askToConfirm(tx *store.Tx, sub *Submission) error {
	if !sub.Address.Asked.IsZero() {
		return nil // asked already: nothing more until it is confirmed
	}
	if ok, err := s.count(tx.ConfirmAsked(), sub.Contact.Email, maxAsks); !ok {
		return err // asked enough today: a later change asks again
	}
	now := s.store.Now()
	token := ConfirmPrefix + auth.NewSecret()
	sub.Address.Asked, sub.Address.TokenHash = now, auth.Hash(token)
	if err := tx.ConfirmTokens().Put([]byte(sub.Address.TokenHash), []byte(sub.ID)); err != nil {
		return err
	}
	lang := sub.Lang
	body := s.greeting(lang, "") + s.t(lang, "mail.confirm.body", s.network(), s.base()+"/", s.base()+"/confirm/"+token) + "\n" + s.signature(lang)
	return s.queue(tx, Notification{To: sub.Contact.Email, Subject: s.t(lang, "mail.subject.confirm"), Body: body, SubmissionID: sub.ID})
}

// count counts one more mail of a kind to an address within the day, unless max were
// sent already.
func (s *Service) count(b store.Bucket, address string, max int) (bool, error) {
	now := s.store.Now()
	var a asks
	if v := b.Get([]byte(address)); v == nil || json.Unmarshal(v, &a) != nil || now.Sub(a.Since) >= asksWindow {
		a = asks{Since: now}
	}
	if a.N >= max {
		return false, nil
	}
	a.N++
	return true, store.PutJSON(b, address, a)
}

// forgetAddress drops what was confirmed or asked of a submission's address, when the
// contributor gives another one.
func forgetAddress(tx *store.Tx, sub *Submission) error {
	if sub.Address.TokenHash != "" {
		if err := tx.ConfirmTokens().Delete([]byte(sub.Address.TokenHash)); err != nil {
			return err
		}
	}
	sub.Address = AddressState{}
	return nil
}

// ConfirmAddress records that the owner of a submission's contact address followed the
// link sent to it; from now on they are told of the review, starting with where it
// stands (a draft: that it is kept), each time with a tracking link.
func (s *Service) ConfirmAddress(ctx context.Context, token string) (*Submission, error) {
	var out *Submission
	err := s.store.Update(func(tx *store.Tx) error {
		id := tx.ConfirmTokens().Get([]byte(auth.Hash(token)))
		if id == nil {
			return apperr.Errorf(apperr.NotFound, "this confirmation link is not valid, or was used already")
		}
		sub, err := store.GetJSON[Submission](tx.Submissions(), string(id), "submission")
		if err != nil {
			return err
		}
		if err := tx.ConfirmTokens().Delete([]byte(sub.Address.TokenHash)); err != nil {
			return err
		}
		before := sub.view()
		sub.Address.Confirmed, sub.Address.TokenHash = s.store.Now(), ""
		if err := s.notify(tx, sub, ""); err != nil { // where it stands, with the link
			return err
		}
		if err := store.PutJSON(tx.Submissions(), sub.ID, sub); err != nil {
			return err
		}
		out = &Submission{ID: sub.ID, Status: sub.Status, Address: sub.view().Address}
		return audit.Append(tx, audit.Record(Contributor(sub.ID), "submission.confirm_address", "submission:"+sub.ID, before, sub.view(), ""))
	})
	if err != nil {
		return nil, err
	}
	s.wakeSender()
	return out, nil
}
