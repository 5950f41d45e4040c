// Package bench measures the knowledge base at scale (kb bench): import and index time,
// sizes, memory, latency, throughput, and each feature's cost against a plain Bleve index.
package bench

// Latency is that of search, suggest and recommend, in-process and over HTTP; throughput
// is under concurrent clients; a feature's cost is measured against a plain Bleve index of
// the same documents. The package prints figures; it asserts nothing (machines are
// shared).

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/relevance"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Config says what to measure.
type Config struct {
	Sizes []int         // numbers of practices, e.g. 10000 and 100000
	Dir   string        // where to put the data dirs (a temporary dir if empty)
	Keep  bool          // keep the data dirs
	Time  time.Duration // how long each throughput run lasts
	// Generate makes the i-th synthetic practice.
	Generate func(i int) *practices.Practice
	// Server is the kb binary to start as the HTTP server ("" skips the HTTP part).
	Server string
	Out    io.Writer
	// ProfileDir, when set, receives a CPU profile of each size's import and of its
	// harvest's (import-N.pprof, harvest-N.pprof), for `go tool pprof`.
	ProfileDir string
}

// Query is one request of the mixed query set.
type Query struct {
	Name string
	Req  search.Request
}

// Queries is the mixed set: one word, several words, a phrase, a typo, filters, a
// concept in another language, and a deep page. Every search computes facets.
var Queries = []Query{
	{"one word", search.Request{Query: "students"}},
	{"several words", search.Request{Query: "digital services for the public"}},
	{"phrase", search.Request{Query: `"public transport"`}},
	{"typo", search.Request{Query: "telemedecine"}},
	{"filters", search.Request{Query: "data", Filters: map[string][]string{"area": {"education"}, "region": {"europe", "latin-america"}}}},
	{"other language", search.Request{Query: "brecha digital"}},
	{"browse, deep page", search.Request{Page: 50, Limit: 10}},
}

var prefixes = []string{"tel", "dig", "bar", "stu", "wif", "crow"}

var profiles = []recommend.Profile{
	{Country: "AR", Population: 55000, WeakAreas: []string{"education"}, Need: "students without internet at home", Resources: []string{"municipal-wifi"}},
	{Country: "KE", Population: 4000000, WeakAreas: []string{"public-services", "data"}},
	{City: "Villa Gesell", WeakAreas: []string{"mobility"}, Need: "crowds on the beaches"},
}

// Result holds the figures of one size.
type Result struct {
	N                      int
	ImportTime             time.Duration
	IndexBytes, StoreBytes int64
	BenchRSS               int64 // the bench process after the import, bytes
	// InProcess and PerQuery are the engine's: every answer computed.
	InProcess, Plain Latency
	PerQuery         map[string]Latency
	// Matched is the share of the practices each query matches.
	Matched map[string]float64
	// Cold is a server that computes every answer; Warm one that serves recent answers
	// again until the index changes (the default).
	Cold, Warm Served
	// Behind is a restart after a crash that left the index that many changes behind the
	// store: the time to /healthz, and to /readyz (the index caught up in the background).
	Behind                      int
	BehindHealthz, BehindReadyz time.Duration
	// Harvest is another node harvesting all N practices over OAI-PMH on loopback.
	Harvest     federation.Report
	HarvestTime time.Duration
}

// Served holds the figures of a server measured from outside, over HTTP.
type Served struct {
	Search, Suggest, Recommend Latency
	// FirstSearch is the round that warms the server up: each search asked for the first
	// time since it started, before any answer, decoded postings list or table is kept.
	FirstSearch Latency
	Throughput  map[int]float64 // clients → searches per second
	RSS, Anon   int64           // resident memory, and the part of it not backed by files
	Startup     time.Duration
}

// Latency summarises many timings.
type Latency struct{ P50, P95, P99 time.Duration }

func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(math.Ceil(q*float64(len(ds))))-1)] }
	return Latency{at(0.50), at(0.95), at(0.99)}
}

