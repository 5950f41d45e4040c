package store

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// This file reads bbolt's file format (go.etcd.io/bbolt/internal/common) with ReadAt,
// never through bbolt's memory map: a damaged file read through the map crashes the
// process (SIGBUS past the end of the file, a fault, or bbolt's own check looping over a
// page count flipped to billions), where read this way it is only reported.
//
// A page starts with a 16-byte header: its id, flags (branch 0x01, leaf 0x02, meta 0x04,
// freelist 0x10), an element count and the number of overflow pages that follow it.
// Branch elements are {pos, ksize uint32; child page id uint64}, leaf elements {flags,
// pos, ksize, vsize uint32}, each pos counted from the element; a leaf element with flag
// 0x01 is a bucket, whose value starts with its root page id (0: the bucket's page
// follows inline) and sequence. A meta page holds, after the header, magic, version, page
// size, flags (4 bytes each), the root bucket (page id, sequence), the freelist's page
// id, the high water mark (the number of pages in use), the transaction id, and an
// FNV-64a checksum of everything before it. All in the machine's byte order.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	pageHeader         = 16
	elementSize        = 16
	metaLen            = 64
	flagBranch         = 0x01
	flagLeaf           = 0x02
	flagFreelist       = 0x10
	flagBucket         = 0x01
	bucketHeader       = 16
	boltNoFreelist     = ^uint64(0)
	minPageSize        = 1024
	maxPageSizeProbing = 1024 << 14
)

var native = binary.NativeEndian

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
	valid    bool
}

func parseMeta(page []byte) boltMeta {
	if len(page) < pageHeader+metaLen {
		return boltMeta{}
	}
	m := page[pageHeader : pageHeader+metaLen]
	h := fnv.New64a()
	h.Write(m[:56])
	meta := boltMeta{pageSize: native.Uint32(m[8:]), root: native.Uint64(m[16:]), freelist: native.Uint64(m[32:]), pgid: native.Uint64(m[40:]), txid: native.Uint64(m[48:])}
	meta.valid = native.Uint32(m[0:]) == boltMagic && native.Uint32(m[4:]) == boltVersion && native.Uint64(m[56:]) == h.Sum64() && meta.pageSize >= minPageSize
	return meta
}

// readMetas reads the two meta pages of a file of size bytes.
func readMetas(f io.ReaderAt, size int64) (m0, m1 boltMeta) {
	read := func(off int64) []byte {
		buf := make([]byte, pageHeader+metaLen)
		n, _ := f.ReadAt(buf, off)
		return buf[:n]
	}
	if m0 = parseMeta(read(0)); m0.valid {
		return m0, parseMeta(read(int64(m0.pageSize)))
	}
	// Without the first meta, the page size is unknown: bbolt probes the same way.
	for ps := int64(minPageSize); ps <= maxPageSizeProbing && ps < size; ps *= 2 {
		if m1 = parseMeta(read(ps)); m1.valid {
			break
		}
	}
	return m0, m1
}

// currentMeta is the meta bbolt uses: the later transaction's when valid, else the other.
func currentMeta(m0, m1 boltMeta) boltMeta {
	a, b := m0, m1
	if m1.txid > m0.txid {
		a, b = m1, m0
	}
	if a.valid {
		return a
	}
	return b
}

// CheckFile says what is wrong with a store file that bbolt must not map: empty,
// without a valid meta page, shorter than the pages its last committed transaction uses,
// or with a freelist (which bbolt reads at open) that runs out of its pages. It reads a
// few small pages, so it costs nothing at open.
func CheckFile(path string) error {
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
	meta := currentMeta(readMetas(f, size))
	if !meta.valid {
		return fmt.Errorf("%s is not a readable store: neither of its two header pages is valid (%d bytes; cut short or overwritten)", path, size)
	}
	need := int64(meta.pgid) * int64(meta.pageSize)
	if size < need || meta.root >= meta.pgid || (meta.freelist != boltNoFreelist && meta.freelist >= meta.pgid) {
		return fmt.Errorf("%s is cut short: it has %d bytes, but its last transaction uses %d (%d pages of %d bytes); mapping it would crash", path, size, need, meta.pgid, meta.pageSize)
	}
	w := newPageWalker(f, meta)
	w.freelist()
	if len(w.problems) > 0 {
		return fmt.Errorf("%s is damaged: %s; mapping it would crash", path, w.problems[0])
	}
	return nil
}

