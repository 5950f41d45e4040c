package practices

import (
	"container/list"
	"slices"
	"sync"
)

// decoded keeps recently read practices decoded: reading a practice from the store means
// parsing its JSON, which costs more than all the rest a recommendation does with the
// few hundred it scores. Each entry comes from a read transaction, known by the id of the
// last write it sees; a write of a practice drops it and refuses, from then on, what is
// read in transactions older than the write, so that a reader that began before a write
// cannot put the old version back, whenever it finishes. Callers get clones: nothing they
// change reaches the cache.
type decoded struct {
	mu    sync.Mutex
	max   int
	order *list.List // most recent first; values are *Practice
	byID  map[string]*list.Element
	// written holds, for each practice written lately, the id of the transaction that
	// wrote it; floor stands for those forgotten to keep the map small.
	written map[string]int
	floor   int
}

// decodedSize bounds the practices kept decoded (a few KB each).
const decodedSize = 4096

func newDecoded(max int) *decoded {
	return &decoded{max: max, order: list.New(), byID: map[string]*list.Element{}, written: map[string]int{}}
}

// get returns a clone of the practice when it is kept.
func (d *decoded) get(id string) *Practice {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.byID[id]; ok {
		d.order.MoveToFront(el)
		return el.Value.(*Practice).Clone()
	}
	return nil
}

// add keeps a practice read in the transaction that sees the writes up to tx, unless it
// was written since.
func (d *decoded) add(p *Practice, tx int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.max == 0 || tx < d.floor || tx < d.written[p.ID] {
		return
	}
	if el, ok := d.byID[p.ID]; ok {
		d.order.Remove(el)
	}
	d.byID[p.ID] = d.order.PushFront(p.Clone())
	for d.order.Len() > d.max {
		last := d.order.Back()
		d.order.Remove(last)
		delete(d.byID, last.Value.(*Practice).ID)
	}
}

// write drops a practice that the write transaction tx writes, before it commits.
func (d *decoded) write(id string, tx int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.byID[id]; ok {
		d.order.Remove(el)
		delete(d.byID, id)
	}
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
	if c.Origin != nil {
		o := *c.Origin
		c.Origin = &o
	}
	if c.Assisted != nil {
		a := *c.Assisted
		a.Fields, a.Edited = slices.Clone(a.Fields), slices.Clone(a.Edited)
		c.Assisted = &a
	}
	return &c
}
