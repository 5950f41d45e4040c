package federation

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/signing"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Report says what one harvest of a peer did.
type Report struct {
	Peer     string `json:"peer"`
	Pages    int    `json:"pages"`
	Received int    `json:"received"`
	// Published and Updated count practices written, Archived deletions applied, Queued
	// practices waiting for review, Unchanged records already held, Rejected records
	// that were not valid practices or clashed with a practice of another origin.
	Published int `json:"published"`
	Updated   int `json:"updated"`
	Archived  int `json:"archived"`
	Queued    int `json:"queued"`
	Unchanged int `json:"unchanged"`
	Rejected  int `json:"rejected"`
	// Refused counts records whose authority could not be verified: a namespace claimed
	// without provenance, a signature that does not verify, a key other than the pinned.
	Refused int `json:"refused"`
	// Duplicates counts the practices new here flagged as probable duplicates of one held.
	Duplicates int `json:"duplicates"`
	// Own counts this node's own practices relayed back to it; Study the study's cases,
	// which every node seeds and nobody publishes unless a study authority is set.
	Own      int       `json:"own,omitempty"`
	Study    int       `json:"study,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	Error    string    `json:"error,omitempty"`
	// Fetching and Applying are the time spent receiving the pages, and writing them and
	// bringing the index up to them.
	Fetching time.Duration `json:"fetching_ns"`
	Applying time.Duration `json:"applying_ns"`
	// IndexedAsItWent says a fresh index was built beside the live one while the
	// harvest was written (Config.IndexAsItGoes), rather than the changes applied after.
	IndexedAsItWent bool `json:"indexed_as_it_went,omitempty"`
}

func (r *Report) changed() int { return r.Published + r.Updated + r.Archived + r.Queued }

// maxProblems bounds the problems a report lists.
const maxProblems = 20

// Problem is what was wrong with one record of a harvest: the record's identifier, why
// (a sentence of the catalogues with its values), and for a practice that is not valid
// what is wrong with each of its fields. Text says it all in English, for the command
// line and the logs; a problem stored before problems were said so holds only Text.
type Problem struct {
	Record string                    `json:"record,omitempty"`
	Says   *i18n.Text                `json:"says,omitempty"`
	Fields map[string]apperr.Problem `json:"fields,omitempty"`
	Text   string                    `json:"text"`
}

func (p Problem) String() string { return p.Text }

// UnmarshalJSON reads a problem, or one stored as its English sentence only.
func (p *Problem) UnmarshalJSON(data []byte) error {
	var text string
	if json.Unmarshal(data, &text) == nil {
		*p = Problem{Text: text}
		return nil
	}
	type plain Problem
	return json.Unmarshal(data, (*plain)(p))
}

// said is the sentence key of the catalogues with values.
func said(key string, values ...any) i18n.Text {
	args := make([]i18n.Arg, len(values))
	for i, v := range values {
		args[i] = i18n.Value(v)
	}
	return i18n.Say(key, args...)
}

// english says t as the catalogues say it in English.
func english(t i18n.Text) string {
	cat, err := i18n.Embedded()
	if err != nil {
		return t.Key
	}
	return cat.Say("en", t)
}

// problem counts a record rejected, for why; detail, when not empty, is a technical
// cause kept in English.
func (r *Report) problem(record string, why i18n.Text, detail string) {
	r.Rejected++
	r.note(record, why, nil, detail)
}

// invalid counts a record rejected for not being a valid practice.
func (r *Report) invalid(record string, err error) {
	r.Rejected++
	r.note(record, said("harvest.problem.invalid"), apperr.As(err).Problems, err.Error())
}

// refuse counts a record whose authority could not be verified, for why.
func (r *Report) refuse(record string, why i18n.Text, detail string) {
	r.Refused++
	r.note(record, why, nil, detail)
}

func (r *Report) note(record string, why i18n.Text, fields map[string]apperr.Problem, detail string) {
	if len(r.Problems) >= maxProblems {
		return
	}
	text := record + ": " + english(why)
	if detail != "" {
		text += " (" + detail + ")"
	}
	r.Problems = append(r.Problems, Problem{Record: record, Says: &why, Fields: fields, Text: text})
}

// Sync harvests one peer from where its last complete harvest started. The pages are
// staged as they arrive and applied only once the list is complete, each in one
// transaction: a peer that fails mid-list, or misbehaves (an endless list, bad XML, a huge
// or slow answer), leaves the practices as they were, and the next harvest starts again
// from the same point, skipping what is already held.
func (s *Service) Sync(ctx context.Context, name string) (Report, error) {
	return s.SyncWithProgress(ctx, name, nil)
}

// SyncWithProgress is Sync telling progress how far it has come: the records received,
// then applied, of the list's size when the peer gives it.
func (s *Service) SyncWithProgress(ctx context.Context, name string, progress func(done, total int)) (Report, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
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
		if err := peer.sameIdentity(repo); err != nil {
			return s.finish(peer, rep, started, err)
		}
		peer.RepositoryName = repo.Name
	} else {
		return s.finish(peer, rep, started, fmt.Errorf("identify %s (is it the peer's OAI-PMH endpoint, ending in /oai?): %w", peer.URL, err))
	}
	st, err := s.openStaging(name)
	if err != nil {
		return rep, err
	}
	defer st.remove()
	fetchStart := time.Now()
	total := 0
	err = s.list(ctx, peer, func(pg oai.Page) error {
		if started.IsZero() {
			// Where the next harvest starts: the peer's time at the start of this one, but
			// never later than this node's, so a peer's clock that ran ahead and came back
			// cannot skip what it stamps in between.
			started = pg.ResponseDate
			if now := s.store.Now(); started.After(now) {
				started = now
			}
		}
		rep.Pages++
		rep.Received += len(pg.Records)
		total = max(pg.ListSize, rep.Received)
		s.progress(name, rep)
		progress(rep.Received, 2*total)
		return st.add(pg)
	})
	rep.Fetching = time.Since(fetchStart)
	applyStart := time.Now()
	if err == nil {
		err = s.applyStaged(ctx, peer, st, &rep, func(applied int) {
			s.progress(name, rep) // what is applied so far, for Progress too
			progress(rep.Received+applied, 2*rep.Received)
		})
	}
	if rep.changed() > 0 {
		if ierr := s.index.Sync(ctx); ierr != nil {
			s.log.Error("index sync after a harvest failed", "peer", name, "err", ierr)
		}
	}
	rep.Applying = time.Since(applyStart) // written and searchable
	return s.finish(peer, rep, started, err)
}

// claim marks a peer's harvest as running; two at once would mix their staged pages.
func (s *Service) claim(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[name] != nil {
		return false
	}
	s.running[name] = &Report{Peer: name}
	return true
}

// progress keeps how far a running harvest has come, for Progress.
func (s *Service) progress(name string, rep Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.running[name]; r != nil {
		*r = rep
		r.Problems = nil
	}
}

// Progress says how far the running harvest of a peer has come; ok is false when none
// runs.
func (s *Service) Progress(name string) (rep Report, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.running[name]; r != nil {
		return *r, true
	}
	return Report{}, false
}

func (s *Service) release(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, name)
}

// fromMargin is how far before the start of the last complete harvest the next one
// starts: a record the peer stamped within the same second as its answer, or committed
// after stamping, is still listed.
const fromMargin = 5 * time.Minute

// finish records the harvest's outcome on the peer: on success where the next one
// starts, on the peer's failure the error and a backoff that doubles up to a day. A
// failure of this node's (its store, its shutdown) is reported but not charged.
func (s *Service) finish(peer *Peer, rep Report, started time.Time, herr error) (Report, error) {
	now := s.store.Now()
	peer.LastHarvest = now
	peer.LastReceived, peer.LastChanged = rep.Received, rep.changed()
	peer.LastUnchanged, peer.LastRejected, peer.LastRefused, peer.LastProblems = rep.Unchanged, rep.Rejected, rep.Refused, rep.Problems
	peer.LastDuplicates = rep.Duplicates
	peer.Received += rep.Received
	if herr == nil {
		if !started.IsZero() {
			peer.From = started.Add(-fromMargin)
		}
		peer.LastSuccess, peer.LastError, peer.Failures = now, "", 0
		peer.NextHarvest = now.Add(time.Duration(peer.Interval))
	} else if local := errors.As(herr, new(localError)) || errors.Is(herr, context.Canceled); local {
		rep.Error = herr.Error()
		s.log.Error("harvest stopped by this node, not the peer", "peer", peer.Name, "err", herr)
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
	err := s.store.Update(func(tx *store.Tx) error {
		cur, err := getPeer(tx, peer.Name)
		if err != nil {
			return err // removed during the harvest
		}
		// What a coordinator changed meanwhile stays.
		peer.Paused, peer.Policy, peer.Interval, peer.Set = cur.Paused, cur.Policy, cur.Interval, cur.Set
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

// staging is a harvest's pages as they arrive, in a file of their own in the data dir:
// bounded, so a peer cannot fill the disk, and removed after the harvest, so the space
// is given back (bbolt keeps the pages of deleted data for itself).
type staging struct {
	path  string
	f     *os.File
	w     *bufio.Writer
	size  int64
	limit int64
}

func (s *Service) openStaging(peer string) (*staging, error) {
	if err := os.MkdirAll(s.cfg.StagingDir, 0o700); err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	path := filepath.Join(s.cfg.StagingDir, peer+".jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	return &staging{path: path, f: f, w: bufio.NewWriter(f), limit: s.cfg.MaxStaged}, nil
}

// errStagingFull means a peer sent more than the staging bound holds.
var errStagingFull = errors.New("the harvest is larger than the staging area allows")

func (st *staging) add(pg oai.Page) error {
	data, err := json.Marshal(pg)
	if err != nil {
		return fmt.Errorf("stage a page: %w", err)
	}
	if st.size+int64(len(data))+1 > st.limit {
		return fmt.Errorf("%w (%d MiB; KB_HARVEST_STAGING_MB)", errStagingFull, st.limit>>20)
	}
	st.size += int64(len(data)) + 1
	if _, err := st.w.Write(append(data, '\n')); err != nil {
		return localError{fmt.Errorf("stage a page: %w", err)}
	}
	return nil
}

// pages reads the staged pages back in order.
func (st *staging) pages(fn func(oai.Page) error) error {
	if err := st.w.Flush(); err != nil {
		return localError{fmt.Errorf("staging: %w", err)}
	}
	if _, err := st.f.Seek(0, io.SeekStart); err != nil {
		return localError{fmt.Errorf("staging: %w", err)}
	}
	sc := bufio.NewScanner(st.f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var pg oai.Page
		if err := json.Unmarshal(sc.Bytes(), &pg); err != nil {
			return localError{fmt.Errorf("decode a staged page: %w", err)}
		}
		if err := fn(pg); err != nil {
			return err
		}
	}
	return sc.Err()
}

func (st *staging) remove() {
	st.f.Close()
	os.Remove(st.path)
}

// recordsPerTx is how many records one transaction applies: large enough that a harvest
// spends its time on the records, not on committing (an import writes as many).
const recordsPerTx = 2000

// applyStaged applies the staged pages in order, a batch of records per transaction.
// What needs no transaction (reading the staged pages, checking signatures, decoding
// practices and their digests) is done for the next batch, on every core, while the
// current one is written: a large harvest spends most of its time there.
func (s *Service) applyStaged(ctx context.Context, peer *Peer, st *staging, rep *Report, applied func(int)) error {
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan []checked, 1)
	g.Go(func() error {
		defer close(batches)
		var batch []oai.Record
		send := func() error {
			if len(batch) == 0 {
				return nil
			}
			cs := checkAll(batch)
			batch = nil
			select {
			case batches <- cs:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		err := st.pages(func(pg oai.Page) error {
			batch = append(batch, pg.Records...)
			if len(batch) >= recordsPerTx {
				return send()
			}
			return nil
		})
		if err != nil {
			return err
		}
		return send()
	})
	var follower Follower
	g.Go(func() error {
		done := 0
		var look *lookalikes // loaded at the first practice new here
		for batch := range batches {
			if err := s.applyBatch(gctx, peer, batch, rep, &look); err != nil {
				return err
			}
			done += len(batch)
			applied(done)
			switch {
			case follower != nil:
				follower.Changed()
			case rep.changed() >= s.cfg.IndexAsItGoes:
				// Enough is changing that a fresh index built beside, in bulk and while
				// the rest is written, is sooner ready than applying it all afterwards.
				f, err := s.index.Follow(ctx)
				if err != nil {
					s.log.Error("could not index the harvest as it goes; the index follows after it", "peer", peer.Name, "err", err)
					continue
				}
				follower, rep.IndexedAsItWent = f, true
			}
		}
		return nil
	})
	err := g.Wait()
	if follower != nil {
		// Also after an error: what was written is the store's, and so the index's.
		if ferr := follower.Finish(ctx); ferr != nil {
			s.log.Error("indexing the harvest failed; the index catches up after it", "peer", peer.Name, "err", ferr)
		}
	}
	return err
}

// applyBatch writes one batch of records in one transaction: all of it, or, on an error
// of the store, none of it (and rep as it was).
func (s *Service) applyBatch(ctx context.Context, peer *Peer, batch []checked, rep *Report, look **lookalikes) error {
	before := *rep
	err := s.store.Update(func(tx *store.Tx) error {
		now := s.store.Now()
		names := map[string]string{}
		for _, rec := range batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			p, err := s.apply(tx, peer, rec, now, names, rep)
			if err != nil {
				return err
			}
			if p == nil {
				continue
			}
			if *look == nil {
				if *look, err = s.loadLookalikes(tx); err != nil {
					return err
				}
			}
			n, err := s.flagDuplicates(tx, *look, p, now)
			if err != nil {
				return err
			}
			rep.Duplicates += n
		}
		return nil
	})
	if err != nil {
		*rep = before // nothing of the batch was written
		*look = nil   // nor was anything it learnt
		return localError{err}
	}
	return nil
}

// checked is a harvested record with the work that needs no transaction done: its
// signature checked against the key it names (whether that key is the authority's is
// for the transaction to say), and its practice decoded, with the digest of its content
// as it came.
type checked struct {
	oai.Record
	sigErr   error
	practice *practices.Practice
	digest   string
}

func check(rec oai.Record) checked {
	c := checked{Record: rec}
	if a := rec.Authority; a != nil {
		if sig := a.Sig(); sig != nil {
			c.sigErr = signing.Verify(sig.Key, a.Statement(), sig)
		}
	}
	if rec.Practice != nil {
		c.practice = rec.Practice.ToPractice()
		c.digest = signing.Digest(c.practice)
	}
	return c
}

// checkAll checks a batch on every core.
func checkAll(recs []oai.Record) []checked {
	out := make([]checked, len(recs))
	per := (len(recs) + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for start := 0; start < len(recs); start += per {
		wg.Go(func() {
			for i := start; i < min(start+per, len(recs)); i++ {
				out[i] = check(recs[i])
			}
		})
	}
	wg.Wait()
	return out
}

// localError marks a failure of this node (its store, its disk), not the peer's: it is
// not charged to the peer.
type localError struct{ error }

func (e localError) Unwrap() error { return e.error }

// apply writes one record; a record that cannot be taken is counted and skipped, an
// error of the store aborts the batch. A record is keyed by its global identity, so what
// is already held (seeded, harvested directly or through a relay) is the same practice,
// replaced only by a newer version signed by its authority. It returns the practice when
// it is new here (published or queued), to be checked for duplicates.
// names remembers, for the batch, the network name of each authority.
func (s *Service) apply(tx *store.Tx, peer *Peer, rec checked, harvested time.Time, names map[string]string, rep *Report) (*practices.Practice, error) {
	if peer.Format == FormatDC {
		return s.applyDraft(tx, peer, rec.Record, harvested, rep)
	}
	a := rec.Authority
	if a == nil {
		rep.refuse(rec.Header.Identifier, said("harvest.problem.unstated"), "")
		return nil, nil
	}
	uri := a.URI
	if _, _, ok := practices.SplitURI(uri); !ok {
		rep.problem(rec.Header.Identifier, said("harvest.problem.identity", uri), "")
		return nil, nil
	}
	if rec.Practice != nil && rec.Practice.URI != uri {
		rep.problem(rec.Header.Identifier, said("harvest.problem.identity.other", rec.Practice.URI, uri), "")
		return nil, nil
	}
	// Which peers serve a practice decides what leaves with a peer that is removed.
	if rec.Header.Deleted() {
		if err := tx.Sources().Delete(sourceKey(uri, peer.Name)); err != nil {
			return nil, err
		}
	} else if err := markSource(tx, uri, peer.Name); err != nil {
		return nil, err
	}
	authority := practices.AuthorityOf(uri, s.cfg.StudyAuthority)
	switch authority {
	case s.cfg.Namespace:
		rep.Own++ // ours, relayed back
		return nil, nil
	case "":
		rep.Study++ // the study's cases are seeded everywhere and published by nobody
		return nil, nil
	}
	id, held, err := heldByURI(tx, uri)
	if err != nil {
		return nil, err
	}
	if held != nil && held.Origin == nil && !held.Study() {
		rep.refuse(rec.Header.Identifier, said("harvest.problem.own", id), "")
		return nil, nil
	}
	if rec.Header.Deleted() && !a.Deleted { // it left the set this peer is harvested with
		if held == nil || held.Archived || held.Origin == nil || held.Origin.Peer != peer.Name {
			rep.Unchanged++
			return nil, nil
		}
		p := *held
		p.Archived = true
		if _, err := tx.PutPractice(&p, store.NewVersion); err != nil {
			return nil, err
		}
		rep.Archived++
		return nil, audit.Append(tx, audit.Record("peer:"+peer.Name, "harvest_left_set", "practice:"+id, held, &p, uri))
	}
	if a.Deleted && a.Sig() == nil && authority != peer.Namespace {
		// A relay that no longer holds a practice says so unsigned: it is not the
		// authority's deletion, and the practice stays as the authority last published it.
		rep.Unchanged++
		return nil, nil
	}
	if why, err := s.verify(tx, peer, authority, rec); err != nil {
		return nil, err
	} else if why != nil {
		rep.refuse(rec.Header.Identifier, why.says, why.detail)
		return nil, nil
	}
	queued, _, err := getQueued(tx, uri)
	if err != nil {
		return nil, err
	}
	if a.Version <= newestVersion(tx, uri, held, queued) {
		rep.Unchanged++
		return nil, nil
	}
	stamp, _ := oai.ParseStamp(rec.Header.Datestamp)
	network, ok := names[authority]
	if !ok {
		network = s.networkName(tx, authority)
		names[authority] = network
	}
	origin := &practices.Origin{Peer: peer.Name, Network: network, Repository: peer.URL, RepositoryName: peer.RepositoryName,
		Identifier: rec.Header.Identifier, Datestamp: stamp, HarvestedAt: harvested,
		Version: a.Version, Updated: oai.ParseStampOrZero(a.Updated), Signature: a.Sig(), Hops: rec.Hops}
	if a.Deleted {
		return nil, s.applyDeletion(tx, uri, held, queued != nil, origin, a.ReplacedBy, rep)
	}
	p := rec.practice
	p.Normalize()
	s.geo.Enrich(p)
	if err := p.Validate(s.geo); err != nil {
		rep.invalid(rec.Header.Identifier, err)
		return nil, nil
	}
	p.Origin = origin
	switch {
	case held != nil:
		p.ID, p.Hidden, p.LocalNote, p.LocalSameAs = held.ID, held.Hidden, held.LocalNote, held.LocalSameAs
		if _, err := tx.PutPractice(p, store.NewVersion); err != nil {
			return nil, err
		}
		rep.Updated++
	case queued != nil:
		p.ID = queued.ID
		if err := putQueued(tx, p); err != nil {
			return nil, err
		}
		rep.Queued++
		return nil, nil // flagged when it first came
	default:
		if p.ID, err = tx.FreeID(uri); err != nil {
			return nil, err
		}
		if peer.Policy == PolicyReview {
			if err := putQueued(tx, p); err != nil {
				return nil, err
			}
			rep.Queued++
			return p, nil
		}
		if _, err := tx.PutPractice(p, store.NewVersion); err != nil {
			return nil, err
		}
		rep.Published++
	}
	if err := audit.Append(tx, audit.Record("peer:"+peer.Name, "harvest", "practice:"+p.ID, held, p, uri)); err != nil {
		return nil, err
	}
	if held != nil {
		return nil, nil
	}
	return p, nil
}

// distrust is why a record's version is refused, and a technical cause in English.
type distrust struct {
	says   i18n.Text
	detail string
}

func distrusted(key string, values ...any) *distrust { return &distrust{says: said(key, values...)} }

// verify checks that a record's version comes from its authority: signed by the
// authority's namespace with the key pinned for it (pinned when its node was added as a
// peer, or on first sight through a relay), and, for a live record, that the content is
// the one signed. It returns why the record is refused, or nil.
func (s *Service) verify(tx *store.Tx, peer *Peer, authority string, rec checked) (*distrust, error) {
	a := rec.Authority
	sig := a.Sig()
	if sig == nil {
		return distrusted("harvest.problem.unsigned"), nil
	}
	if sig.Signer != authority {
		// A practice a kb node adopted from a repository that is not kb keeps the
		// repository's identity, and the adopter signs it; its namespace is then pinned
		// to the adopter's key like any other, unless a kb node is known under it.
		if s.kbNamespace(tx, authority) {
			return distrusted("harvest.problem.signer", sig.Signer, authority), nil
		}
		if key, ok := pinnedKey(tx, sig.Signer); ok && key != sig.Key {
			return distrusted("harvest.problem.key", sig.Signer), nil
		}
	}
	pinned, known := pinnedKey(tx, authority)
	switch {
	case known && pinned != sig.Key:
		return distrusted("harvest.problem.key", authority), nil
	case !known && authority != peer.Namespace && sig.Signer != peer.Namespace && len(rec.Hops) == 0:
		return distrusted("harvest.problem.provenance", authority), nil
	}
	if rec.sigErr != nil {
		return &distrust{said("harvest.problem.signature"), rec.sigErr.Error()}, nil
	}
	if !a.Deleted {
		if rec.practice == nil {
			return distrusted("harvest.problem.no_practice"), nil
		}
		if rec.digest != a.Digest {
			return distrusted("harvest.problem.digest"), nil
		}
	}
	if !known {
		if err := pinKey(tx, authority, sig.Key, peer.Name); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// heldByURI returns the practice held with that identity, if any.
func heldByURI(tx *store.Tx, uri string) (string, *practices.Practice, error) {
	id, ok := tx.IDOfURI(uri)
	if !ok {
		return "", nil, nil
	}
	p, err := tx.Practice(id)
	if err != nil {
		return "", nil, err
	}
	return id, p, nil
}

// newestVersion is the authority's newest version this node holds, has queued, has
// rejected or has seen deleted, for the identity uri.
func newestVersion(tx *store.Tx, uri string, held, queued *practices.Practice) int {
	v := 0
	for _, p := range []*practices.Practice{held, queued} {
		switch {
		case p == nil:
		case p.Origin != nil:
			v = max(v, p.Origin.Version)
		default: // a study case as seeded
			v = max(v, p.Version)
		}
	}
	for _, b := range []store.Bucket{tx.HarvestRejected(), tx.Tombstones()} {
		if r := b.Get([]byte(uri)); len(r) == 8 {
			v = max(v, int(binary.BigEndian.Uint64(r)))
		}
	}
	return v
}

// applyDeletion archives what is held of a deleted practice, with the identity of the
// practice it was merged into, and remembers the deletion's version, so that an older
// version still travelling through a relay is not taken for new.
func (s *Service) applyDeletion(tx *store.Tx, uri string, held *practices.Practice, queued bool, origin *practices.Origin, replacedBy string, rep *Report) error {
	if err := tx.Tombstones().Put([]byte(uri), binary.BigEndian.AppendUint64(nil, uint64(origin.Version))); err != nil {
		return err
	}
	if queued {
		if err := tx.HarvestQueue().Delete([]byte(uri)); err != nil {
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
	origin.Deleted = true
	p.Archived, p.Origin, p.ReplacedBy = true, origin, replacedBy
	if _, err := tx.PutPractice(&p, store.NewVersion); err != nil {
		return err
	}
	rep.Archived++
	return audit.Append(tx, audit.Record("peer:"+origin.Peer, "harvest_delete", "practice:"+held.ID, held, &p, uri))
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
// tick: up to Config.Concurrent peers at once, each within Config.Deadline, so one slow
// or hostile peer never delays the others. It returns once its harvests have stopped.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	slots := make(chan struct{}, s.cfg.Concurrent)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		peers, err := s.Peers()
		if err != nil {
			s.log.Error("list peers", "err", err)
		}
		for _, p := range peers {
			if p.Paused || p.NextHarvest.After(s.store.Now()) {
				continue
			}
			if _, running := s.Progress(p.Name); running {
				continue
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			default:
				continue // every place is taken: the next tick tries again
			}
			wg.Add(1)
			go func(name string) {
				defer wg.Done()
				defer func() { <-slots }()
				defer func() {
					if v := recover(); v != nil {
						s.log.Error("harvest panicked", "peer", name, "err", apperr.Panicked(v))
					}
				}()
				hctx, cancel := context.WithTimeout(ctx, s.cfg.Deadline)
				defer cancel()
				if rep, err := s.Sync(hctx, name); err == nil {
					s.log.Info("harvested", "peer", name, "received", rep.Received, "changed", rep.changed(), "rejected", rep.Rejected, "refused", rep.Refused)
				}
			}(p.Name)
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
	err := s.store.View(func(tx *store.Tx) error {
		return tx.HarvestQueue().ForEach(func(k, v []byte) error {
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

// getQueued returns the queued practice with that identity; ok is false when none waits.
func getQueued(tx *store.Tx, uri string) (p *practices.Practice, ok bool, err error) {
	v := tx.HarvestQueue().Get([]byte(uri))
	if v == nil {
		return nil, false, nil
	}
	p = new(practices.Practice)
	if err := json.Unmarshal(v, p); err != nil {
		return nil, false, fmt.Errorf("decode queued %s: %w", uri, err)
	}
	return p, true, nil
}

// queuedByID finds a queued practice by the id it will take.
func queuedByID(tx *store.Tx, id string) (*practices.Practice, error) {
	var found *practices.Practice
	err := tx.HarvestQueue().ForEach(func(k, v []byte) error {
		var p practices.Practice
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode queued %s: %w", k, err)
		}
		if p.ID == id {
			found = &p
		}
		return nil
	})
	if err == nil && found == nil {
		err = apperr.Errorf(apperr.NotFound, "no harvested practice %q is waiting for review", id)
	}
	return found, err
}

func putQueued(tx *store.Tx, p *practices.Practice) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode queued %s: %w", p.ID, err)
	}
	return tx.HarvestQueue().Put([]byte(p.URI), data)
}

// Decide publishes a queued practice (accept) or drops it (reject). A rejected version
// stays rejected; a newer one from its authority is queued again. A draft from a
// repository that is not kb is accepted with Accept, which completes it.
func (s *Service) Decide(ctx context.Context, actor, id string, accept bool) (*practices.Practice, error) {
	return s.decide(ctx, actor, id, accept, Completion{})
}

func (s *Service) decide(ctx context.Context, actor, id string, accept bool, done Completion) (*practices.Practice, error) {
	var out *practices.Practice
	err := s.store.Update(func(tx *store.Tx) error {
		p, err := queuedByID(tx, id)
		if err != nil {
			return err
		}
		if accept {
			if err := s.complete(p, done); err != nil {
				return err
			}
		}
		if err := tx.HarvestQueue().Delete([]byte(p.URI)); err != nil {
			return err
		}
		action := "harvest_accept"
		if accept {
			if p.ID, err = tx.FreeID(p.URI); err != nil {
				return err
			}
			if _, err := tx.PutPractice(p, store.NewVersion); err != nil {
				return err
			}
		} else {
			action = "harvest_reject"
			if err := tx.HarvestRejected().Put([]byte(p.URI), binary.BigEndian.AppendUint64(nil, uint64(p.Origin.Version))); err != nil {
				return err
			}
			if err := rejectDraft(tx, p); err != nil {
				return err
			}
		}
		out = p
		return audit.Append(tx, audit.Record(actor, action, "practice:"+p.ID, nil, p, p.URI))
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
