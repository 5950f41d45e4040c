package store

import (
	"sync"

	"github.com/uclg-digital-cities/kb/internal/lru"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// decoded keeps recently read practices decoded: reading a practice from the store means
// parsing its JSON, which costs more than all the rest a recommendation does with the
// few hundred it scores. Each entry comes from a read transaction, known by the id of the
// last write it sees; a write of a practice drops it and refuses, from then on, what is
// read in transactions older than the write, so that a reader that began before a write
// cannot put the old version back, whenever it finishes. Callers get clones: nothing they
// change reaches the cache.
type decoded struct {
	mu   sync.Mutex
	byID *lru.Cache[string, *practices.Practice]
	// written holds, for each practice written lately, the id of the transaction that
	// wrote it; floor stands for those forgotten to keep the map small.
	written map[string]int
	floor   int
	max     int
}

// decodedSize bounds the practices kept decoded (a few KB each).
const decodedSize = 4096

func newDecoded(max int) *decoded {
	return &decoded{byID: lru.New[string, *practices.Practice](max), written: map[string]int{}, max: max}
}

// get returns a clone of the practice when it is kept.
func (d *decoded) get(id string) *practices.Practice {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.byID.Get(id); ok {
		return p.Clone()
	}
	return nil
}

// add keeps a practice read in the transaction that sees the writes up to tx, unless it
// was written since.
func (d *decoded) add(p *practices.Practice, tx int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if tx >= d.floor && tx >= d.written[p.ID] {
		d.byID.Put(p.ID, p.Clone())
	}
}

// write drops a practice that the write transaction tx writes, before it commits.
func (d *decoded) write(id string, tx int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.byID.Delete(id)
	d.written[id] = tx
	if len(d.written) > 2*d.max {
		for _, w := range d.written {
			d.floor = max(d.floor, w)
		}
		clear(d.written)
	}
}
