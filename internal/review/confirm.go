package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
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
func (s *Service) askToConfirm(tx *bolt.Tx, sub *Submission) error {
	if !sub.Address.Asked.IsZero() {
		return nil // asked already: nothing more until it is confirmed
	}
	now := s.store.Now()
	b := tx.Bucket(bucketAsked)
	var a asks
	if v := b.Get([]byte(sub.Contact.Email)); v != nil && json.Unmarshal(v, &a) == nil && now.Sub(a.Since) < asksWindow {
		if a.N >= maxAsks {
			return nil // asked enough today: a later change asks again
		}
	} else {
		a = asks{Since: now}
	}
	a.N++
	if err := putJSON(b, sub.Contact.Email, a); err != nil {
		return err
	}
	token := ConfirmPrefix + auth.NewSecret()
	sub.Address.Asked, sub.Address.TokenHash = now, auth.Hash(token)
	if err := tx.Bucket(bucketConfirm).Put([]byte(sub.Address.TokenHash), []byte(sub.ID)); err != nil {
		return err
	}
	network := s.Network
	if network == "" {
		network = "the network"
	}
	body := fmt.Sprintf("Hello,\n\nThis address was given when a case was sent to the knowledge base of %s (%s).\n\n"+
		"If it was you, confirm the address to be told how the review goes:\n%s\n\n"+
		"If it was not you, ignore this message: nothing more will be sent to you.\n",
		network, strings.TrimSuffix(s.BaseURL, "/")+"/", strings.TrimSuffix(s.BaseURL, "/")+"/confirm/"+token)
	return s.queue(tx, Notification{To: sub.Contact.Email, Subject: "Please confirm your address", Body: body, SubmissionID: sub.ID})
}

// forgetAddress drops what was confirmed or asked of a submission's address, when the
// contributor gives another one.
func forgetAddress(tx *bolt.Tx, sub *Submission) error {
	if sub.Address.TokenHash != "" {
		if err := tx.Bucket(bucketConfirm).Delete([]byte(sub.Address.TokenHash)); err != nil {
			return err
		}
	}
	sub.Address = AddressState{}
	return nil
}

// ConfirmAddress records that the owner of a submission's contact address followed the
// link sent to it; from now on they are told of the review, starting with where it
// stands.
func (s *Service) ConfirmAddress(ctx context.Context, token string) (*Submission, error) {
	var out *Submission
	err := s.store.Update(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketConfirm).Get([]byte(auth.Hash(token)))
		if id == nil {
			return apperr.Errorf(apperr.NotFound, "this confirmation link is not valid, or was used already")
		}
		sub, err := getJSON[Submission](tx.Bucket(bucketSubmissions), string(id), "submission")
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketConfirm).Delete([]byte(sub.Address.TokenHash)); err != nil {
			return err
		}
		before := sub.view()
		sub.Address.Confirmed, sub.Address.TokenHash = s.store.Now(), ""
		if sub.Status != StatusDraft {
			if err := s.notify(tx, sub, ""); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bucketSubmissions), sub.ID, sub); err != nil {
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
