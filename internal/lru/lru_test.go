package lru_test

import (
	"testing"

	"github.com/uclg-digital-cities/kb/internal/lru"
)

func TestLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := lru.New[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Get("a") // b is now the least recently used
	c.Put("c", 3)
	if _, ok := c.Get("b"); ok {
		t.Fatal("b was kept over a more recently used entry")
	}
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("a: %d %v", v, ok)
	}
	c.Put("a", 10)
	if v, _ := c.Get("a"); v != 10 || c.Len() != 2 {
		t.Fatalf("replaced a: %d, %d entries", v, c.Len())
	}
	c.Delete("a")
	if _, ok := c.Get("a"); ok || c.Len() != 1 {
		t.Fatal("a deleted but kept")
	}
	none := lru.New[string, int](0)
	none.Put("a", 1)
	if none.Len() != 0 {
		t.Fatal("a cache of 0 kept an entry")
	}
}

func TestSizedCacheKeepsItsBound(t *testing.T) {
	c := lru.NewSized[string](10, func(v []byte) int { return len(v) })
	c.Put("a", make([]byte, 4))
	c.Put("b", make([]byte, 4))
	c.Put("c", make([]byte, 4)) // 12 > 10: a goes
	if _, ok := c.Get("a"); ok || c.Len() != 2 || c.Size() != 8 {
		t.Fatalf("after c: a kept or %d entries of %d", c.Len(), c.Size())
	}
	c.Put("huge", make([]byte, 11)) // larger than the whole cache: not kept, nothing lost
	if _, ok := c.Get("huge"); ok || c.Len() != 2 {
		t.Fatal("an entry larger than the bound was kept, or others were dropped for it")
	}
	c.Put("b", make([]byte, 1)) // replacing an entry counts its new size
	if c.Size() != 5 {
		t.Fatalf("size %d after replacing b, want 5", c.Size())
	}
}
