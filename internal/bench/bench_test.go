package bench_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/bench"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/synth"
)

// The benchmarks share one knowledge base of KB_BENCH_N synthetic practices (10,000 by
// default), built once: go test -bench . -benchtime 200x ./internal/bench
var (
	once   sync.Once
	shared *app.App
	setErr error
)

func kb(b *testing.B) *app.App {
	once.Do(func() {
		n := 10000
		if v, err := strconv.Atoi(os.Getenv("KB_BENCH_N")); err == nil && v > 0 {
			n = v
		}
		geo, _ := app.LoadGeography()
		thes, _ := app.LoadThesaurus()
		ps, _ := practices.ReadCorpus(corpus.FS, ".", geo)
		var labels []string
		for _, c := range thes.Concepts {
			labels = append(labels, c.Labels["en"]...)
		}
		model := synth.NewModel(ps, geo, labels)
		dir, _ := os.MkdirTemp("", "kb-gobench-")
		// Every answer computed: these measure the engine, not the cache of recent answers.
		shared, setErr = app.Open(context.Background(), app.Config{DataDir: dir, NoSeed: true, NoAnswerCache: true})
		if setErr != nil {
			return
		}
		gen := make([]*practices.Practice, n)
		for i := range gen {
			gen[i] = model.Practice(1, i)
		}
		_, setErr = shared.Import(context.Background(), gen, store.NewVersion)
	})
	if setErr != nil {
		b.Fatal(setErr)
	}
	return shared
}

func BenchmarkSearch(b *testing.B) {
	a := kb(b)
	for _, q := range bench.Queries {
		b.Run(q.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Search(context.Background(), q.Req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSecondPass measures each query of the mix with and without the second pass
// (a weak first pass widened by its best hits), to see what it costs:
// go test -run '^$' -bench SecondPass -benchtime 200x ./internal/bench
func BenchmarkSecondPass(b *testing.B) {
	a := kb(b)
	for _, way := range []struct {
		name    string
		without index.Without
	}{{"with", index.Without{}}, {"without", index.Without{Widening: true}}} {
		for _, q := range bench.Queries {
			b.Run(way.name+"/"+q.Name, func(b *testing.B) {
				for b.Loop() {
					if _, err := a.Index.SearchWithout(context.Background(), q.Req, way.without); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkSuggest(b *testing.B) {
	a := kb(b)
	for b.Loop() {
		if _, err := a.Suggest(context.Background(), "tel", 8); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecommend(b *testing.B) {
	a := kb(b)
	p := recommend.Profile{Country: "AR", Population: 55000, WeakAreas: []string{"education"}, Need: "students without internet at home"}
	for b.Loop() {
		if _, err := a.Recommend(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport measures importing KB_BENCH_N synthetic practices (10,000 by default)
// into a fresh knowledge base: the store's write path and the index's, together.
// go test -run '^$' -bench Import -benchtime 1x ./internal/bench
func BenchmarkImport(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("KB_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	geo, _ := app.LoadGeography()
	ps, _ := practices.ReadCorpus(corpus.FS, ".", geo)
	model := synth.NewModel(ps, geo, nil)
	for b.Loop() {
		b.StopTimer()
		a, err := app.Open(context.Background(), app.Config{DataDir: b.TempDir(), NoSeed: true, NoAnswerCache: true})
		if err != nil {
			b.Fatal(err)
		}
		gen := make([]*practices.Practice, n)
		for i := range gen {
			gen[i] = model.Practice(1, i)
		}
		b.StartTimer()
		if _, err := a.Import(context.Background(), gen, store.NewVersion); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		a.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "practices/s")
}
