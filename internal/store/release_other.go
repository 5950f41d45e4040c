//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// releasePages is a no-op off Linux: the pages a check read stay resident until the
// kernel reclaims them.
func releasePages(*bolt.DB, *bolt.Tx) {}
