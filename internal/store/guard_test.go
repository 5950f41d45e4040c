package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// A page whose header names another page makes bbolt panic when it reads it ("Page
// expected to be"): the store's reads say the store is damaged instead, and the process
// lives (a bit flipped there made kb export crash).
func TestAPanicOfBboltOnADamagedPageIsDamageNotACrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		if _, err := s.Put(ctx, samplePractice(fmt.Sprintf("p%03d", i)), store.NewVersion); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	path := filepath.Join(dir, store.File)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096 // the OS page size bbolt takes by default; checked below
	if binary.LittleEndian.Uint32(data[16:]) != 0xED0CDAED || binary.LittleEndian.Uint32(data[24:]) != pageSize {
		t.Skip("not a bbolt file of 4 KiB pages")
	}
	flipped := 0
	for id := 2; (id+1)*pageSize <= len(data); id++ {
		page := data[id*pageSize:]
		if binary.LittleEndian.Uint16(page[8:]) == 0x02 { // a leaf page
			binary.LittleEndian.PutUint64(page, uint64(id)+1<<24)
			flipped++
		}
	}
	if flipped == 0 {
		t.Fatal("no leaf page to damage")
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}

	s, err = store.Open(dir, store.Options{ReadOnly: true})
	if err != nil {
		if apperr.Code(err) != apperr.Damaged {
			t.Fatalf("open of a damaged store: %v; want it refused as damaged", err)
		}
		return
	}
	defer s.Close()
	err = s.Each(ctx, func(p *practices.Practice) error { return nil })
	if apperr.Code(err) != apperr.Damaged {
		t.Fatalf("Each over damaged pages = %v; want a damaged store", err)
	}
	if _, err := s.Get(ctx, "p150"); apperr.Code(err) != apperr.Damaged {
		t.Fatalf("Get on damaged pages = %v; want a damaged store", err)
	}
	if s.DamageFound() == 0 {
		t.Error("the damage a read found is not in the store's health")
	}
}

// A panic of kb's own code inside a transaction is a bug, not damage: it goes on.
func TestAPanicOfKbInsideATransactionIsNotDamage(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer func() {
		if p := recover(); p != "kb's own bug" {
			t.Fatalf("recovered %v; want kb's own panic to go on", p)
		}
		if s.DamageFound() != 0 {
			t.Fatal("kb's own panic was noted as damage")
		}
	}()
	s.View(func(*store.Tx) error { panic("kb's own bug") })
}
