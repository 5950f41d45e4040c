package practices_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// fill gives every field of v (a pointer) a value, recursively, so that a field added
// later is covered without this test changing.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem())
	case reflect.Struct:
		if v.Type().PkgPath() == "time" {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.String:
		v.SetString("x")
	}
}

// change alters every value reachable through slices and pointers of v.
func change(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			change(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				change(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			change(v.Index(i))
		}
	case reflect.String:
		v.SetString("changed")
	}
}

// A clone shares nothing with its original, whatever fields the practice has.
func TestCloneSharesNothing(t *testing.T) {
	var p practices.Practice
	fill(reflect.ValueOf(&p))
	before, _ := json.Marshal(p)
	c := p.Clone()
	change(reflect.ValueOf(c))
	if after, _ := json.Marshal(p); string(after) != string(before) {
		t.Fatalf("changing the clone changed the original:\n%s\n%s", before, after)
	}
}

// Reads served from the decoded practices never go back in time: after a write returns,
// every read sees it, however many readers are filling the cache meanwhile.
func TestReadsFollowWrites(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	p := samplePractice("followed")
	if _, err := s.Put(ctx, p, practices.NewVersion); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if _, err := s.Get(ctx, "followed"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 200 {
		p.Title = fmt.Sprintf("Title %d", i)
		if _, err := s.Put(ctx, p, practices.NewVersion); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "followed")
		if err != nil || got.Title != p.Title {
			stop.Store(true)
			t.Fatalf("after writing %q, read %q (%v)", p.Title, got.Title, err)
		}
		got.Title = "scribbled" // a caller's change stays its own
	}
	stop.Store(true)
	wg.Wait()
	if err := s.Delete(ctx, "followed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "followed"); err == nil {
		t.Fatal("a deleted practice is still read")
	}
}
