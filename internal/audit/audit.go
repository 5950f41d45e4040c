// Package audit is the append-only log of every change: who, when, what, and the record
// before and after, written in the transaction of the change it records.
package audit

// Append takes the change's own transaction, so there is never a change without its entry,
// nor an entry without its change.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// Entry is one recorded change.
type Entry struct {
	Seq    uint64          `json:"seq"`
	Time   time.Time       `json:"time"`
	Actor  string          `json:"actor"`  // who: a user's email, "contributor", "cli", "system"
	Action string          `json:"action"` // what: e.g. submission.accept, practice.edit
	Target string          `json:"target"` // on what: e.g. practice:ID, submission:ID
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	Note   string          `json:"note,omitempty"`
}

// Record builds an entry from the records before and after a change (either may be nil).
func Record(actor, action, target string, before, after any, note string) Entry {
	return Entry{Actor: actor, Action: action, Target: target, Before: raw(before), After: raw(after), Note: note}
}

func raw(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil || string(data) == "null" {
		return nil
	}
	return data
}

// Append writes an entry inside the caller's transaction, with the next sequence number
// and, when unset, the time now.
func Append(tx *store.Tx, e Entry) error {
	b := tx.Audit()
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	e.Seq = seq
	if e.Time.IsZero() {
		e.Time = time.Now().UTC().Truncate(time.Second)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return b.Put(binary.BigEndian.AppendUint64(nil, seq), data)
}

// Query selects entries, newest first.
type Query struct {
	Before uint64 // only entries older than this sequence number (0: from the newest)
	Limit  int
	Target string // only entries on this target, or with this prefix ("practice:")
	// Actor keeps the entries of one actor; a value ending in ":" or a space is a prefix
	// ("peer:", "contributor of submission ").
	Actor string
	// Action keeps one action, or those with this prefix ("submission.").
	Action string
	// Since and Until keep the entries written in [Since, Until); zero: no bound.
	Since, Until time.Time
}

// keeps reports whether an entry passes the query's filters.
func (q Query) keeps(e Entry) bool {
	switch {
	case q.Target != "" && e.Target != q.Target && !strings.HasPrefix(e.Target, q.Target):
	case q.Actor != "" && e.Actor != q.Actor && !(strings.HasSuffix(q.Actor, ":") || strings.HasSuffix(q.Actor, " ")):
	case q.Actor != "" && !strings.HasPrefix(e.Actor, q.Actor):
	case q.Action != "" && !strings.HasPrefix(e.Action, q.Action):
	case !q.Since.IsZero() && e.Time.Before(q.Since):
	case !q.Until.IsZero() && !e.Time.Before(q.Until):
	default:
		return true
	}
	return false
}

// List reads entries newest first.
func List(st *store.Store, q Query) ([]Entry, error) {
	out := []Entry{}
	err := st.View(func(tx *store.Tx) error {
		c := tx.Audit().Cursor()
		var k, v []byte
		if q.Before > 0 {
			key := make([]byte, 8)
			binary.BigEndian.PutUint64(key, q.Before)
			if at, _ := c.Seek(key); at == nil {
				k, v = c.Last() // every entry is older
			} else {
				k, v = c.Prev()
			}
		} else {
			k, v = c.Last()
		}
		for ; k != nil && len(out) < q.Limit; k, v = c.Prev() {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit: decode entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if !q.keeps(e) {
				continue
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
