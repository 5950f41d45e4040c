package app_test

import (
	"context"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/synth"
)

// An import larger than the rebuild backlog is indexed while it is written: afterwards
// the index holds every practice of the store and is at its last change.
func TestALargeImportIsIndexedAsItIsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 10,001 practices")
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	seeded, _ := a.Store.Count()
	var corpus []*practices.Practice
	if err := a.Store.Each(ctx, func(p *practices.Practice) error {
		corpus = append(corpus, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	model := synth.NewModel(corpus, a.Geo, nil)
	var ps []*practices.Practice
	for i := range index.RebuildBacklog + 1 {
		ps = append(ps, model.Practice(5, i))
	}
	rep, err := a.Import(ctx, ps, store.NewVersion)
	if err != nil || rep.Added != len(ps) || rep.IndexError != "" {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if n, _ := a.Index.DocCount(); n != uint64(seeded+len(ps)) {
		t.Errorf("the index holds %d practices, the store %d", n, seeded+len(ps))
	}
	last, _ := a.Store.LastSeq()
	if seq, _ := a.Index.Seq(); seq != last {
		t.Errorf("index at change %d, store at %d", seq, last)
	}
	res, err := a.Search(ctx, index.Request{IDs: []string{ps[len(ps)-1].ID}})
	if err != nil || res.Total != 1 {
		t.Errorf("the last practice imported is not found: %v, %v", res, err)
	}
}
