package practices

import (
	"slices"
	"sync"

	"github.com/uclg-digital-cities/kb/internal/lru"
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
	byID *lru.Cache[string, *Practice]
	// written holds, for each practice written lately, the id of the transaction that
	// wrote it; floor stands for those forgotten to keep the map small.
	written map[string]int
	floor   int
	max     int
}

// decodedSize bounds the practices kept decoded (a few KB each).
const decodedSize = 4096

func newDecoded(max int) *decoded {
	return &decoded{byID: lru.New[string, *Practice](max), written: map[string]int{}, max: max}
}

// get returns a clone of the practice when it is kept.
func (d *decoded) get(id string) *Practice {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.byID.Get(id); ok {
		return p.Clone()
	}
	return nil
}

// add keeps a practice read in the transaction that sees the writes up to tx, unless it
// was written since.
func (d *decoded) add(p *Practice, tx int) {
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

// Clone returns a copy of p that shares nothing a caller could change.
func (p *Practice) Clone() *Practice {
	c := *p
	for _, l := range []*[]string{&c.Areas, &c.Crises, &c.Tags, &c.TargetGroups, &c.Results, &c.Prerequisites, &c.Languages} {
		*l = slices.Clone(*l)
	}
	c.Translations = slices.Clone(c.Translations)
	for i := range c.Translations {
		c.Translations[i].Results = slices.Clone(c.Translations[i].Results)
	}
	c.SameAs, c.LocalSameAs = slices.Clone(c.SameAs), slices.Clone(c.LocalSameAs)
	if c.Origin != nil {
		o := *c.Origin
		o.Hops, o.Coverage, o.Missing = slices.Clone(o.Hops), slices.Clone(o.Coverage), slices.Clone(o.Missing)
		if o.Signature != nil {
			sig := *o.Signature
			o.Signature = &sig
		}
		c.Origin = &o
	}
	if c.Assisted != nil {
		a := *c.Assisted
		a.Fields, a.Edited = slices.Clone(a.Fields), slices.Clone(a.Edited)
		c.Assisted = &a
	}
	return &c
}
