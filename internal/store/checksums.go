package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// bucketChecksums holds a CRC-32C of every stored practice value, kept beside the values
// rather than in them so that the values' format stays what every reader expects: key
// 'c'+id for the current version (bucket practices), 'v'+id 0x00 version for each kept
// version. bbolt checks its pages' structure, not the bytes of values: without these, a
// flipped byte was served (and exported) as data.
var bucketChecksums = []byte("checksums")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func currentSumKey(id string) []byte { return append([]byte{'c'}, id...) }

func versionSumKey(versionKey []byte) []byte { return append([]byte{'v'}, versionKey...) }

func checksum(v []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, crc32.Checksum(v, castagnoli))
}

// putSumsTx records the checksums of the value putTx writes as a practice's current
// version and as its kept version.
func putSumsTx(tx *bolt.Tx, id string, version int, data []byte) error {
	if err := putCurrentSumTx(tx, id, data); err != nil {
		return err
	}
	if err := tx.Bucket(bucketChecksums).Put(versionSumKey(versionKey(id, version)), checksum(data)); err != nil {
		return fmt.Errorf("checksum of practice %s version %d: %w", id, version, err)
	}
	return nil
}

// putCurrentSumTx records the checksum of a practice's current value. Every write of a
// value into bucket practices must call it (putTx, and the rewrites in place of
// identities.go and sameas.go), or the next read takes the value for damage. In a store
// whose checksums are still to be added (a migration in init runs first) there is no
// bucket yet, and the pass after it covers the value.
func putCurrentSumTx(tx *bolt.Tx, id string, data []byte) error {
	b := tx.Bucket(bucketChecksums)
	if b == nil {
		return nil
	}
	if err := b.Put(currentSumKey(id), checksum(data)); err != nil {
		return fmt.Errorf("checksum of practice %s: %w", id, err)
	}
	return nil
}

// dropSumTx forgets the checksum of a deleted practice's current value (its versions stay).
func dropSumTx(tx *bolt.Tx, id string) error {
	if b := tx.Bucket(bucketChecksums); b != nil {
		return b.Delete(currentSumKey(id))
	}
	return nil
}

// verifyCurrentTx checks the current value of practice id against its checksum.
func verifyCurrentTx(tx *bolt.Tx, id string, v []byte) error {
	return verifySum(tx, currentSumKey(id), v, func() string { return fmt.Sprintf("practice %q (its current version)", id) })
}

// verifyVersionTx checks a kept version, stored under key k of bucket versions.
func verifyVersionTx(tx *bolt.Tx, k, v []byte) error {
	return verifySum(tx, versionSumKey(k), v, func() string { return describeVersionKey(k) })
}

func describeVersionKey(k []byte) string {
	if len(k) < 9 || k[len(k)-9] != 0 {
		return fmt.Sprintf("practice version key %q", k)
	}
	return fmt.Sprintf("practice %q version %d", k[:len(k)-9], binary.BigEndian.Uint64(k[len(k)-8:]))
}

func verifySum(tx *bolt.Tx, key, v []byte, what func() string) error {
	b := tx.Bucket(bucketChecksums)
	if b == nil {
		return nil // a store from before checksums, opened read-only: nothing to compare
	}
	if p := sumProblem(b.Get(key), v); p != "" {
		return damage(what() + p)
	}
	return nil
}

// sumProblem says what is wrong with value v whose stored checksum is want, or "".
func sumProblem(want, v []byte) string {
	switch {
	case want == nil:
		return " has no checksum"
	case !bytes.Equal(want, checksum(v)):
		return " does not match its checksum (its bytes changed after they were written)"
	}
	return ""
}

// damage is the error of bytes in the store that fail a check: it names what is damaged
// and how to restore, and the damaged bytes are never served.
func damage(what string) *apperr.Error {
	return &apperr.Error{Code: apperr.Damaged, Message: damagePrefix + what + damageSuffix}
}

const (
	damagePrefix = "the store is damaged: "
	damageSuffix = ", so it is not served. Run kb check to list all damage, and restore the last good backup (kb restore --data DIR FILE)"
)

// damaged is what a damage message says is damaged.
func damaged(msg string) string {
	return strings.TrimSuffix(strings.TrimPrefix(msg, damagePrefix), damageSuffix)
}

// addChecksums gives a store from before checksums one for every practice value, once:
// the bucket's existence says it was done. It returns how many it added.
func addChecksums(tx *bolt.Tx) (int, error) {
	if tx.Bucket(bucketChecksums) != nil {
		return 0, nil
	}
	b, err := tx.CreateBucket(bucketChecksums)
	if err != nil {
		return 0, fmt.Errorf("create bucket %s: %w", bucketChecksums, err)
	}
	n := 0
	err = tx.Bucket(bucketPractices).ForEach(func(k, v []byte) error {
		n++
		return b.Put(currentSumKey(string(k)), checksum(v))
	})
	if err != nil {
		return 0, fmt.Errorf("add checksums: %w", err)
	}
	err = tx.Bucket(bucketVersions).ForEach(func(k, v []byte) error {
		n++
		return b.Put(versionSumKey(k), checksum(v))
	})
	if err != nil {
		return 0, fmt.Errorf("add checksums: %w", err)
	}
	return n, nil
}
