package store

import (
	"fmt"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// bbolt trusts the pages it maps: on a damaged page it fails an assertion ("Page
// expected to be: 135, but self identifies as 33554567"), indexes past a slice or reads
// an address outside the map, and panics. Every transaction of the store goes through
// view or update, which turn such a panic into a Damaged error noted in the store's
// health (so the process lives, and readiness says why), and bbolt rolls the transaction
// back as the panic unwinds it. A panic whose first frame is not bbolt's is kb's own bug
// and goes on.

// view runs fn in a read transaction, guarded.
func (s *Store) view(fn func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard(&err)
	return s.db.View(fn)
}

// updateGuarded runs fn in a write transaction, guarded.
func (s *Store) updateGuarded(fn func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard(&err)
	return s.db.Update(fn)
}

func (s *Store) guard(err *error) {
	p := recover()
	if p == nil {
		return
	}
	if !panickedInBolt(string(debug.Stack())) {
		panic(p)
	}
	*err = s.seen(damage(fmt.Sprintf("reading a page of the file failed (%v)", p)))
}

// panickedInBolt reports whether the first frame below the panic in a goroutine's stack,
// runtime frames aside, is bbolt's.
func panickedInBolt(stack string) bool {
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "panic(") {
			continue
		}
		for _, f := range lines[i+1:] {
			if strings.HasPrefix(f, "\t") || strings.HasPrefix(f, "runtime.") {
				continue
			}
			return strings.HasPrefix(f, "go.etcd.io/bbolt")
		}
	}
	return false
}
