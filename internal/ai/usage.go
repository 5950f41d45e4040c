package ai

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Usage keeps the tokens spent per UTC day (YYYY-MM-DD).
type Usage interface {
	Spent(day string) (int, error)
	Add(day string, tokens int) error
}

var bucketUsage = []byte("ai_usage") // day → tokens spent, in decimal

// StoreUsage keeps the daily token count in the store, so that the daily cap holds
// across restarts.
type StoreUsage struct{ store *practices.Store }

// NewStoreUsage creates the bucket it needs.
func NewStoreUsage(store *practices.Store) (*StoreUsage, error) {
	err := store.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketUsage)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ai usage: %w", err)
	}
	return &StoreUsage{store: store}, nil
}

// Spent returns the tokens spent on day.
func (u *StoreUsage) Spent(day string) (int, error) {
	var n int
	err := u.store.View(func(tx *bolt.Tx) error {
		n = tokensIn(tx.Bucket(bucketUsage).Get([]byte(day)))
		return nil
	})
	return n, err
}

// Add counts tokens spent on day.
func (u *StoreUsage) Add(day string, tokens int) error {
	return u.store.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsage)
		return b.Put([]byte(day), []byte(strconv.Itoa(tokensIn(b.Get([]byte(day)))+tokens)))
	})
}

func tokensIn(v []byte) int {
	n, _ := strconv.Atoi(string(v))
	return n
}
