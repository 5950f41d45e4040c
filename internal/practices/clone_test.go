package practices_test

import (
	"encoding/json"
	"reflect"
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