// RealMatched is the share of the embedded corpus's practices each query matches, to
// compare with the synthetic corpus's.
func RealMatched(ctx context.Context) (map[string]float64, error) {
	dir, err := os.MkdirTemp("", "kb-bench-real-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	a, err := app.Open(ctx, app.Config{DataDir: dir})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return matched(ctx, a)
}

func matched(ctx context.Context, a *app.App) (map[string]float64, error) {
	n, err := a.Store.Count()
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, q := range Queries {
		res, err := a.Search(ctx, q.Req)
		if err != nil {
			return nil, err
		}
		out[q.Name] = float64(res.Total) / float64(max(n, 1))
	}
	return out, nil
}

// Run measures every size and prints the table.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	base := cfg.Dir
	if base == "" {
		tmp, err := os.MkdirTemp("", "kb-bench-")
		if err != nil {
			return nil, err
		}
		base = tmp
	}
	if !cfg.Keep {
		defer os.RemoveAll(base)
	}
	var results []Result
	for _, n := range cfg.Sizes {
		r, err := one(ctx, cfg, filepath.Join(base, fmt.Sprintf("n%d", n)), n)
		if err != nil {
			return results, err
		}
		results = append(results, r)
		Print(cfg.Out, results)
	}
	return results, nil
}

func one(ctx context.Context, cfg Config, dir string, n int) (Result, error) {
	r := Result{N: n, PerQuery: map[string]Latency{}}
	fmt.Fprintf(cfg.Out, "== %d practices: generating, importing, indexing…\n", n)
	ps := make([]*practices.Practice, n)
	for i := range ps {
		ps[i] = cfg.Generate(i)
	}
	a, err := app.Open(ctx, app.Config{DataDir: dir, NoSeed: true, NoAnswerCache: true})
	if err != nil {
		return r, err
	}
	start := time.Now()
	err = profiled(cfg.ProfileDir, fmt.Sprintf("import-%d", n), func() error {
		_, err := a.Import(ctx, ps, store.NewVersion)
		return err
	})
	if err != nil {
		a.Close()
		return r, err
	}
	r.ImportTime = time.Since(start)
	r.BenchRSS = rss(os.Getpid(), "VmRSS:")
	if r.Matched, err = matched(ctx, a); err != nil {
		a.Close()
		return r, err
	}

	// In process, and the same queries on a plain Bleve index of the same documents.
	var all, plainT []time.Duration
	for _, q := range Queries {
		var ds []time.Duration
		for i := 0; i < 40; i++ {
			t0 := time.Now()
			if _, err := a.Search(ctx, q.Req); err != nil {
				a.Close()
				return r, fmt.Errorf("%s: %w", q.Name, err)
			}
			ds = append(ds, time.Since(t0))
		}
		all = append(all, ds...)
		r.PerQuery[q.Name] = summarize(ds)
	}
	r.InProcess = summarize(all)
	plain, err := relevance.NewPlain(ps)
	if err != nil {
		a.Close()
		return r, err
	}
	for _, q := range Queries {
		for i := 0; i < 40; i++ {
			t0 := time.Now()
			plain.Search(ctx, q.Req.Query, 10)
			plainT = append(plainT, time.Since(t0))
		}
	}
	plain.Close()
	r.Plain = summarize(plainT)
	ps = nil
	fmt.Fprintf(cfg.Out, "== %d practices: another node harvests them…\n", n)
	err = profiled(cfg.ProfileDir, fmt.Sprintf("harvest-%d", n), func() error {
		return harvest(ctx, a, filepath.Join(dir, "harvester"), &r)
	})
	if err != nil {
		a.Close()
		return r, err
	}
	a.Close()
	r.IndexBytes, r.StoreBytes = dirSize(filepath.Join(dir, app.IndexDir)), fileSize(filepath.Join(dir, store.File))
	if cfg.Server == "" {
		return r, nil
	}
	if r.Cold, err = overHTTP(ctx, cfg, dir, n, "--no-answer-cache"); err != nil {
		return r, err
	}
	if r.Warm, err = overHTTP(ctx, cfg, dir, n); err != nil {
		return r, err
	}
	err = restartBehind(ctx, cfg, dir, n, &r)
	return r, err
}

