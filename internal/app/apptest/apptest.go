// Package apptest gives tests data dirs already seeded with the embedded corpus: the
// study's cases are loaded and indexed in four languages once per test binary, not per test.
package apptest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/signing"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// identity is what a seeded data dir's first Open recorded and a copy must share:
// the practices' identities and URIs are made under the namespace.
type identity struct{ namespace, studyAuthority string }

// snapshot is a data dir held in memory, by path relative to the dir.
type snapshot struct {
	once  sync.Once
	dirs  map[string]fs.FileMode
	files map[string]file
	err   error
}

type file struct {
	data []byte
	mode fs.FileMode
}

var (
	mu        sync.Mutex
	snapshots = map[identity]*snapshot{}
)

// SeededDir returns a new data dir for t holding what a new data dir holds after its
// first app.Open with this namespace and study authority: the study's cases in the store
// and the index. It holds no signing key, so that each copy makes its own at its first
// Open, as a new node does.
func SeededDir(t testing.TB, namespace, studyAuthority string) string {
	t.Helper()
	mu.Lock()
	s := snapshots[identity{namespace, studyAuthority}]
	if s == nil {
		s = &snapshot{}
		snapshots[identity{namespace, studyAuthority}] = s
	}
	mu.Unlock()
	s.once.Do(func() { s.err = s.take(namespace, studyAuthority) })
	if s.err != nil {
		t.Fatalf("seed a data dir: %v", s.err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := s.write(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Open opens a knowledge base in a copy of a seeded data dir (an empty one with
// cfg.NoSeed), closed when the test ends; cfg.DataDir is set to it.
func Open(t testing.TB, cfg app.Config) *app.App {
	t.Helper()
	if cfg.NoSeed {
		cfg.DataDir = t.TempDir()
	} else {
		cfg.DataDir = SeededDir(t, cfg.Namespace, cfg.StudyAuthority)
	}
	a, err := app.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// take seeds a data dir in a folder of its own, forgets its signing key and reads it
// into memory.
func (s *snapshot) take(namespace, studyAuthority string) error {
	tmp, err := os.MkdirTemp("", "kb-seeded-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "data")
	a, err := app.Open(context.Background(), app.Config{DataDir: dir, Namespace: namespace, StudyAuthority: studyAuthority})
	if err != nil {
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	if err := forgetSigningKey(dir, namespace); err != nil {
		return err
	}
	s.dirs, s.files = map[string]fs.FileMode{}, map[string]file{}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			s.dirs[rel] = info.Mode().Perm()
		case info.Mode().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			s.files[rel] = file{data, info.Mode().Perm()}
		}
		return nil
	})
}

// forgetSigningKey empties the node's identity and records its namespace again: the
// key is made anew at the next Open.
func forgetSigningKey(dir, namespace string) error {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	err = st.Update(func(tx *store.Tx) error {
		b := tx.NodeIdentity()
		var keys [][]byte
		if err := b.ForEach(func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		_, err = signing.Namespace(st, namespace)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("forget the signing key: %w", err)
	}
	return nil
}

// write makes dir hold the snapshot, with the modes it was taken with (kb refuses a
// store others may write).
func (s *snapshot) write(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for rel, mode := range s.dirs {
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o700); err != nil {
			return err
		}
		if err := os.Chmod(filepath.Join(dir, rel), mode); err != nil {
			return err
		}
	}
	for rel, f := range s.files {
		if err := os.WriteFile(filepath.Join(dir, rel), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}
