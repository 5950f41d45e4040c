package ai

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/lru"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// The store's Embeddings hold the embeddings of each practice's chunks: id → vectorRecord.
type vectorRecord struct {
	Model string `json:"m"`
	Hash  string `json:"h"`
	// Vectors holds one embedding per chunk; Vector is the one of records written
	// before long texts were chunked.
	Vectors [][]float32 `json:"vs,omitempty"`
	Vector  []float32   `json:"v,omitempty"`
}

func (r vectorRecord) chunks() [][]float32 {
	if len(r.Vectors) > 0 {
		return r.Vectors
	}
	return [][]float32{r.Vector}
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
	store *store.Store
	emb   Embedder
	log   *slog.Logger

	mu   sync.RWMutex
	vecs *vectorSet // normalised, for the current model

	cacheMu sync.Mutex
	cache   *lru.Cache[string, []float32] // query → its normalised embedding
}

// Long texts are embedded in chunks of about chunkRunes, overlapping by chunkOverlap so
// that a passage cut in two is whole in one of them; a practice is as near a query as its
// nearest chunk. maxChunks bounds one practice's (the body's limit allows 50).
const (
	chunkRunes   = 2000
	chunkOverlap = 200
	maxChunks    = 50
)

// queryCacheSize bounds the cached query embeddings.
const queryCacheSize = 512

// NewSemantic loads the stored vectors of the embedder's model.
func NewSemantic(st *store.Store, emb Embedder, log *slog.Logger) (*Semantic, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Semantic{store: st, emb: emb, log: log, vecs: newVectorSet(), cache: lru.New[string, []float32](queryCacheSize)}
	err := st.View(func(tx *store.Tx) error {
		return tx.Embeddings().ForEach(func(k, v []byte) error {
			var r vectorRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode embedding of %s: %w", k, err)
			}
			if r.Model == emb.EmbedModel() {
				s.vecs.put(string(k), normaliseAll(r.chunks()))
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

// chunks splits a practice's text for embedding: the first chunk opens with the title and
// summary, the others with the title, so that each says what it is part of. A cut falls
// at a paragraph or sentence end when one is near.
func chunks(p *practices.Practice) []string {
	head := p.Title + "\n" + p.Summary + "\n"
	body := []rune(p.Body)
	if utf8.RuneCountInString(head)+len(body) <= chunkRunes {
		return []string{head + p.Body}
	}
	var out []string
	for start := 0; len(out) < maxChunks; {
		end := min(start+chunkRunes, len(body))
		if end < len(body) {
			end = cutAt(body, start+chunkRunes*3/4, end)
		}
		prefix := p.Title + "\n"
		if start == 0 {
			prefix = head
		}
		out = append(out, prefix+string(body[start:end]))
		if end == len(body) {
			break
		}
		start = max(end-chunkOverlap, start+1)
	}
	return out
}

// cutAt returns the end of the last paragraph, else sentence, in body[from:to], or to.
func cutAt(body []rune, from, to int) int {
	for _, brk := range []string{"\n\n", ". "} {
		for i := to - len(brk); i >= from; i-- {
			if string(body[i:i+len(brk)]) == brk {
				return i + len(brk)
			}
		}
	}
	return to
}

// hashOf identifies what was embedded: the model and the chunks. (A text of one chunk
// hashes as before chunking, so that short practices are not embedded again.)
func hashOf(model string, texts []string) string {
	h := sha256.Sum256([]byte(model + "\x00" + strings.Join(texts, "\x1e")))
	return hex.EncodeToString(h[:])
}

// Sync embeds the published practices whose text or model changed since they were
// embedded, in batches, and drops the vectors of archived or removed ones. It returns
// how many it embedded.
func (s *Semantic) Sync(ctx context.Context, progress func(done, total int)) (int, error) {
	model := s.emb.EmbedModel()
	type job struct {
		id    string
		texts []string
		hash  string
	}
	held := map[string]string{} // id → content hash embedded with this model
	err := s.store.View(func(tx *store.Tx) error {
		return tx.Embeddings().ForEach(func(k, v []byte) error {
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
		texts := chunks(p)
		if h := hashOf(model, texts); held[p.ID] != h {
			todo = append(todo, job{p.ID, texts, h})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := s.drop(live); err != nil {
		return 0, err
	}
	// One request carries the chunks of a few practices, at least one whole practice.
	const batchTexts = 32
	done := 0
	for i := 0; i < len(todo); {
		var part []job
		var texts []string
		for ; i < len(todo) && (len(part) == 0 || len(texts)+len(todo[i].texts) <= batchTexts); i++ {
			part = append(part, todo[i])
			texts = append(texts, todo[i].texts...)
		}
		flat, err := s.emb.Embed(ctx, texts)
		if err != nil {
			return done, err
		}
		vecs := make([][][]float32, len(part))
		for j, jb := range part {
			vecs[j], flat = flat[:len(jb.texts)], flat[len(jb.texts):]
		}
		err = s.store.Update(func(tx *store.Tx) error {
			for j, jb := range part {
				data, err := json.Marshal(vectorRecord{Model: model, Hash: jb.hash, Vectors: vecs[j]})
				if err != nil {
					return err
				}
				if err := tx.Embeddings().Put([]byte(jb.id), data); err != nil {
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
			s.vecs.put(jb.id, normaliseAll(vecs[j]))
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
	for _, id := range s.vecs.ids() {
		if !live[id] {
			gone = append(gone, id)
		}
	}
	s.mu.RUnlock()
	if len(gone) == 0 {
		return nil
	}
	err := s.store.Update(func(tx *store.Tx) error {
		for _, id := range gone {
			if err := tx.Embeddings().Delete([]byte(id)); err != nil {
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
		s.vecs.remove(id)
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
	s.mu.RLock()
	top := s.vecs.nearest(q, k)
	s.mu.RUnlock()
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
	v, ok := s.cache.Get(query)
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
	s.cache.Put(query, v)
	s.cacheMu.Unlock()
	return v, nil
}

func normaliseAll(vs [][]float32) [][]float32 {
	out := make([][]float32, len(vs))
	for i, v := range vs {
		out[i] = normalise(v)
	}
	return out
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
