package ai

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// bucketVectors holds one embedding per practice: id → vector record.
var bucketVectors = []byte("embeddings")

type vectorRecord struct {
	Model  string    `json:"m"`
	Hash   string    `json:"h"`
	Vector []float32 `json:"v"`
}

// Embedder turns texts into vectors.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	EmbedModel() string
	Available() bool
}

// Semantic keeps an embedding of every published practice (in the store, keyed by
// practice, model and content hash, so nothing is embedded twice and a model change
// re-embeds) and finds the practices nearest a query by cosine similarity.
type Semantic struct {
	store *practices.Store
	emb   Embedder
	log   *slog.Logger

	mu   sync.RWMutex
	vecs map[string][]float32 // normalised, for the current model

	cacheMu sync.Mutex
	cache   map[string][]float32
	order   []string
}

// embedRunes bounds the text embedded per practice: title, summary and the start of the
// body (one chunk; long bodies are not split yet).
const embedRunes = 6000

// queryCacheSize bounds the cached query embeddings.
const queryCacheSize = 512

// NewSemantic loads the stored vectors of the embedder's model.
func NewSemantic(store *practices.Store, emb Embedder, log *slog.Logger) (*Semantic, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Semantic{store: store, emb: emb, log: log, vecs: map[string][]float32{}, cache: map[string][]float32{}}
	err := store.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketVectors)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var r vectorRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode embedding of %s: %w", k, err)
			}
			if r.Model == emb.EmbedModel() {
				s.vecs[string(k)] = normalise(r.Vector)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Available reports whether semantic search may be used now.
func (s *Semantic) Available() bool { return s.emb.Available() }

func embedText(p *practices.Practice) string {
	t := p.Title + "\n" + p.Summary + "\n" + p.Body
	if r := []rune(t); len(r) > embedRunes {
		t = string(r[:embedRunes])
	}
	return t
}

func hashOf(model, text string) string {
	h := sha256.Sum256([]byte(model + "\x00" + text))
	return hex.EncodeToString(h[:])
}

// Sync embeds the published practices whose text or model changed since they were
// embedded, in batches, and drops the vectors of archived or removed ones. It returns
// how many it embedded.
func (s *Semantic) Sync(ctx context.Context, progress func(done, total int)) (int, error) {
	model := s.emb.EmbedModel()
	type job struct{ id, text, hash string }
	held := map[string]string{} // id → content hash embedded with this model
	err := s.store.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVectors).ForEach(func(k, v []byte) error {
			var r vectorRecord
			if json.Unmarshal(v, &r) == nil && r.Model == model {
				held[string(k)] = r.Hash
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	var todo []job
	live := map[string]bool{}
	err = s.store.Each(ctx, func(p *practices.Practice) error {
		if p.Archived {
			return nil
		}
		live[p.ID] = true
		text := embedText(p)
		if h := hashOf(model, text); held[p.ID] != h {
			todo = append(todo, job{p.ID, text, h})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := s.drop(live); err != nil {
		return 0, err
	}
	const batch = 16
	done := 0
	for i := 0; i < len(todo); i += batch {
		part := todo[i:min(i+batch, len(todo))]
		texts := make([]string, len(part))
		for j, jb := range part {
			texts[j] = jb.text
		}
		vs, err := s.emb.Embed(ctx, texts)
		if err != nil {
			return done, err
		}
		err = s.store.Update(func(tx *bolt.Tx) error {
			for j, jb := range part {
				data, err := json.Marshal(vectorRecord{Model: model, Hash: jb.hash, Vector: vs[j]})
				if err != nil {
					return err
				}
				if err := tx.Bucket(bucketVectors).Put([]byte(jb.id), data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		s.mu.Lock()
		for j, jb := range part {
			s.vecs[jb.id] = normalise(vs[j])
		}
		s.mu.Unlock()
		done += len(part)
		if progress != nil {
			progress(done, len(todo))
		}
	}
	return done, nil
}

// drop forgets the vectors of practices no longer published.
func (s *Semantic) drop(live map[string]bool) error {
	var gone []string
	s.mu.RLock()
	for id := range s.vecs {
		if !live[id] {
			gone = append(gone, id)
		}
	}
	s.mu.RUnlock()
	if len(gone) == 0 {
		return nil
	}
	err := s.store.Update(func(tx *bolt.Tx) error {
		for _, id := range gone {
			if err := tx.Bucket(bucketVectors).Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	for _, id := range gone {
		delete(s.vecs, id)
	}
	s.mu.Unlock()
	return nil
}

// Run keeps the embeddings in step with the store until ctx ends, every tick.
func (s *Semantic) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if s.Available() {
			if n, err := s.Sync(ctx, nil); err != nil {
				s.log.Warn("embedding practices failed; search stays lexical meanwhile", "err", err)
			} else if n > 0 {
				s.log.Info("embedded practices", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Nearest returns the ids of the k practices nearest the query, nearest first.
func (s *Semantic) Nearest(ctx context.Context, query string, k int) ([]string, error) {
	q, err := s.queryVector(ctx, query)
	if err != nil {
		return nil, err
	}
	// Keep the k best in a min-heap while scanning: no sort of every practice.
	top := make(scoredHeap, 0, k+1)
	s.mu.RLock()
	for id, v := range s.vecs {
		if len(v) != len(q) {
			continue
		}
		x := scored{id, dot(q, v)}
		if len(top) < k {
			heap.Push(&top, x)
		} else if k > 0 && x.better(top[0]) {
			top[0] = x
			heap.Fix(&top, 0)
		}
	}
	s.mu.RUnlock()
	sort.Slice(top, func(i, j int) bool { return top[i].better(top[j]) })
	out := make([]string, len(top))
	for i, x := range top {
		out[i] = x.id
	}
	return out, nil
}

type scored struct {
	id    string
	score float64
}

// better orders by score, then id, so that equal scores rank the same every time.
func (a scored) better(b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.id < b.id
}

// scoredHeap is a min-heap: its root is the worst of the best k.
type scoredHeap []scored

func (h scoredHeap) Len() int           { return len(h) }
func (h scoredHeap) Less(i, j int) bool { return h[j].better(h[i]) }
func (h scoredHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (s *Semantic) queryVector(ctx context.Context, query string) ([]float32, error) {
	s.cacheMu.Lock()
	v, ok := s.cache[query]
	s.cacheMu.Unlock()
	if ok {
		return v, nil
	}
	vs, err := s.emb.Embed(ctx, []string{query})
	if err != nil {
		return nil, err
	}
	v = normalise(vs[0])
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if len(s.order) >= queryCacheSize {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
	s.cache[query] = v
	s.order = append(s.order, query)
	return v, nil
}

func normalise(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n == 0 {
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out
}

// dot is the inner product of two vectors of one length, with four accumulators so that
// the multiplications pipeline (the exact search spends its time here).
func dot(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return float64(s0 + s1 + s2 + s3)
}
