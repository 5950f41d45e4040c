package practices

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// SchemaVersion is the layout of the store's buckets; it is recorded at creation and
// checked at open, so an older binary never misreads a newer store.
const SchemaVersion = 2

// StoreFile is the name of the bbolt file inside a data dir.
const StoreFile = "kb.db"

var (
	bucketMeta      = []byte("meta")
	bucketPractices = []byte("practices")
	bucketChanges   = []byte("changes")
	bucketVersions  = []byte("versions")  // id 0x00 version → the practice as it was
	bucketRedirects = []byte("redirects") // merged id → the id it was merged into
	bucketFeatured  = []byte("featured")  // id → when it was featured

	keySchema = []byte("schema_version")
	// keyCount holds the number of practices: counting the keys of a bucket walks every
	// page of it, which at 100 000 practices reads 200 MB and keeps it in memory.
	keyCount  = []byte("practice_count")
	keySeeded = []byte("seeded")
)

// ErrLocked means another process (normally `kb serve`) holds the store.
var ErrLocked = errors.New("the store is held by another process")

// Change is one entry of the change log: every write to a practice appends one, with the
// next sequence number, in the same transaction as the write.
type Change struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	ID      string    `json:"id"`
	Op      string    `json:"op"` // "put" or "delete"
	Version int       `json:"version"`
}

// Store is the source of truth: practices and their change log in one bbolt file.
type Store struct {
	db        *bolt.DB
	namespace string // this node's, for the identities of its own practices
	now       func() time.Time
	decoded   *decoded
	health    *health
}

// StoreOptions tune Open.
type StoreOptions struct {
	// LockTimeout is how long to wait for the file lock; after it Open returns ErrLocked.
	LockTimeout time.Duration
	// ReadOnly opens the store with a shared lock.
	ReadOnly bool
}

// OpenStore opens (creating when needed) the store in dataDir.
func OpenStore(dataDir string, opts StoreOptions) (*Store, error) {
	if err := CheckDataDir(dataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = time.Second
	}
	db, err := bolt.Open(filepath.Join(dataDir, StoreFile), 0o600, &bolt.Options{Timeout: timeout, ReadOnly: opts.ReadOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }, decoded: newDecoded(decodedSize), health: newHealth()}
	if !opts.ReadOnly {
		if err := s.init(); err != nil {
			db.Close()
			return nil, err
		}
		if err := markDataDir(dataDir, s.now()); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		var before uint64
		if m := tx.Bucket(bucketMeta); m != nil && m.Get(keySchema) != nil {
			before = binary.BigEndian.Uint64(m.Get(keySchema))
		}
		for _, b := range [][]byte{bucketMeta, bucketPractices, bucketChanges, bucketVersions, bucketRedirects, bucketFeatured, bucketDatestamps, bucketStampKeys, bucketURIs, bucketSameAs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		if before > 0 && before < 2 {
			if err := migrateToIdentities(tx); err != nil {
				return fmt.Errorf("migrate the store to schema 2: %w", err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyCount) == nil { // a store from before the count was kept
			if err := meta.Put(keyCount, u64(uint64(tx.Bucket(bucketPractices).Stats().KeyN))); err != nil {
				return err
			}
		}
		if v := meta.Get(keySchema); v != nil {
			if got := binary.BigEndian.Uint64(v); got > SchemaVersion {
				return fmt.Errorf("open store: schema version %d is newer than this kb understands (%d)", got, SchemaVersion)
			}
		}
		var err error
		start := time.Now()
		if s.health.checksumsAdded, err = addChecksums(tx); err != nil {
			return err
		}
		s.health.checksumsTook = time.Since(start)
		return meta.Put(keySchema, u64(SchemaVersion))
	})
}

// Close releases the file lock.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the bbolt handle to the packages that keep their own buckets in the store.
func (s *Store) DB() *bolt.DB { return s.db }

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// Get returns the practice with that id, or an apperr NotFound.
func (s *Store) Get(ctx context.Context, id string) (*Practice, error) {
	if p := s.decoded.get(id); p != nil {
		return p, nil
	}
	var p *Practice
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if p, err = GetTx(tx, id); err == nil {
			s.decoded.add(p, tx.ID())
		}
		return err
	})
	return p, s.seen(err)
}

// countTx is the number of practices tx sees.
func countTx(tx *bolt.Tx) int {
	if v := tx.Bucket(bucketMeta).Get(keyCount); v != nil {
		return int(binary.BigEndian.Uint64(v))
	}
	return tx.Bucket(bucketPractices).Stats().KeyN // a read-only store not yet counted
}

