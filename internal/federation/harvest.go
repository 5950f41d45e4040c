package federation

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Report says what one harvest of a peer did.
type Report struct {
	Peer     string `json:"peer"`
	Pages    int    `json:"pages"`
	Received int    `json:"received"`
	// Published and Updated count practices written, Archived deletions applied, Queued
	// practices waiting for review, Unchanged records already held, Rejected records
	// that were not valid practices or clashed with a practice of another origin.
	Published int      `json:"published"`
	Updated   int      `json:"updated"`
	Archived  int      `json:"archived"`
	Queued    int      `json:"queued"`
	Unchanged int      `json:"unchanged"`
	Rejected  int      `json:"rejected"`
	Problems  []string `json:"problems,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func (r *Report) changed() int { return r.Published + r.Updated + r.Archived + r.Queued }

// maxProblems bounds the problems a report lists.
const maxProblems = 20

func (r *Report) problem(format string, args ...any) {
	r.Rejected++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Sync harvests one peer from where its last complete harvest started. The pages are
// staged as they arrive and applied only once the list is complete, each in one
// transaction: a peer that fails mid-list, or misbehaves (an endless list, bad XML, a huge
// or slow answer), leaves the practices as they were, and the next harvest starts again
// from the same point, skipping what is already held.
func (s *Service) Sync(ctx context.Context, name string) (Report, error) {
	peer, err := s.Peer(name)
	if err != nil {
		return Report{}, err
	}
	if !s.claim(name) {
		return Report{}, apperr.Errorf(apperr.Conflict, "a harvest of %s is already running", name)
	}
	defer s.release(name)
	rep := Report{Peer: name}
	started := time.Time{}
	if repo, err := s.client.Identify(ctx, peer.URL); err == nil {
		peer.RepositoryName = repo.Name
	} else {
		return s.finish(peer, rep, started, fmt.Errorf("identify %s (is it the peer's OAI-PMH endpoint, ending in /oai?): %w", peer.URL, err))
	}
	if err := s.clearStaged(name); err != nil {
		return rep, err
	}
	defer func() {
		if err := s.clearStaged(name); err != nil {
			s.log.Error("clear staged harvest", "peer", name, "err", err)
		}
	}()
	err = s.client.ListRecords(ctx, peer.URL, peer.From, peer.Set, func(pg oai.Page) error {
		if started.IsZero() {
			started = pg.ResponseDate
		}
		rep.Pages++
		rep.Received += len(pg.Records)
		return s.stage(name, rep.Pages, pg)
	})
	if err == nil {
		err = s.applyStaged(ctx, peer, &rep)
	}
	if rep.changed() > 0 {
		if ierr := s.index.Sync(ctx); ierr != nil {
			s.log.Error("index sync after a harvest failed", "peer", name, "err", ierr)
		}
	}
	return s.finish(peer, rep, started, err)
}

// claim marks a peer's harvest as running; two at once would mix their staged pages.
func (s *Service) claim(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[name] {
		return false
	}
	s.running[name] = true
	return true
}

func (s *Service) release(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, name)
}

// finish records the harvest's outcome on the peer: on success where the next one
// starts, on failure the error and a backoff that doubles up to a day.
func (s *Service) finish(peer *Peer, rep Report, started time.Time, herr error) (Report, error) {
	now := s.store.Now()
	peer.LastHarvest = now
	peer.LastReceived, peer.LastChanged = rep.Received, rep.changed()
	peer.Received += rep.Received
	if herr == nil {
		if !started.IsZero() {
			peer.From = started
		}
		peer.LastSuccess, peer.LastError, peer.Failures = now, "", 0
		peer.NextHarvest = now.Add(time.Duration(peer.Interval))
	} else {
		rep.Error = herr.Error()
		peer.LastError = herr.Error()
		peer.Failures++
		wait := time.Duration(peer.Interval)
		for i := 1; i < peer.Failures && wait < maxBackoff; i++ {
			wait *= 2
		}
		peer.NextHarvest = now.Add(min(wait, maxBackoff))
		s.log.Warn("harvest failed", "peer", peer.Name, "url", peer.URL, "failures", peer.Failures, "next", peer.NextHarvest, "err", herr)
	}
	err := s.store.Update(func(tx *bolt.Tx) error {
		if _, err := getPeer(tx, peer.Name); err != nil {
			return err // removed during the harvest
		}
		return putPeer(tx, peer)
	})
	if err != nil {
		return rep, err
	}
	if herr != nil {
		return rep, apperr.Errorf(apperr.Unavailable, "harvest of %s failed: %v", peer.Name, herr)
	}
	return rep, nil
}

// LocalID is the id a practice harvested from a peer takes here: prefixed with the
// peer's name, so that two networks' ids never clash.
func LocalID(peer, id string) string { return peer + "-" + id }

// originID reads the origin's practice id from an OAI identifier oai:NAMESPACE:ID.
func originID(identifier string) (string, bool) {
	rest, ok := strings.CutPrefix(identifier, "oai:")
	if !ok {
		return "", false
	}
	_, id, ok := strings.Cut(rest, ":")
	return id, ok && practices.ValidID(id)
}

func stagedPrefix(peer string) []byte { return append([]byte(peer), 0) }

func (s *Service) stage(peer string, n int, pg oai.Page) error {
	data, err := json.Marshal(pg)
	if err != nil {
		return fmt.Errorf("stage page %d of %s: %w", n, peer, err)
	}
	key := binary.BigEndian.AppendUint64(stagedPrefix(peer), uint64(n))
	return s.store.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketStaged).Put(key, data) })
}

func (s *Service) stagedKeys(peer string) ([][]byte, error) {
	var keys [][]byte
	prefix := stagedPrefix(peer)
	err := s.store.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketStaged).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	return keys, err
}

func (s *Service) clearStaged(peer string) error {
	keys, err := s.stagedKeys(peer)
	if err != nil || len(keys) == 0 {
		return err
	}
	return s.store.Update(func(tx *bolt.Tx) error {
		for _, k := range keys {
			if err := tx.Bucket(bucketStaged).Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// applyStaged applies the staged pages in order, each with its records in one
// transaction that also drops it from the staging area.
func (s *Service) applyStaged(ctx context.Context, peer *Peer, rep *Report) error {
	keys, err := s.stagedKeys(peer.Name)
	if err != nil {
		return err
	}
	for _, k := range keys {
		before := *rep
		err := s.store.Update(func(tx *bolt.Tx) error {
			var pg oai.Page
			if err := json.Unmarshal(tx.Bucket(bucketStaged).Get(k), &pg); err != nil {
				return fmt.Errorf("decode staged page: %w", err)
			}
			for _, rec := range pg.Records {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := s.apply(tx, peer, rec, s.store.Now(), rep); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketStaged).Delete(k)
		})
		if err != nil {
			*rep = before // nothing of the page was written
			return err
		}
	}
	return nil
}

// apply writes one record; a record that cannot be taken is counted and skipped, an
// error of the store aborts the page.
func (s *Service) apply(tx *bolt.Tx, peer *Peer, rec oai.Record, harvested time.Time, rep *Report) error {
	oid, ok := originID(rec.Header.Identifier)
	if !ok {
		rep.problem("%s: not an identifier of the form oai:NAMESPACE:ID", rec.Header.Identifier)
		return nil
	}
	id := LocalID(peer.Name, oid)
	if !practices.ValidID(id) {
		rep.problem("%s: the local id %s would be too long", rec.Header.Identifier, id)
		return nil
	}
	stamp, _ := oai.ParseStamp(rec.Header.Datestamp)
	held, err := practices.GetTx(tx, id)
	if err != nil && apperr.Code(err) != apperr.NotFound {
		return err
	}
	if held != nil && (held.Origin == nil || held.Origin.Peer != peer.Name || held.Origin.Identifier != rec.Header.Identifier) {
		rep.problem("%s: %s is already a practice of another origin", rec.Header.Identifier, id)
		return nil
	}
	queued, _, err := getQueued(tx, id)
	if err != nil {
		return err
	}
	newest := newestStamp(held, queued)
	if r := tx.Bucket(bucketRejected).Get([]byte(id)); r != nil {
		if t, err := time.Parse(time.RFC3339, string(r)); err == nil && t.After(newest) {
			newest = t
		}
	}
	if !stamp.After(newest) {
		rep.Unchanged++
		return nil
	}
	origin := &practices.Origin{Peer: peer.Name, Repository: peer.URL, RepositoryName: peer.RepositoryName,
		Identifier: rec.Header.Identifier, Datestamp: stamp, HarvestedAt: harvested}
	if rec.Header.Deleted() {
		return s.applyDeletion(tx, id, held, queued != nil, origin, rep)
	}
	p := rec.Practice.ToPractice()
	if p.ID != oid {
		rep.problem("%s: the record's id %q is not the identifier's", rec.Header.Identifier, p.ID)
		return nil
	}
	p.ID = id
	p.Normalize()
	s.geo.Enrich(p)
	if err := p.Validate(s.geo); err != nil {
		rep.problem("%s: %v", rec.Header.Identifier, err)
		return nil
	}
	p.Origin = origin
	switch {
	case held != nil:
		if _, err := s.store.PutTx(tx, p, practices.NewVersion); err != nil {
			return err
		}
		rep.Updated++
	case peer.Policy == PolicyReview:
		if err := putQueued(tx, p); err != nil {
			return err
		}
		rep.Queued++
		return nil
	default:
		if _, err := s.store.PutTx(tx, p, practices.NewVersion); err != nil {
			return err
		}
		rep.Published++
	}
	return audit.Append(tx, audit.Record("peer:"+peer.Name, "harvest", "practice:"+id, held, p, rec.Header.Identifier))
}

func (s *Service) applyDeletion(tx *bolt.Tx, id string, held *practices.Practice, queued bool, origin *practices.Origin, rep *Report) error {
	if queued {
		if err := tx.Bucket(bucketQueue).Delete([]byte(id)); err != nil {
			return err
		}
	}
	if held == nil {
		if !queued {
			rep.Unchanged++ // a deletion of something never held here
		}
		return nil
	}
	p := *held
	p.Archived, p.Origin = true, origin
	if _, err := s.store.PutTx(tx, &p, practices.NewVersion); err != nil {
		return err
	}
	rep.Archived++
	return audit.Append(tx, audit.Record("peer:"+origin.Peer, "harvest_delete", "practice:"+id, held, &p, origin.Identifier))
}

func newestStamp(held, queued *practices.Practice) time.Time {
	var t time.Time
	for _, p := range []*practices.Practice{held, queued} {
		if p != nil && p.Origin != nil && p.Origin.Datestamp.After(t) {
			t = p.Origin.Datestamp
		}
	}
	return t
}

// SyncAll harvests every peer in turn and reports on each.
func (s *Service) SyncAll(ctx context.Context) ([]Report, error) {
	peers, err := s.Peers()
	if err != nil {
		return nil, err
	}
	var out []Report
	var errs []error
	for _, p := range peers {
		rep, err := s.Sync(ctx, p.Name)
		out = append(out, rep)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// Run harvests, until ctx ends, each peer whose next harvest is due, checking every
// tick.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		peers, err := s.Peers()
		if err != nil {
			s.log.Error("list peers", "err", err)
		}
		for _, p := range peers {
			if ctx.Err() != nil {
				return
			}
			if !p.NextHarvest.After(s.store.Now()) {
				if rep, err := s.Sync(ctx, p.Name); err == nil {
					s.log.Info("harvested", "peer", p.Name, "received", rep.Received, "changed", rep.changed(), "rejected", rep.Rejected)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Queued lists the harvested practices waiting for a coordinator.
func (s *Service) Queued() ([]practices.Practice, error) {
	out := []practices.Practice{}
	err := s.store.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQueue).ForEach(func(k, v []byte) error {
			var p practices.Practice
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode queued %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// getQueued returns the queued practice with that id; ok is false when none waits.
func getQueued(tx *bolt.Tx, id string) (p *practices.Practice, ok bool, err error) {
	v := tx.Bucket(bucketQueue).Get([]byte(id))
	if v == nil {
		return nil, false, nil
	}
	p = new(practices.Practice)
	if err := json.Unmarshal(v, p); err != nil {
		return nil, false, fmt.Errorf("decode queued %s: %w", id, err)
	}
	return p, true, nil
}

func putQueued(tx *bolt.Tx, p *practices.Practice) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode queued %s: %w", p.ID, err)
	}
	return tx.Bucket(bucketQueue).Put([]byte(p.ID), data)
}

// Decide publishes a queued practice (accept) or drops it (reject). A rejected practice
// comes back to the queue if its origin changes it.
func (s *Service) Decide(ctx context.Context, actor, id string, accept bool) (*practices.Practice, error) {
	var out *practices.Practice
	err := s.store.Update(func(tx *bolt.Tx) error {
		p, ok, err := getQueued(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Errorf(apperr.NotFound, "no harvested practice %q is waiting for review", id)
		}
		if err := tx.Bucket(bucketQueue).Delete([]byte(id)); err != nil {
			return err
		}
		action := "harvest_accept"
		if accept {
			if _, err := s.store.PutTx(tx, p, practices.NewVersion); err != nil {
				return err
			}
		} else {
			// A rejected version stays rejected; a newer one from the origin is queued again.
			action = "harvest_reject"
			if err := tx.Bucket(bucketRejected).Put([]byte(id), []byte(p.Origin.Datestamp.Format(time.RFC3339))); err != nil {
				return err
			}
		}
		out = p
		return audit.Append(tx, audit.Record(actor, action, "practice:"+id, nil, p, p.Origin.Identifier))
	})
	if err != nil {
		return nil, err
	}
	if accept {
		if err := s.index.Sync(ctx); err != nil {
			s.log.Error("index sync after accepting a harvested practice failed", "err", err)
		}
	}
	return out, nil
}
