package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout of the whole file; it is recorded at creation and checked
// at open, so an older binary never misreads a newer store.
const SchemaVersion = 3

var (
	keySchema = []byte("schema_version")
	// keyCount holds the number of practices: counting the keys of a bucket walks every
	// page of it, which at 100 000 practices reads 200 MB and keeps it in memory.
	keyCount  = []byte("practice_count")
	keySeeded = []byte("seeded")
)

// migrations bring a store from the version before theirs to theirs, in order, inside
// the transaction of the open; every bucket of the list exists when they run.
var migrations = []struct {
	to  uint64
	run func(tx *bolt.Tx) error
}{
	{2, migrateToIdentities},
	{3, migrateToOneSchema},
}

// dropped are the buckets of earlier layouts: federation's schema 1 kept a queue and
// rejections by local id and staged harvested pages in the store.
var dropped = [][]byte{[]byte("peer_queue"), []byte("peer_rejected"), []byte("harvest_staged")}

// migrateToOneSchema brings a schema 2 store (whose version covered the practices only,
// each workflow package making its own buckets) to schema 3, whose version covers the
// whole file: it drops the buckets no package reads any more. The buckets are created
// before it runs, as at every open.
func migrateToOneSchema(tx *bolt.Tx) error {
	for _, b := range dropped {
		if tx.Bucket(b) == nil {
			continue
		}
		if err := tx.DeleteBucket(b); err != nil {
			return fmt.Errorf("drop bucket %s: %w", b, err)
		}
	}
	return nil
}

// init creates every bucket, runs the migrations the file needs and records the version.
func (s *Store) init() error {
	return s.updateGuarded(func(tx *bolt.Tx) error {
		var before uint64
		if m := tx.Bucket(bucketMeta); m != nil && m.Get(keySchema) != nil {
			before = binary.BigEndian.Uint64(m.Get(keySchema))
		}
		if before > SchemaVersion {
			return fmt.Errorf("open store: schema version %d is newer than this kb understands (%d)", before, SchemaVersion)
		}
		for _, b := range buckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		for _, m := range migrations {
			if before == 0 || before >= m.to { // a new store is made at the current layout
				continue
			}
			if err := m.run(tx); err != nil {
				return fmt.Errorf("migrate the store to schema %d: %w", m.to, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyCount) == nil { // a store from before the count was kept
			if err := meta.Put(keyCount, u64(uint64(tx.Bucket(bucketPractices).Stats().KeyN))); err != nil {
				return err
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

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}