// addCount moves the kept number of practices by delta.
func addCount(tx *bolt.Tx, delta int) error {
	return tx.Bucket(bucketMeta).Put(keyCount, u64(uint64(countTx(tx)+delta)))
}

// GetTx reads a practice inside a transaction.
func GetTx(tx *bolt.Tx, id string) (*Practice, error) {
	v := tx.Bucket(bucketPractices).Get([]byte(id))
	if v == nil {
		return nil, apperr.Errorf(apperr.NotFound, "no practice with id %q", id)
	}
	if err := verifyCurrentTx(tx, id, v); err != nil {
		return nil, err
	}
	var p Practice
	if err := json.Unmarshal(v, &p); err != nil { // decoding copies out of the transaction's memory
		return nil, fmt.Errorf("decode practice %s: %w", id, err)
	}
	return &p, nil
}

// Update runs fn in one write transaction, so that callers can write a practice together
// with their own records (a decision, an audit entry, a notification): all or nothing.
func (s *Store) Update(fn func(tx *bolt.Tx) error) error { return s.update(fn) }

// View runs fn in one read transaction.
func (s *Store) View(fn func(tx *bolt.Tx) error) error { return s.db.View(fn) }

// Count returns the number of practices.
func (s *Store) Count() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = countTx(tx)
		return nil
	})
	return n, err
}

// Each calls fn for every practice in id order, inside one read transaction, so the
// sequence it sees is consistent. It stops at the first error fn returns.
func (s *Store) Each(ctx context.Context, fn func(*Practice) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPractices).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := verifyCurrentTx(tx, string(k), v); err != nil {
				return s.seen(err)
			}
			var p Practice
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode practice %s: %w", k, err)
			}
			return fn(&p)
		})
	})
}

// PutMode says what a write does with the version and time stamp of the practice given.
type PutMode int

const (
	// NewVersion stamps a new version (the stored one plus one) at the current time.
	NewVersion PutMode = iota
	// KeepVersion stores the version and time stamp as given, for restoring exports.
	KeepVersion
)

// PutResult says what a Put did.
type PutResult struct {
	ID      string
	Changed bool // false when the stored practice already had this content
	Version int
}

