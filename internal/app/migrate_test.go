package app_test

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// A data dir made by the release before shared identities (testdata/schema1-harvested-
// copies.md says how) opens with every harvested copy of a study case folded into the
// case: one practice per identity, the copies' ids redirecting, what a coordinator
// featured still featured, the accounts kept, the harvested case of a's own kept with its
// identity, and search showing each case once.
func TestMigrationFoldsTheCopiesOfTheStudy(t *testing.T) {
	dir := oldDataDir(t)
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, Namespace: "b.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n, _ := a.Store.Count(); n != 40 {
		t.Fatalf("%d practices after the migration, want the study's 39 and a's own case", n)
	}
	study := 0
	a.Store.Each(ctx, func(p *practices.Practice) error {
		if p.Study() {
			study++
		}
		return nil
	})
	if study != 39 {
		t.Fatalf("%d practices carry the study's identity, want 39", study)
	}
	if to, ok := a.Redirect("a-barcelona-sentilo-iot-platform"); !ok || to != "barcelona-sentilo-iot-platform" {
		t.Fatalf("the copy's id redirects to %q (%v)", to, ok)
	}
	own, err := a.Store.Get(ctx, "a-a-own-case")
	if err != nil || own.URI != "oai:a.example.org:a-own-case" || own.Origin == nil {
		t.Fatalf("a's own case after the migration: %+v (%v)", own, err)
	}
	if id, ok := a.Store.IDOfURI("oai:a.example.org:a-own-case"); !ok || id != "a-a-own-case" {
		t.Fatalf("a's own case is not found by its identity: %q", id)
	}
	featured, _ := a.Featured()
	if !slices.Contains(featured, "barcelona-sentilo-iot-platform") || !slices.Contains(featured, "a-a-own-case") || slices.Contains(featured, "a-barcelona-sentilo-iot-platform") {
		t.Fatalf("featured after the migration: %v", featured)
	}
	if users, _ := a.Users(); len(users) != 1 || users[0].Email != "coord@b.example.org" {
		t.Fatalf("accounts after the migration: %+v", users)
	}
	res, err := a.Search(ctx, search.Request{Query: "Sentilo", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	sentilo := 0
	for _, h := range res.Hits {
		if h.Title == "Sentilo, the open IoT platform" || h.ID == "barcelona-sentilo-iot-platform" || h.ID == "a-barcelona-sentilo-iot-platform" {
			sentilo++
		}
	}
	if sentilo != 1 {
		t.Fatalf("search shows the Sentilo case %d times: %+v", sentilo, res.Hits)
	}
	log, _ := a.Audit(ctx, audit.Query{Target: "practice:a-barcelona-sentilo-iot-platform", Limit: 10})
	if len(log) == 0 || log[0].Action != "practice.fold" {
		t.Fatalf("the fold is not in the audit log: %+v", log)
	}
	// Opening again changes nothing more.
	a.Close()
	a, err = app.Open(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Store.Count(); n != 40 || a.Namespace != "b.example.org" {
		t.Fatalf("reopened: %d practices, namespace %s", n, a.Namespace)
	}
}

// The same data dir, seeded before the corpus had translations, gives each study case the
// corpus's Spanish, French and Portuguese text at its first start, as a new version in
// the audit log, once.
func TestAnOldDataDirTakesTheCorpusTranslations(t *testing.T) {
	dir := oldDataDir(t)
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, Namespace: "b.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]int{}
	a.Store.Each(ctx, func(p *practices.Practice) error {
		if !p.Study() {
			return nil
		}
		versions[p.ID] = p.Version
		var langs []string
		for _, tr := range p.Translations {
			langs = append(langs, tr.Language)
			if tr.By != practices.TranslatedByKB || tr.Reviewed {
				t.Errorf("%s/%s: by %q, reviewed %v", p.ID, tr.Language, tr.By, tr.Reviewed)
			}
		}
		if strings.Join(langs, ",") != "es,fr,pt" || p.Version != 1 { // as a node seeded today holds them
			t.Errorf("%s: version %d, translations %v", p.ID, p.Version, langs)
		}
		return nil
	})
	if len(versions) != 39 {
		t.Fatalf("%d study cases", len(versions))
	}
	log, _ := a.Audit(ctx, audit.Query{Target: "practice:bilbao-geobilbao", Limit: 10})
	if len(log) == 0 || log[0].Action != "practice.translations" || !strings.Contains(log[0].Note, "es, fr, pt") {
		t.Fatalf("the translations are not in the audit log: %+v", log)
	}
	res, err := a.Search(ctx, search.Request{Query: "Despliegue de conectividad", Limit: 3})
	if err != nil || len(res.Hits) == 0 || res.Hits[0].ID != "montevideo-wifi-abc" {
		t.Fatalf("the Spanish title is not searched: %+v (%v)", res.Hits, err)
	}
	a.Close()
	a, err = app.Open(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for id, v := range versions {
		if p, err := a.Store.Get(ctx, id); err != nil || p.Version != v {
			t.Fatalf("reopened, %s is at version %d, was %d (%v)", id, p.Version, v, err)
		}
	}
}

// oldDataDir lays out, in a new data dir, the kb.db the previous release built
// (testdata/schema1-harvested-copies.md).
func oldDataDir(t *testing.T) string {
	t.Helper()
	in, err := os.Open("testdata/schema1-harvested-copies.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, store.File), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
