package review

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// The store's SubmissionOnce: hash of an idempotency key → the creation it made (onceRecord).

// onceKept is how long a key answers its first creation again.
const onceKept = 24 * time.Hour

// onceRecord is what a key made. The receipt holds the tracking token, so it is kept
// sealed with a key derived from the client's idempotency key, which the store does not
// hold: only a retry by that client opens it.
type onceRecord struct {
	Fingerprint string    `json:"fingerprint"`
	Time        time.Time `json:"time"`
	Sealed      []byte    `json:"sealed"`
}

func onceLookup(key string) []byte {
	h := sha256.Sum256([]byte("kb submission key\x00" + key))
	return []byte(hex.EncodeToString(h[:]))
}

func onceAEAD(key string) cipher.AEAD {
	k := sha256.Sum256([]byte("kb submission receipt\x00" + key))
	block, _ := aes.NewCipher(k[:]) // a 32-byte key never fails
	aead, _ := cipher.NewGCM(block)
	return aead
}

// replay returns the receipt a key already made (nil: the key is new or expired), or a
// conflict when the key came with another body.
func (s *Service) replay(tx *store.Tx, once *Once) (*Receipt, error) {
	v := tx.SubmissionOnce().Get(onceLookup(once.Key))
	if v == nil {
		return nil, nil
	}
	var rec onceRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode idempotency record: %w", err)
	}
	if s.store.Now().Sub(rec.Time) >= onceKept {
		return nil, nil
	}
	if rec.Fingerprint != once.Fingerprint {
		return nil, apperr.Said(apperr.Conflict, "this Idempotency-Key was used for another submission: send a new key with a new submission, or the same body to get its answer again", i18n.Say("error.idempotency.reused"))
	}
	aead := onceAEAD(once.Key)
	n := aead.NonceSize()
	if len(rec.Sealed) < n {
		return nil, fmt.Errorf("idempotency record too short")
	}
	plain, err := aead.Open(nil, rec.Sealed[:n], rec.Sealed[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("open idempotency record: %w", err)
	}
	var r Receipt
	if err := json.Unmarshal(plain, &r); err != nil {
		return nil, fmt.Errorf("decode idempotency receipt: %w", err)
	}
	return &r, nil
}

// remember keeps the receipt a key made, and forgets the keys past their time.
func (s *Service) remember(tx *store.Tx, once *Once, r *Receipt) error {
	b := tx.SubmissionOnce()
	now := s.store.Now()
	var stale [][]byte
	b.ForEach(func(k, v []byte) error {
		var rec onceRecord
		if json.Unmarshal(v, &rec) != nil || now.Sub(rec.Time) >= onceKept {
			stale = append(stale, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	plain, err := json.Marshal(r)
	if err != nil {
		return err
	}
	aead := onceAEAD(once.Key)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return store.PutJSON(b, string(onceLookup(once.Key)), onceRecord{Fingerprint: once.Fingerprint, Time: now, Sealed: aead.Seal(nonce, nonce, plain, nil)})
}