// PutMany writes practices in one transaction, appending a change for each one whose
// content differs from what is stored. Either all are written or none.
func (s *Store) PutMany(ctx context.Context, ps []*Practice, mode PutMode) ([]PutResult, error) {
	results := make([]PutResult, len(ps))
	err := s.update(func(tx *bolt.Tx) error {
		for i, p := range ps {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := s.PutTx(tx, p, mode)
			if err != nil {
				return err
			}
			results[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// Put writes one practice; see PutMany.
func (s *Store) Put(ctx context.Context, p *Practice, mode PutMode) (PutResult, error) {
	rs, err := s.PutMany(ctx, []*Practice{p}, mode)
	if err != nil {
		return PutResult{}, err
	}
	return rs[0], nil
}

// PutTx writes a practice inside the caller's transaction: a new version (kept in the
// version history) and a change record, unless the content is already stored.
func (s *Store) PutTx(tx *bolt.Tx, p *Practice, mode PutMode) (PutResult, error) {
	b := tx.Bucket(bucketPractices)
	var old *Practice
	if v := b.Get([]byte(p.ID)); v != nil {
		if err := verifyCurrentTx(tx, p.ID, v); err != nil {
			return PutResult{}, err
		}
		old = new(Practice)
		if err := json.Unmarshal(v, old); err != nil {
			return PutResult{}, fmt.Errorf("decode practice %s: %w", p.ID, err)
		}
	}
	next := *p
	if ns, id, _ := SplitURI(next.URI); ns == s.namespace && s.namespace != "" && id == next.ID {
		next.URI = "" // this node's own: its identity is its id in this node's namespace
	}
	if mode == KeepVersion && next.Version > 0 {
		if next.UpdatedAt.IsZero() {
			next.UpdatedAt = s.now()
		}
		if old != nil && sameContent(old, &next) && old.Version == next.Version && old.UpdatedAt.Equal(next.UpdatedAt) {
			return PutResult{ID: p.ID, Version: old.Version}, nil
		}
	} else {
		if old != nil && sameContent(old, &next) {
			return PutResult{ID: p.ID, Version: old.Version}, nil
		}
		next.Version = removedVersion(tx, p.ID) + 1
		if old != nil {
			next.Version = old.Version + 1
		}
		next.UpdatedAt = s.now()
		// Time stamps are to the second, and harvesters take a practice as changed only
		// when its datestamp moves on: two versions in one second must not share one.
		if old != nil && !next.UpdatedAt.After(old.UpdatedAt) {
			next.UpdatedAt = old.UpdatedAt.Add(time.Second)
		}
	}
	into, err := s.collapsedInto(tx, &next)
	if err != nil {
		return PutResult{}, err
	}
	next.CollapsedInto = into
	data, err := json.Marshal(&next)
	if err != nil {
		return PutResult{}, fmt.Errorf("encode practice %s: %w", p.ID, err)
	}
	if err := b.Put([]byte(p.ID), data); err != nil {
		return PutResult{}, fmt.Errorf("put practice %s: %w", p.ID, err)
	}
	if old == nil {
		if err := addCount(tx, 1); err != nil {
			return PutResult{}, err
		}
	}
	s.decoded.write(p.ID, tx.ID())
	if err := tx.Bucket(bucketVersions).Put(versionKey(p.ID, next.Version), data); err != nil {
		return PutResult{}, fmt.Errorf("keep version %d of %s: %w", next.Version, p.ID, err)
	}
	if err := putSumsTx(tx, p.ID, next.Version, data); err != nil {
		return PutResult{}, err
	}
	if err := restamp(tx, &next, s.now()); err != nil {
		return PutResult{}, err
	}
	if err := indexURI(tx, old, &next); err != nil {
		return PutResult{}, err
	}
	if err := s.keepSameAs(tx, old, &next); err != nil {
		return PutResult{}, err
	}
	if err := appendChange(tx, Change{Time: next.UpdatedAt, ID: p.ID, Op: "put", Version: next.Version}); err != nil {
		return PutResult{}, err
	}
	*p = next
	return PutResult{ID: p.ID, Changed: true, Version: next.Version}, nil
}

// sameContent compares two practices ignoring their version and time stamp.
func sameContent(a, b *Practice) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
	ja, _ := json.Marshal(&x)
	jb, _ := json.Marshal(&y)
	return bytes.Equal(ja, jb)
}

// Delete removes a practice and records the deletion.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.update(func(tx *bolt.Tx) error { return s.DeleteTx(tx, id) })
}

// DeleteTx removes a practice inside the caller's transaction.
func (s *Store) DeleteTx(tx *bolt.Tx, id string) error {
	{
		old, err := GetTx(tx, id)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketPractices).Delete([]byte(id)); err != nil {
			return fmt.Errorf("delete practice %s: %w", id, err)
		}
		if err := dropSumTx(tx, id); err != nil {
			return fmt.Errorf("delete practice %s: %w", id, err)
		}
		if err := addCount(tx, -1); err != nil {
			return err
		}
		s.decoded.write(id, tx.ID())
		if err := stampRemoval(tx, old, s.now()); err != nil {
			return err
		}
		if err := indexURI(tx, old, nil); err != nil {
			return err
		}
		if err := s.keepSameAs(tx, old, nil); err != nil {
			return err
		}
		return appendChange(tx, Change{Time: s.now(), ID: id, Op: "delete"})
	}
}

// EachTx calls fn for every practice in id order inside the caller's transaction.
func (s *Store) EachTx(tx *bolt.Tx, fn func(*Practice) error) error {
	return tx.Bucket(bucketPractices).ForEach(func(k, v []byte) error {
		if err := verifyCurrentTx(tx, string(k), v); err != nil {
			return s.seen(err)
		}
		var p Practice
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode practice %s: %w", k, err)
		}
		return fn(&p)
	})
}

func appendChange(tx *bolt.Tx, c Change) error {
	b := tx.Bucket(bucketChanges)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("next change sequence: %w", err)
	}
	c.Seq = seq
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode change: %w", err)
	}
	return b.Put(u64(seq), data)
}

// LastSeq returns the sequence number of the latest change (0 for none).
func (s *Store) LastSeq() (uint64, error) {
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketChanges).Sequence()
		return nil
	})
	return seq, err
}

