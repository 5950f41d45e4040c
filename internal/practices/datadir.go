package practices

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// MarkerFile is written in a data dir when a store is first opened there. Without it a
// missing store meant a new one, so a kb.db lost by accident was silently replaced by the
// embedded corpus, and users, submissions and edits went with it.
const MarkerFile = ".kb-initialised"

// restoreHint says how to put a store back; every refusal at open ends with it.
func restoreHint(dataDir string) string {
	return fmt.Sprintf("move the data dir aside (mv %s %s.damaged) and put the last backup in its place: kb restore --data %s FILE", dataDir, dataDir, dataDir)
}

// CheckDataDir refuses to open a data dir that is not safe to use: one writable by group
// or others (anyone who can write there can replace kb.db or the admin socket), one whose
// store is missing though the dir was used (the marker, or any of the derived entries
// given, such as the index, is there), and a store file that is empty, cut short or has
// no readable header (bbolt would re-create the first, and map the second and crash on
// the first page past its end with SIGBUS). A dir that does not exist yet is fine.
func CheckDataDir(dataDir string, derived ...string) error {
	st, err := os.Stat(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("data dir %s is not a directory", dataDir)
	}
	if err := notShared(dataDir, st); err != nil {
		return err
	}
	path := filepath.Join(dataDir, StoreFile)
	fst, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return missingStore(dataDir, derived)
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !fst.Mode().IsRegular() {
		return apperr.Errorf(apperr.Damaged, "%s is not a regular file; to restore the store, %s", path, restoreHint(dataDir))
	}
	if err := notShared(path, fst); err != nil {
		return err
	}
	if err := CheckStoreFile(path); err != nil {
		msg := fmt.Sprintf("%v; kb refuses to open it. To restore it, %s", err, restoreHint(dataDir))
		if fst.Size() == 0 && usedBy(dataDir, derived) == "" {
			msg += fmt.Sprintf(". If this data dir never held a knowledge base (its first start was cut off), remove %s and start again", path)
		}
		return &apperr.Error{Code: apperr.Damaged, Message: msg}
	}
	return nil
}

// usedBy returns what shows that dataDir held a store (the marker, or a derived entry),
// or "".
func usedBy(dataDir string, derived []string) string {
	for _, path := range usedPaths(dataDir, derived) {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	return ""
}

// notShared refuses a path writable by group or others.
func notShared(path string, st fs.FileInfo) error {
	if perm := st.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (mode %04o): anyone who can write there can replace the store or the admin socket; kb refuses to use it. Run: chmod go-w %s", path, perm, path)
	}
	return nil
}

func missingStore(dataDir string, derived []string) error {
	evidence := usedBy(dataDir, derived)
	if evidence == "" {
		return nil
	}
	return apperr.Errorf(apperr.Damaged, "%s is missing, but %s shows this data dir held a knowledge base: kb will not start it over from the embedded corpus, which would lose its users, submissions and edits. To restore it, %s. To start over on purpose, remove %s",
		filepath.Join(dataDir, StoreFile), evidence, restoreHint(dataDir), strings.Join(usedPaths(dataDir, derived), " and "))
}

func usedPaths(dataDir string, derived []string) []string {
	var out []string
	for _, name := range append([]string{MarkerFile}, derived...) {
		out = append(out, filepath.Join(dataDir, name))
	}
	return out
}

// markDataDir writes the marker of a used data dir, once.
func markDataDir(dataDir string, now time.Time) error {
	marker := filepath.Join(dataDir, MarkerFile)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	text := fmt.Sprintf("kb: a store was first opened in this data dir at %s.\nWhile this file is here, kb refuses to start with kb.db missing instead of seeding a new one.\n", now.Format(time.RFC3339))
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mark the data dir: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("mark the data dir: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("mark the data dir: %w", err)
	}
	return f.Close()
}

// The first bytes of a bbolt meta page (go.etcd.io/bbolt/internal/common): a 16-byte page
// header, then magic, version, page size, flags (4 bytes each), the root bucket (page id,
// sequence), the freelist's page id, the high water mark (the number of pages in use),
// the transaction id, and an FNV-64a checksum of everything before it, all in the
// machine's byte order.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	metaOffset         = 16
	metaLen            = 64
	boltNoFreelist     = ^uint64(0)
	minPageSize        = 1024
	maxPageSizeProbing = 1024 << 14
)

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
	valid    bool
}

func parseMeta(page []byte) boltMeta {
	if len(page) < metaOffset+metaLen {
		return boltMeta{}
	}
	m := page[metaOffset : metaOffset+metaLen]
	o := binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:56])
	meta := boltMeta{pageSize: o.Uint32(m[8:]), root: o.Uint64(m[16:]), freelist: o.Uint64(m[32:]), pgid: o.Uint64(m[40:]), txid: o.Uint64(m[48:])}
	meta.valid = o.Uint32(m[0:]) == boltMagic && o.Uint32(m[4:]) == boltVersion && o.Uint64(m[56:]) == h.Sum64() && meta.pageSize >= minPageSize
	return meta
}

// CheckStoreFile says what is wrong with a store file that bbolt must not map: empty,
// without a valid header page, or shorter than the pages its last committed transaction
// uses. It reads two small pages, so it costs nothing at open.
func CheckStoreFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	size := st.Size()
	if size == 0 {
		return fmt.Errorf("%s is empty (0 bytes): the store was lost, and bbolt would silently make a new one in its place", path)
	}
	read := func(off int64) []byte {
		buf := make([]byte, metaOffset+metaLen)
		n, _ := f.ReadAt(buf, off)
		return buf[:n]
	}
	m0 := parseMeta(read(0))
	var m1 boltMeta
	if m0.valid {
		m1 = parseMeta(read(int64(m0.pageSize)))
	} else {
		// Without the first header, the page size is unknown: bbolt probes the same way.
		for ps := int64(minPageSize); ps <= maxPageSizeProbing && ps < size; ps *= 2 {
			if m1 = parseMeta(read(ps)); m1.valid {
				break
			}
		}
	}
	// bbolt uses the header of the later transaction when it is valid, else the other.
	a, b := m0, m1
	if m1.txid > m0.txid {
		a, b = m1, m0
	}
	meta := a
	if !a.valid {
		meta = b
	}
	if !meta.valid {
		return fmt.Errorf("%s is not a readable store: neither of its two header pages is valid (%d bytes; cut short or overwritten)", path, size)
	}
	need := int64(meta.pgid) * int64(meta.pageSize)
	if size < need || meta.root >= meta.pgid || (meta.freelist != boltNoFreelist && meta.freelist >= meta.pgid) {
		return fmt.Errorf("%s is cut short: it has %d bytes, but its last transaction uses %d (%d pages of %d bytes); mapping it would crash", path, size, need, meta.pgid, meta.pageSize)
	}
	return nil
}
