package ai

import (
	"strconv"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// Usage keeps the tokens spent per UTC day (YYYY-MM-DD).
type Usage interface {
	Spent(day string) (int, error)
	Add(day string, tokens int) error
}

// StoreUsage keeps the daily token count in the store, so that the daily cap holds
// across restarts.
type StoreUsage struct{ store *store.Store }

// NewStoreUsage keeps the count in st.
func NewStoreUsage(st *store.Store) (*StoreUsage, error) { return &StoreUsage{store: st}, nil }

// Spent returns the tokens spent on day.
func (u *StoreUsage) Spent(day string) (int, error) {
	var n int
	err := u.store.View(func(tx *store.Tx) error {
		n = tokensIn(tx.AIUsage().Get([]byte(day)))
		return nil
	})
	return n, err
}

// Add counts tokens spent on day.
func (u *StoreUsage) Add(day string, tokens int) error {
	return u.store.Update(func(tx *store.Tx) error {
		b := tx.AIUsage()
		return b.Put([]byte(day), []byte(strconv.Itoa(tokensIn(b.Get([]byte(day)))+tokens)))
	})
}

func tokensIn(v []byte) int {
	n, _ := strconv.Atoi(string(v))
	return n
}
