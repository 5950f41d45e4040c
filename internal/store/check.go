package store

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// CheckReport is what a full check of the store found.
type CheckReport struct {
	Bytes     int64 `json:"bytes"`     // the size of the pages in use
	Practices int   `json:"practices"` // current practices stored
	Counted   int   `json:"counted"`   // the number of practices the store keeps
	Versions  int   `json:"versions"`  // kept versions
	Checksums int   `json:"checksums"` // checksums compared
	// Problems names each thing found damaged; empty when the store is whole.
	Problems []string `json:"problems,omitempty"`
	// More counts problems beyond those listed.
	More int `json:"more,omitempty"`
	// Notes are findings that are not damage (a store from before checksums).
	Notes []string      `json:"notes,omitempty"`
	Took  time.Duration `json:"took_ns"`
}

// maxProblems bounds the problems a report lists; beyond, they are counted.
const maxProblems = 200

func (r *CheckReport) problem(format string, args ...any) {
	if len(r.Problems) >= maxProblems {
		r.More++
		return
	}
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Err is nil for a whole store, else a Damaged error naming the first problems.
func (r *CheckReport) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	n := len(r.Problems) + r.More
	first := r.Problems[:min(3, len(r.Problems))]
	return apperr.Errorf(apperr.Damaged, "the store is damaged: %d problems, first %s. Restore the last good backup (kb restore --data DIR FILE)", n, strings.Join(first, "; "))
}

// Verify checks the whole store: the structure of every page read without bbolt's map,
// then bbolt's consistency check of every page, every
// practice value and kept version against its checksum, every checksum against a value,
// and the kept count against the practices stored. Damage it finds is also reported by
// Health. It reads every page once; the pages it made resident are released after.
func (s *Store) Verify(ctx context.Context) (CheckReport, error) {
	start := time.Now()
	var r CheckReport
	check := func(tx *bolt.Tx) error {
		r = verifyTx(ctx, tx)
		releasePages(s.db, tx)
		return ctx.Err()
	}
	var err error
	if s.db.IsReadOnly() {
		err = s.db.View(check) // nothing writes beside: the file is locked against writers
	} else {
		// bbolt's check reads the live freelist: in a read-only transaction beside a
		// writer it races with it, and a page the writer allocated reads as unreachable
		// and unfreed. A writable transaction, rolled back, keeps writers out meanwhile.
		err = s.db.Update(func(tx *bolt.Tx) error {
			if err := check(tx); err != nil {
				return err
			}
			return errRollback
		})
		if errors.Is(err, errRollback) {
			err = nil
		}
	}
	r.Took = time.Since(start)
	if err != nil {
		return r, err
	}
	s.health.noteDamage(r.Problems)
	return r, nil
}

// errRollback ends a writable transaction that only read.
var errRollback = errors.New("rolled back")

// verifyTx runs the checks of Verify in tx.
func verifyTx(ctx context.Context, tx *bolt.Tx) (r CheckReport) {
	r.Bytes = tx.Size()
	// A fault reading a damaged page is reported as damage, not a crash of the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			r.problem("reading the store failed: %v", p)
		}
	}()
	// bbolt's check, and every read below, go through the map and trust the pages'
	// counts: on a damaged structure they crash or run for ever. The pages are walked
	// first without the map.
	if problems := walkStore(tx.DB().Path(), uint64(tx.ID())); len(problems) > 0 {
		for _, p := range problems {
			r.problem("pages: %s", p)
		}
		r.Notes = append(r.Notes, "the page structure is damaged, so bbolt's check and the checksums were not run: reading the pages would crash")
		return r
	}
	for err := range tx.Check() { // drained to the end: the check runs until it closes
		r.problem("bbolt: %v", err)
	}
	if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketPractices) == nil || tx.Bucket(bucketVersions) == nil {
		r.problem("the store lacks kb's buckets")
		return r
	}
	sums := tx.Bucket(bucketChecksums)
	if sums == nil {
		r.Notes = append(r.Notes, "the store has no checksums yet: they are added when kb next opens it for writing")
	}
	found := 0 // values whose checksum was there
	walk := func(bucket []byte, n *int, sumKey func(k []byte) []byte, what func(k []byte) string) {
		c := tx.Bucket(bucket).Cursor()
		for k, v := c.First(); k != nil && ctx.Err() == nil; k, v = c.Next() {
			*n++
			if sums == nil {
				continue
			}
			want := sums.Get(sumKey(k))
			r.Checksums++
			if want != nil {
				found++
			}
			if p := sumProblem(want, v); p != "" {
				r.problem("%s%s", what(k), p)
			}
		}
	}
	walk(bucketPractices, &r.Practices, func(k []byte) []byte { return currentSumKey(string(k)) }, func(k []byte) string {
		return fmt.Sprintf("practice %q (its current version)", k)
	})
	walk(bucketVersions, &r.Versions, versionSumKey, describeVersionKey)
	// A checksum without its value means a key was changed or a value lost; they are
	// looked for one by one only when the numbers say there are some.
	if sums != nil && sums.Stats().KeyN != found {
		sums.ForEach(func(k, _ []byte) error {
			var v []byte
			switch {
			case len(k) > 0 && k[0] == 'c':
				v = tx.Bucket(bucketPractices).Get(k[1:])
			case len(k) > 0 && k[0] == 'v':
				v = tx.Bucket(bucketVersions).Get(k[1:])
			}
			if v == nil {
				r.problem("checksum %q has no value: a key was changed or a value lost", k)
			}
			return nil
		})
	}
	if r.Counted = countTx(tx); r.Counted != r.Practices {
		r.problem("the store counts %d practices but holds %d", r.Counted, r.Practices)
	}
	return r
}

// Check runs bbolt's consistency check over the whole file, checks every practice value
// against its checksum, and the kept count of practices against the practices stored;
// see Verify.
func (s *Store) Check() error {
	r, err := s.Verify(context.Background())
	if err != nil {
		return err
	}
	return r.Err()
}