// pageWalker checks the structure of the pages reachable from one meta.
type pageWalker struct {
	f        io.ReaderAt
	meta     boltMeta
	ps       int64
	seen     []bool // by page id, below the high water mark
	buf      []byte
	problems []string
	free     []uint64
}

// maxWalkProblems stops a walk of a badly damaged file early: the first say enough.
const maxWalkProblems = 50

func newPageWalker(f io.ReaderAt, meta boltMeta) *pageWalker {
	return &pageWalker{f: f, meta: meta, ps: int64(meta.pageSize), seen: make([]bool, meta.pgid)}
}

func (w *pageWalker) problem(format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

// run reads page id with its overflow pages, after checking that they are in range,
// that its header says it is that page with one of the flags wanted, and that no other
// page claimed them; nil when it is not fit to read on.
func (w *pageWalker) run(id uint64, flags uint16, what string) []byte {
	if id < 2 || id >= w.meta.pgid {
		w.problem("%s page %d: out of range (the file uses pages 2 to %d)", what, id, w.meta.pgid-1)
		return nil
	}
	var hdr [pageHeader]byte
	if _, err := w.f.ReadAt(hdr[:], int64(id)*w.ps); err != nil {
		w.problem("%s page %d: %v", what, id, err)
		return nil
	}
	got, gotFlags, overflow := native.Uint64(hdr[0:]), native.Uint16(hdr[8:]), uint64(native.Uint32(hdr[12:]))
	switch {
	case got != id:
		w.problem("%s page %d: its header says it is page %d", what, id, got)
		return nil
	case gotFlags&flags == 0 || gotFlags&^(flagBranch|flagLeaf|flagFreelist) != 0:
		w.problem("%s page %d: flags %#x", what, id, gotFlags)
		return nil
	case id+overflow >= w.meta.pgid:
		w.problem("%s page %d: %d overflow pages run past the last page %d", what, id, overflow, w.meta.pgid-1)
		return nil
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen[i] {
			w.problem("%s page %d: page %d is also part of another page", what, id, i)
			return nil
		}
		w.seen[i] = true
	}
	n := (overflow + 1) * uint64(w.ps)
	if uint64(cap(w.buf)) < n {
		w.buf = make([]byte, n)
	}
	buf := w.buf[:n]
	if _, err := w.f.ReadAt(buf, int64(id)*w.ps); err != nil {
		w.problem("%s page %d: %v", what, id, err)
		return nil
	}
	return buf
}

// freelist checks the freelist page and notes the free page ids.
func (w *pageWalker) freelist() {
	if w.meta.freelist == boltNoFreelist {
		return
	}
	buf := w.run(w.meta.freelist, flagFreelist, "freelist")
	if buf == nil {
		return
	}
	count, start := uint64(native.Uint16(buf[10:])), uint64(pageHeader)
	if count == 0xFFFF { // the real count is the first element
		if len(buf) < pageHeader+8 {
			w.problem("freelist page %d: too short for its count", w.meta.freelist)
			return
		}
		count, start = native.Uint64(buf[pageHeader:]), pageHeader+8
	}
	if count > (uint64(len(buf))-start)/8 {
		w.problem("freelist page %d: %d free page ids do not fit in its %d bytes", w.meta.freelist, count, len(buf))
		return
	}
	for i := uint64(0); i < count; i++ {
		id := native.Uint64(buf[start+8*i:])
		if id < 2 || id >= w.meta.pgid {
			w.problem("freelist page %d: free page %d out of range", w.meta.freelist, id)
			return
		}
		w.free = append(w.free, id)
	}
}

// tree walks every page reachable from the root bucket, without recursion on page ids.
func (w *pageWalker) tree() {
	stack := []uint64{w.meta.root}
	for len(stack) > 0 && len(w.problems) < maxWalkProblems {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		buf := w.run(id, flagBranch|flagLeaf, "tree")
		if buf != nil {
			stack = w.elements(buf, fmt.Sprintf("page %d", id), stack, 0)
		}
	}
}

// elements checks the elements of a branch or leaf page held in buf, and pushes the
// pages they lead to; an inline bucket's page is checked in place.
func (w *pageWalker) elements(buf []byte, where string, stack []uint64, depth int) []uint64 {
	if len(buf) < pageHeader {
		w.problem("%s: shorter than a page header", where)
		return stack
	}
	flags, count := native.Uint16(buf[8:]), int(native.Uint16(buf[10:]))
	if pageHeader+count*elementSize > len(buf) {
		w.problem("%s: %d elements do not fit in %d bytes", where, count, len(buf))
		return stack
	}
	for i := 0; i < count; i++ {
		at := pageHeader + i*elementSize
		e := buf[at : at+elementSize]
		if flags&flagBranch != 0 {
			pos, ksize := int(native.Uint32(e[0:])), int(native.Uint32(e[4:]))
			if at+pos+ksize > len(buf) || pos < 0 || ksize < 0 {
				w.problem("%s: element %d's key runs out of the page", where, i)
				return stack
			}
			stack = append(stack, native.Uint64(e[8:]))
			continue
		}
		eflags, pos, ksize, vsize := native.Uint32(e[0:]), int(native.Uint32(e[4:])), int(native.Uint32(e[8:])), int(native.Uint32(e[12:]))
		if pos < 0 || ksize < 0 || vsize < 0 || at+pos+ksize+vsize > len(buf) {
			w.problem("%s: element %d's key or value runs out of the page", where, i)
			return stack
		}
		if eflags&flagBucket == 0 {
			continue
		}
		v := buf[at+pos+ksize : at+pos+ksize+vsize]
		if len(v) < bucketHeader {
			w.problem("%s: bucket %q has a value of %d bytes", where, buf[at+pos:at+pos+ksize], len(v))
			return stack
		}
		if root := native.Uint64(v); root != 0 {
			stack = append(stack, root)
		} else if depth < 64 {
			stack = w.elements(v[bucketHeader:], fmt.Sprintf("%s, inline bucket %q", where, buf[at+pos:at+pos+ksize]), stack, depth+1)
		}
	}
	return stack
}

// walkStore checks the page structure of the store file at path as of the meta of
// transaction txid (or the current one if the file has moved on), reading it with
// ReadAt. bbolt's own check reads the pages through the map and trusts their counts, so
// it runs only on a structure this walk found whole.
func walkStore(path string, txid uint64) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{fmt.Sprintf("the page walk could not open the store: %v", err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return []string{fmt.Sprintf("the page walk could not read the store: %v", err)}
	}
	m0, m1 := readMetas(f, st.Size())
	meta := currentMeta(m0, m1)
	for _, m := range []boltMeta{m0, m1} {
		if m.valid && m.txid == txid {
			meta = m
		}
	}
	if !meta.valid {
		return []string{"neither meta page is valid"}
	}
	if need := int64(meta.pgid) * int64(meta.pageSize); st.Size() < need {
		return []string{fmt.Sprintf("the file has %d bytes, its pages need %d", st.Size(), need)}
	}
	w := newPageWalker(f, meta)
	w.freelist()
	for _, id := range w.free {
		w.seen[id] = true
	}
	w.tree()
	return w.problems
}