// restartBehind writes new versions of up to 5 000 practices to the store alone, as a
// server killed before its index followed them would leave it, then starts a server and
// times /healthz and /readyz.
func restartBehind(ctx context.Context, cfg Config, dir string, n int, r *Result) error {
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	var ps []*practices.Practice
	err = s.Each(ctx, func(p *practices.Practice) error {
		if len(ps) < 5000 {
			p.Title += " (revised)"
			ps = append(ps, p)
		}
		return nil
	})
	if err == nil {
		_, err = s.PutMany(ctx, ps, store.NewVersion)
	}
	s.Close()
	if err != nil {
		return err
	}
	r.Behind = len(ps)
	addr := "127.0.0.1:" + strconv.Itoa(19000+n%1000)
	cmd := exec.CommandContext(ctx, cfg.Server, "serve", "--data", dir, "--addr", addr, "--log-format", "json", "--harvest-tick", "0")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	client := &http.Client{Timeout: 10 * time.Second}
	wait := func(path string) (time.Duration, error) {
		for time.Since(t0) < 5*time.Minute {
			if resp, err := client.Get("http://" + addr + path); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return time.Since(t0), nil
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		return 0, fmt.Errorf("the restarted server did not answer %s 200", path)
	}
	if r.BehindHealthz, err = wait("/healthz"); err != nil {
		return err
	}
	r.BehindReadyz, err = wait("/readyz")
	return err
}

// profiled runs fn under the CPU profiler when dir is set, writing dir/name.pprof.
func profiled(dir, name string, fn func() error) error {
	if dir == "" {
		return fn()
	}
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	defer pprof.StopCPUProfile()
	return fn()
}

// harvest has a second node harvest every practice of a over OAI-PMH, served in process
// on loopback with the default page size, and keeps its report.
func harvest(ctx context.Context, a *app.App, dir string, r *Result) error {
	srv := httptest.NewUnstartedServer(nil)
	provider, err := a.Provider(oai.Config{RepositoryName: "origin", BaseURL: "http://" + srv.Listener.Addr().String(), AdminEmail: "bench@example.org"})
	if err != nil {
		return err
	}
	// The harvester is one address: the per-address rate would measure itself.
	srv.Config.Handler = server.New(server.Config{Service: a, OAI: provider, Limits: server.Limits{Expensive: server.NoLimit}})
	srv.Start()
	defer srv.Close()
	// The whole synthetic corpus comes in one harvest: more than a node's default staging.
	b, err := app.Open(ctx, app.Config{DataDir: dir, NoSeed: true, NoAnswerCache: true, Namespace: "harvester.bench.example", HarvestStaging: 4 << 30})
	if err != nil {
		return err
	}
	defer func() { b.Close(); os.RemoveAll(dir) }()
	if _, err := b.Peers.Add(ctx, federation.NewPeer{Name: "origin", URL: srv.URL + "/oai"}); err != nil {
		return err
	}
	start := time.Now()
	rep, err := b.Peers.Sync(ctx, "origin")
	r.HarvestTime, r.Harvest = time.Since(start), rep
	if err == nil && rep.Published != r.N {
		err = fmt.Errorf("the harvester published %d of %d practices: %+v", rep.Published, r.N, rep)
	}
	return err
}

// overHTTP starts a real server on the data dir and measures it from outside.
func overHTTP(ctx context.Context, cfg Config, dir string, n int, flags ...string) (Served, error) {
	r := &Served{Throughput: map[int]float64{}}
	addr := "127.0.0.1:" + strconv.Itoa(18000+n%1000)
	// The whole load comes from one address: the per-address rate would measure itself.
	args := append([]string{"serve", "--data", dir, "--addr", addr, "--log-format", "json", "--harvest-tick", "0", "--rate-limit", "0"}, flags...)
	cmd := exec.CommandContext(ctx, cfg.Server, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return *r, err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(t0) > 2*time.Minute {
			return *r, fmt.Errorf("the server did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.Startup = time.Since(t0)
	get := func(u string) error {
		resp, err := client.Get(base + u)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("GET %s: %d", u, resp.StatusCode)
		}
		return nil
	}
	urls := make([]string, len(Queries))
	var searches, suggests, recommends []func() error
	for i, q := range Queries {
		urls[i] = "/api/v1/search?" + queryString(q.Req)
		searches = append(searches, func() error { return get(urls[i]) })
	}
	for _, p := range prefixes {
		suggests = append(suggests, func() error { return get("/api/v1/suggest?q=" + p) })
	}
	for _, p := range profiles {
		body := fmt.Sprintf(`{"country":%q,"city":%q,"population":%d,"weak_areas":["%s"],"need":%q}`, p.Country, p.City, p.Population, strings.Join(p.WeakAreas, `","`), p.Need)
		recommends = append(recommends, func() error {
			resp, err := client.Post(base+"/api/v1/recommendations", "application/json", strings.NewReader(body))
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("recommend: %d", resp.StatusCode)
			}
			return nil
		})
	}
	var err error
	if r.Search, r.FirstSearch, err = measure(40, searches); err != nil {
		return *r, err
	}
	if r.Suggest, _, err = measure(50, suggests); err != nil {
		return *r, err
	}
	if r.Recommend, _, err = measure(30, recommends); err != nil {
		return *r, err
	}
	for _, clients := range []int{1, 4, 16} {
		var done atomic.Int64
		var wg sync.WaitGroup
		stop := time.Now().Add(cfg.Time)
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := c; time.Now().Before(stop); i++ {
					if get(urls[i%len(urls)]) == nil {
						done.Add(1)
					}
				}
			}(c)
		}
		wg.Wait()
		r.Throughput[clients] = float64(done.Load()) / cfg.Time.Seconds()
	}
	r.RSS, r.Anon = rss(cmd.Process.Pid, "VmRSS:"), rss(cmd.Process.Pid, "RssAnon:")
	return *r, nil
}

