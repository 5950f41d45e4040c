// Package jobs runs long operations in the background, beyond any request's time limit,
// and keeps what became of them: Start returns an id at once, Get tells how it is going.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// State is where a job is in its life.
type State string

const (
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// Func is the work of a job. It stops when ctx is done (the registry is closing) and may
// tell its progress as it goes; its result and error are kept for Get.
type Func func(ctx context.Context, progress func(done, total int)) (result any, err error)

// Info is what is known of a job. Result is what the job's function returned, also when
// it failed (a partial count, say); Err is why it failed, a panic included.
type Info struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	State   State     `json:"state"`
	Done    int       `json:"done"`
	Total   int       `json:"total"`
	Result  any       `json:"result,omitempty"`
	Err     error     `json:"-"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
}

// History is how many finished jobs a registry remembers; the oldest are forgotten first.
// Running jobs are always remembered.
const History = 100

// Registry runs jobs and remembers them. It is safe for concurrent use.
type Registry struct {
	log    *slog.Logger
	ctx    context.Context // every job's; cancelled when Close gives up waiting
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	jobs   map[string]*job
	ended  []string // ids of the finished jobs remembered, oldest first
}

type job struct {
	info Info
	done chan struct{} // closed when the job has ended
}

// New makes a registry; log receives a line when a job fails, with the stack of a panic.
func New(log *slog.Logger) *Registry {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Registry{log: log, ctx: ctx, cancel: cancel, jobs: map[string]*job{}}
}

// Start runs fn in the background as a job of the given kind (a word such as "import")
// and returns its id. After Close it refuses, with an Unavailable error.
func (r *Registry) Start(kind string, fn Func) (string, error) {
	var b [8]byte
	rand.Read(b[:])
	j := &job{info: Info{ID: hex.EncodeToString(b[:]), Kind: kind, State: Running, Started: time.Now()}, done: make(chan struct{})}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return "", apperr.Errorf(apperr.Unavailable, "the server is shutting down; no new %s can start", kind)
	}
	r.jobs[j.info.ID] = j
	r.wg.Add(1)
	go r.run(j, fn)
	return j.info.ID, nil
}

func (r *Registry) run(j *job, fn Func) {
	defer r.wg.Done()
	var (
		res any
		err error
	)
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = apperr.Panicked(v)
			}
		}()
		res, err = fn(r.ctx, func(done, total int) {
			r.mu.Lock()
			j.info.Done, j.info.Total = done, total
			r.mu.Unlock()
		})
	}()
	r.mu.Lock()
	j.info.Result, j.info.Err, j.info.Ended = res, err, time.Now()
	j.info.State = Done
	if err != nil {
		j.info.State = Failed
	}
	r.ended = append(r.ended, j.info.ID)
	for len(r.ended) > History {
		delete(r.jobs, r.ended[0])
		r.ended = r.ended[1:]
	}
	r.mu.Unlock()
	close(j.done)
	if err != nil {
		r.log.Error("job failed", "job", j.info.ID, "kind", j.info.Kind, "err", err)
	}
}

// Get returns what is known of a job; an id never started, or forgotten, is NotFound.
func (r *Registry) Get(id string) (Info, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	if !ok {
		return Info{}, apperr.Errorf(apperr.NotFound, "no job %q (the last %d finished jobs are remembered)", id, History)
	}
	return j.info, nil
}

// Wait returns the job once it has ended, or its state so far with ctx's error when ctx
// is done first.
func (r *Registry) Wait(ctx context.Context, id string) (Info, error) {
	r.mu.Lock()
	j, ok := r.jobs[id]
	r.mu.Unlock()
	if !ok {
		return r.Get(id)
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		info, _ := r.Get(id)
		return info, ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return j.info, nil
}

// Close refuses new jobs and waits for the running ones to end. When ctx is done first,
// it cancels their context, still waits for them to return (a job holds resources the
// caller is about to close), and returns ctx's error.
func (r *Registry) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	ended := make(chan struct{})
	go func() { r.wg.Wait(); close(ended) }()
	defer r.cancel()
	select {
	case <-ended:
		return nil
	case <-ctx.Done():
		r.cancel()
		<-ended
		return ctx.Err()
	}
}
