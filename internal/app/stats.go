package app

import (
	"context"
	"os"
	"path/filepath"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/federation"
)

// Stats are the figures operators watch.
type Stats struct {
	Practices      int            `json:"practices"`
	IndexDocuments uint64         `json:"index_documents"`
	IndexBytes     int64          `json:"index_bytes"`
	StoreSeq       uint64         `json:"store_seq"`
	IndexSeq       uint64         `json:"index_seq"`
	Submissions    map[string]int `json:"submissions"`
	// Peers is the harvest status of each peer.
	Peers []federation.Peer `json:"peers"`
	// AnswersServed counts searches, suggestions and candidate lists served again from
	// the cache of recent answers, AnswersComputed those computed.
	AnswersServed   uint64 `json:"answers_served"`
	AnswersComputed uint64 `json:"answers_computed"`
	// DiskFull is set while writes fail for lack of space; Damage counts the problems
	// found in the store.
	DiskFull bool `json:"disk_full"`
	Damage   int  `json:"damage"`
}

// Stats reads the current figures.
func (a *App) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	var err error
	if s.Practices, err = a.Store.Count(); err != nil {
		return s, err
	}
	if s.IndexDocuments, err = a.Index.DocCount(); err != nil {
		return s, err
	}
	if s.StoreSeq, err = a.Store.LastSeq(); err != nil {
		return s, err
	}
	if s.IndexSeq, err = a.Index.Seq(); err != nil {
		return s, err
	}
	s.AnswersServed, s.AnswersComputed = a.Index.AnswerCache()
	s.DiskFull, s.Damage = a.Store.DiskFull(), a.Store.DamageFound()
	filepath.Walk(a.indexDir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			s.IndexBytes += info.Size()
		}
		return nil
	})
	if s.Submissions, err = a.Review.CountByStatus(ctx); err != nil {
		return s, err
	}
	s.Peers, err = a.Peers.Peers()
	return s, err
}

// Caught reports whether the index has applied every change of the store: ready to serve
// what was last written.
func (a *App) Caught(ctx context.Context) error {
	if err := a.Ready(ctx); err != nil {
		return err
	}
	if err := a.Store.Health(); err != nil {
		return err
	}
	last, _ := a.Store.LastSeq()
	seq, _ := a.Index.Seq()
	if seq < last {
		return apperr.Errorf(apperr.Unavailable, "the index is catching up with the store (%d of %d changes)", seq, last)
	}
	return nil
}