// measure runs each request once to warm up (the server's caches, and the file pages it
// reads), then rounds times, and summarises the timings of the rounds.
func measure(rounds int, reqs []func() error) (measured, first Latency, err error) {
	var ds, warmUp []time.Duration
	for round := -1; round < rounds; round++ {
		for _, do := range reqs {
			t0 := time.Now()
			if err := do(); err != nil {
				return Latency{}, Latency{}, err
			}
			if round >= 0 {
				ds = append(ds, time.Since(t0))
			} else {
				warmUp = append(warmUp, time.Since(t0))
			}
		}
	}
	return summarize(ds), summarize(warmUp), nil
}

func queryString(r search.Request) string {
	v := url.Values{}
	if r.Query != "" {
		v.Set("q", r.Query)
	}
	if r.Page > 0 {
		v.Set("page", strconv.Itoa(r.Page))
	}
	if r.Limit > 0 {
		v.Set("limit", strconv.Itoa(r.Limit))
	}
	for k, vs := range r.Filters {
		for _, x := range vs {
			v.Add(k, x)
		}
	}
	return v.Encode()
}

// rss reads a process's resident memory from /proc, in bytes (0 where unavailable):
// VmRSS: all of it, RssAnon: the part not backed by files (the heap and stacks, not the
// index and store files mapped in memory, which the kernel can drop and read again).
func rss(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

// Print writes the results as a table, one column per size.
func Print(w io.Writer, rs []Result) {
	row := func(label string, f func(Result) string) {
		fmt.Fprintf(w, "| %-52s |", label)
		for _, r := range rs {
			fmt.Fprintf(w, " %16s |", f(r))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n| %-52s |", "practices")
	for _, r := range rs {
		fmt.Fprintf(w, " %16d |", r.N)
	}
	fmt.Fprintf(w, "\n|%s|%s\n", strings.Repeat("-", 54), strings.Repeat(strings.Repeat("-", 18)+"|", len(rs)))
	row("import + index time", func(r Result) string { return fmt.Sprintf("%.1f s", r.ImportTime.Seconds()) })
	row("import + index rate", func(r Result) string { return fmt.Sprintf("%.0f /s", float64(r.N)/r.ImportTime.Seconds()) })
	row("index size on disk", func(r Result) string { return mb(r.IndexBytes) })
	row("harvest of them all by another node (OAI-PMH, loopback)", func(r Result) string { return fmt.Sprintf("%.1f s", r.HarvestTime.Seconds()) })
	row("  fetching the pages / applying (written, indexed)", func(r Result) string {
		return fmt.Sprintf("%.1f / %.1f s", r.Harvest.Fetching.Seconds(), r.Harvest.Applying.Seconds())
	})
	row("store size on disk", func(r Result) string { return mb(r.StoreBytes) })
	row("bench process RSS after the import", func(r Result) string { return mb(r.BenchRSS) })
	row("server start-up with the index (to /healthz)", func(r Result) string { return ms(r.Cold.Startup) })
	row("restart with the index behind: changes", func(r Result) string { return strconv.Itoa(r.Behind) })
	row("  to /healthz (target <= 2 s) / to /readyz", func(r Result) string { return ms(r.BehindHealthz) + " / " + ms(r.BehindReadyz) })
	row("search in-process, every answer computed, p50 / p99", func(r Result) string { return ms(r.InProcess.P50) + " / " + ms(r.InProcess.P99) })
	row("plain Bleve, same queries, p50 / p99", func(r Result) string { return ms(r.Plain.P50) + " / " + ms(r.Plain.P99) })
	row("kb / plain (p50)", func(r Result) string {
		return fmt.Sprintf("%.1fx", float64(r.InProcess.P50)/math.Max(1, float64(r.Plain.P50)))
	})
	for _, q := range Queries {
		row("  "+q.Name+" p50 / p99", func(r Result) string { return ms(r.PerQuery[q.Name].P50) + " / " + ms(r.PerQuery[q.Name].P99) })
	}
	for _, q := range Queries {
		row("  "+q.Name+": share of practices matched", func(r Result) string { return fmt.Sprintf("%.1f%%", 100*r.Matched[q.Name]) })
	}
	for _, s := range []struct {
		name string
		get  func(Result) Served
	}{{"cold server (every answer computed)", func(r Result) Served { return r.Cold }}, {"warm server (recent answers served again, default)", func(r Result) Served { return r.Warm }}} {
		fmt.Fprintf(w, "| %-52s |%s\n", s.name+":", strings.Repeat(fmt.Sprintf(" %16s |", ""), len(rs)))
		row("  search over HTTP p50 / p95", func(r Result) string { return ms(s.get(r).Search.P50) + " / " + ms(s.get(r).Search.P95) })
		row("  search over HTTP p99 (target <= 25 ms)", func(r Result) string { return ms(s.get(r).Search.P99) })
		row("  each search asked the first time, p50 / max", func(r Result) string {
			return ms(s.get(r).FirstSearch.P50) + " / " + ms(s.get(r).FirstSearch.P99)
		})
		row("  suggest p99 (target <= 10 ms)", func(r Result) string { return ms(s.get(r).Suggest.P99) })
		row("  recommend p50 / p99 (target p99 <= 50 ms)", func(r Result) string { return ms(s.get(r).Recommend.P50) + " / " + ms(s.get(r).Recommend.P99) })
		for _, c := range []int{1, 4, 16} {
			row(fmt.Sprintf("  searches/s over HTTP, %d clients", c), func(r Result) string { return fmt.Sprintf("%.0f", s.get(r).Throughput[c]) })
		}
		row("  server RSS after the runs (target <= 400 MB)", func(r Result) string { return mb(s.get(r).RSS) })
		row("    of which not file-backed (heap, stacks)", func(r Result) string { return mb(s.get(r).Anon) })
	}
}

// PrintMatched writes the share of the real corpus each query matches.
func PrintMatched(w io.Writer, real map[string]float64) {
	fmt.Fprintln(w, "\nshare of the embedded (real) corpus each query matches, for comparison:")
	for _, q := range Queries {
		fmt.Fprintf(w, "  %-20s %5.1f%%\n", q.Name, 100*real[q.Name])
	}
}