// ChangesSince returns up to limit changes with a sequence number above seq, oldest first.
func (s *Store) ChangesSince(seq uint64, limit int) ([]Change, error) {
	var out []Change
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChanges).Cursor()
		for k, v := c.Seek(u64(seq + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var ch Change
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("decode change %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// Seeded reports whether the embedded corpus was loaded into this store once already.
func (s *Store) Seeded() (bool, error) {
	var seeded bool
	err := s.db.View(func(tx *bolt.Tx) error {
		seeded = tx.Bucket(bucketMeta).Get(keySeeded) != nil
		return nil
	})
	return seeded, err
}

// MarkSeeded records that the embedded corpus was loaded, so it is never loaded again
// over what curators have changed since.
func (s *Store) MarkSeeded() error {
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySeeded, []byte(s.now().Format(time.RFC3339)))
	})
}

func versionKey(id string, version int) []byte {
	return append(append([]byte(id), 0), u64(uint64(version))...)
}

// VersionInfo describes one stored version of a practice.
type VersionInfo struct {
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	Title     string    `json:"title"`
	Archived  bool      `json:"archived,omitempty"`
}

// Versions lists every version of a practice, oldest first.
func (s *Store) Versions(ctx context.Context, id string) ([]VersionInfo, error) {
	var out []VersionInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := append([]byte(id), 0)
		c := tx.Bucket(bucketVersions).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := verifyVersionTx(tx, k, v); err != nil {
				return s.seen(err)
			}
			var p Practice
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode version of %s: %w", id, err)
			}
			out = append(out, VersionInfo{Version: p.Version, UpdatedAt: p.UpdatedAt, Title: p.Title, Archived: p.Archived})
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = apperr.Errorf(apperr.NotFound, "no practice with id %q", id)
	}
	return out, err
}

// Version returns a practice as it was at one version.
func (s *Store) Version(ctx context.Context, id string, version int) (*Practice, error) {
	var p Practice
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketVersions).Get(versionKey(id, version))
		if v == nil {
			return apperr.Errorf(apperr.NotFound, "practice %q has no version %d", id, version)
		}
		if err := verifyVersionTx(tx, versionKey(id, version), v); err != nil {
			return s.seen(err)
		}
		return json.Unmarshal(v, &p)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// SetRedirectTx records that from was merged into to.
func SetRedirectTx(tx *bolt.Tx, from, to string) error {
	return tx.Bucket(bucketRedirects).Put([]byte(from), []byte(to))
}

// Redirect returns the id a merged practice now lives at.
func (s *Store) Redirect(id string) (string, bool) {
	var to string
	s.db.View(func(tx *bolt.Tx) error {
		to = string(tx.Bucket(bucketRedirects).Get([]byte(id)))
		return nil
	})
	return to, to != ""
}

// SetFeaturedTx features or unfeatures a practice.
func SetFeaturedTx(tx *bolt.Tx, id string, featured bool, at time.Time) error {
	b := tx.Bucket(bucketFeatured)
	if !featured {
		return b.Delete([]byte(id))
	}
	return b.Put([]byte(id), []byte(at.UTC().Format(time.RFC3339)))
}

// Featured lists the featured practice ids, most recently featured first.
func (s *Store) Featured() ([]string, error) {
	type f struct {
		id, at string
	}
	var fs []f
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeatured).ForEach(func(k, v []byte) error {
			fs = append(fs, f{string(k), string(v)})
			return nil
		})
	})
	sort.Slice(fs, func(i, j int) bool { return fs[i].at > fs[j].at })
	ids := make([]string, len(fs))
	for i, x := range fs {
		ids[i] = x.id
	}
	return ids, err
}

// Now is the store's clock, truncated to seconds like every stored time.
func (s *Store) Now() time.Time { return s.now() }

// WriteTo writes a consistent snapshot of the whole store (a hot backup: writers go on).
func (s *Store) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Check runs bbolt's consistency check over the whole file, checks every practice value
// against its checksum, and the kept count of practices against the practices stored;
// see Verify.
func (s *Store) Check() error {
	r, err := s.Verify(context.Background())
	if err != nil {
		return err
	}
	return r.Err()
}

// Restore puts a backup into an empty data dir: it checks that the file is a kb store
// this version can read and passes bbolt's consistency check, then copies it in place.
// The index is rebuilt from it at the next start.
func Restore(backup, dataDir string) error {
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return apperr.Errorf(apperr.Conflict, "restore needs an empty data dir; %s is not empty", dataDir)
	}
	if err := CheckStoreFile(backup); err != nil { // before bbolt maps a file cut short
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
	tmp := filepath.Join(dataDir, StoreFile+".restoring")
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
	return os.Rename(tmp, filepath.Join(dataDir, StoreFile))
}
