// Package lru is a bounded map that forgets the least recently used entry first.
package lru

import "container/list"

// Cache holds entries whose sizes add up to at most max (each entry's size is 1 unless
// the cache was made by NewSized); a max of 0 holds none. It is not safe for concurrent
// use: its users hold their own lock, which also guards what they keep beside it.
type Cache[K comparable, V any] struct {
	max   int
	size  func(V) int
	used  int        // the sum of the sizes of the entries
	order *list.List // most recent first; values are *entry
	byKey map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	size int
}

// New makes a cache of at most max entries.
func New[K comparable, V any](max int) *Cache[K, V] {
	return NewSized[K](max, func(V) int { return 1 })
}

// NewSized makes a cache of entries whose sizes, as size tells them, add up to at most
// max.
func NewSized[K comparable, V any](max int, size func(V) int) *Cache[K, V] {
	return &Cache[K, V]{max: max, size: size, order: list.New(), byKey: map[K]*list.Element{}}
}

// Get returns the value of key and marks it used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// Put sets the value of key, forgetting the least recently used entries beyond the bound.
func (c *Cache[K, V]) Put(key K, val V) {
	if c.max <= 0 {
		return
	}
	c.Delete(key)
	n := c.size(val)
	if n > c.max {
		return
	}
	c.byKey[key] = c.order.PushFront(&entry[K, V]{key, val, n})
	c.used += n
	for c.used > c.max {
		c.Delete(c.order.Back().Value.(*entry[K, V]).key)
	}
}

// Delete forgets key.
func (c *Cache[K, V]) Delete(key K) {
	if el, ok := c.byKey[key]; ok {
		c.order.Remove(el)
		delete(c.byKey, key)
		c.used -= el.Value.(*entry[K, V]).size
	}
}

// Len is the number of entries.
func (c *Cache[K, V]) Len() int { return c.order.Len() }

// Size is the sum of the sizes of the entries.
func (c *Cache[K, V]) Size() int { return c.used }
