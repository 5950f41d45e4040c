package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Tx is one transaction over the store: typed methods for the practices, and for the
// workflow packages their own buckets by name (users.go, submissions.go, peers.go …).
// It is valid only inside the Update or View that gave it.
type Tx struct {
	tx *bolt.Tx
	s  *Store
}

func (tx *Tx) bucket(name []byte) Bucket { return Bucket{tx.tx.Bucket(name)} }

// Bucket is one of the store's buckets inside a transaction. Get returns a copy; the
// keys and values ForEach and a Cursor give are valid only until the transaction ends,
// so what is kept must be decoded or copied. In a store opened read-only whose layout
// predates the bucket, it reads as empty.
type Bucket struct{ b *bolt.Bucket }

// Get returns a copy of the value of key, or nil when there is none.
func (b Bucket) Get(key []byte) []byte {
	if b.b == nil {
		return nil
	}
	return bytes.Clone(b.b.Get(key))
}

// Has reports whether key is in the bucket.
func (b Bucket) Has(key []byte) bool { return b.b != nil && b.b.Get(key) != nil }

// Put sets key to value.
func (b Bucket) Put(key, value []byte) error {
	if b.b == nil {
		return bolterrors.ErrTxNotWritable
	}
	return b.b.Put(key, value)
}

// Delete removes key; a key not there is no error.
func (b Bucket) Delete(key []byte) error {
	if b.b == nil {
		return bolterrors.ErrTxNotWritable
	}
	return b.b.Delete(key)
}

// ForEach calls fn for every key in order, until fn returns an error.
func (b Bucket) ForEach(fn func(k, v []byte) error) error {
	if b.b == nil {
		return nil
	}
	return b.b.ForEach(fn)
}

// NextSequence returns the bucket's next sequence number, for keys that keep their
// order when written big-endian.
func (b Bucket) NextSequence() (uint64, error) {
	if b.b == nil {
		return 0, bolterrors.ErrTxNotWritable
	}
	return b.b.NextSequence()
}

// Cursor walks the bucket in key order.
func (b Bucket) Cursor() *Cursor {
	if b.b == nil {
		return &Cursor{}
	}
	return &Cursor{b.b.Cursor()}
}

// Cursor moves over a bucket's keys in order; each move returns nil keys past the ends.
type Cursor struct{ c *bolt.Cursor }

// First moves to the first key.
func (c *Cursor) First() (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.First()
}

// Last moves to the last key.
func (c *Cursor) Last() (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.Last()
}

// Next moves to the next key.
func (c *Cursor) Next() (k, v []byte) { return c.c.Next() }

// Prev moves to the previous key.
func (c *Cursor) Prev() (k, v []byte) { return c.c.Prev() }

// Seek moves to key, or the first key after it.
func (c *Cursor) Seek(key []byte) (k, v []byte) {
	if c.c == nil {
		return nil, nil
	}
	return c.c.Seek(key)
}

// Delete removes the key the cursor is at.
func (c *Cursor) Delete() error { return c.c.Delete() }

// GetJSON decodes the value of key into a new T, or returns an apperr NotFound naming
// what was looked for.
func GetJSON[T any](b Bucket, key, what string) (*T, error) {
	var v []byte
	if b.b != nil {
		v = b.b.Get([]byte(key)) // decoding copies it out of the transaction
	}
	if v == nil {
		return nil, apperr.Errorf(apperr.NotFound, "no %s with id %q", what, key)
	}
	var out T
	if err := json.Unmarshal(v, &out); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", what, key, err)
	}
	return &out, nil
}

// PutJSON stores v encoded as JSON under key.
func PutJSON(b Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}
