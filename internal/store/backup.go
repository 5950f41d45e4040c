package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// WriteTo writes a consistent snapshot of the whole store (a hot backup: writers go on).
func (s *Store) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Restore puts a backup into an empty data dir: it checks that the file is a kb store
// this version can read and passes bbolt's consistency check, then copies it in place.
// The index is rebuilt from it at the next start.
func Restore(backup, dataDir string) error {
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return apperr.Errorf(apperr.Conflict, "restore needs an empty data dir; %s is not empty", dataDir)
	}
	if err := CheckFile(backup); err != nil { // before bbolt maps a file cut short
		return apperr.InvalidFields("not a kb backup, or a damaged one", map[string]string{"file": err.Error()})
	}
	probe, err := bolt.Open(backup, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return apperr.InvalidFields("not a kb backup", map[string]string{"file": err.Error()})
	}
	err = probe.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || meta.Get(keySchema) == nil || tx.Bucket(bucketPractices) == nil {
			return apperr.InvalidFields("not a kb backup", map[string]string{"file": "it has no kb buckets"})
		}
		if v := binary.BigEndian.Uint64(meta.Get(keySchema)); v > SchemaVersion {
			return apperr.InvalidFields("not a kb backup", map[string]string{"file": fmt.Sprintf("schema version %d is newer than this kb understands", v)})
		}
		if r := verifyTx(context.Background(), tx); len(r.Problems) > 0 {
			return apperr.InvalidFields("the backup is damaged", map[string]string{"file": strings.Join(r.Problems, "; ")})
		}
		return nil
	})
	probe.Close()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	in, err := os.Open(backup)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := filepath.Join(dataDir, File+".restoring")
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	out.Close()
	return os.Rename(tmp, filepath.Join(dataDir, File))
}
