package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/uclg-digital-cities/kb/internal/admin"
	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/web"
)

// shutdownGrace is how long in-flight requests may take to finish after Ctrl-C.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "serve")
	addr := fs.String("addr", envOr(e, "KB_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT (env KB_ADDR)")
	logFormat := fs.String("log-format", envOr(e, "KB_LOG_FORMAT", "text"), "log format: text or json (env KB_LOG_FORMAT)")
	secureCookies := fs.Bool("secure-cookies", envOr(e, "KB_SECURE_COOKIES", "") == "1", "mark session cookies Secure, when served behind TLS (env KB_SECURE_COOKIES=1)")
	network := fs.String("network", envOr(e, "KB_NETWORK", "UCLG Community of Practice on Digital Cities"), "the network that runs this knowledge base (env KB_NETWORK)")
	networkEmail := fs.String("network-email", envOr(e, "KB_NETWORK_EMAIL", ""), "the network's public contact address, shown on practice pages (env KB_NETWORK_EMAIL)")
	pprofAddr := fs.String("pprof-addr", envOr(e, "KB_PPROF_ADDR", ""), "serve Go's pprof on this local address, e.g. 127.0.0.1:6060 (env KB_PPROF_ADDR); off when empty")
	smtpURL := fs.String("smtp-url", envOr(e, "KB_SMTP_URL", ""), "send notifications by SMTP: smtp://user:pass@host:587?from=addr (env KB_SMTP_URL); without it they stay in the outbox")
	baseURL := fs.String("base-url", envOr(e, "KB_BASE_URL", ""), "the public URL of this knowledge base, e.g. https://kb.example.org (env KB_BASE_URL); default http://ADDR")
	trustedProxies := fs.String("trusted-proxies", envOr(e, "KB_TRUSTED_PROXIES", ""), "addresses or CIDR prefixes of the reverse proxies whose X-Forwarded-For names the client, comma-separated (env KB_TRUSTED_PROXIES); default none")
	oaiNamespace := fs.String("oai-namespace", envOr(e, "KB_OAI_NAMESPACE", ""), "the domain in this node's OAI identifiers oai:DOMAIN:ID (env KB_OAI_NAMESPACE); default the base URL's host, or kb.localhost")
	studyAuthority := fs.String("study-authority", envOr(e, "KB_STUDY_AUTHORITY", ""), "the OAI namespace of the node that publishes the study's cases (env KB_STUDY_AUTHORITY); empty: nobody, they are read-only everywhere")
	oaiPageSize := fs.Int("oai-page-size", 100, "records per OAI-PMH response; longer lists continue with resumption tokens")
	stagingMB := fs.Int64("harvest-staging-mb", envInt64(e, "KB_HARVEST_STAGING_MB", 256), "the disk one harvest may stage, in MiB (env KB_HARVEST_STAGING_MB)")
	harvestTick := fs.Duration("harvest-tick", time.Minute, "how often the background harvester looks for peers due a harvest; 0 turns it off")
	digestEvery := fs.Duration("digest-every", time.Hour, "at most how often each coordinator is mailed a digest of new submissions; 0 turns it off")
	connsPerClient := fs.Int("conns-per-client", server.DefaultConnsPerClient, "connections one client address may hold open at once; 0: no bound (behind a proxy, every connection comes from its address)")
	rateLimit := fs.Int("rate-limit", 20, "expensive requests (search, suggestions, recommendations, pages, OAI) per second per client address, after a burst of five seconds' worth; 0: no limit")
	metricsToken := fs.String("metrics-token", envOr(e, "KB_METRICS_TOKEN", ""), "serve /metrics on --addr to requests bearing this token (env KB_METRICS_TOKEN); without it /metrics is on the admin socket only")
	noAnswerCache := fs.Bool("no-answer-cache", envOr(e, "KB_NO_ANSWER_CACHE", "") == "1", "compute every search again instead of serving recent answers until the index changes (env KB_NO_ANSWER_CACHE=1)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *connsPerClient < 0 || *rateLimit < 0 {
		return usagef("--conns-per-client and --rate-limit must be 0 or more")
	}
	base, err := parseBaseURL(*baseURL)
	if err != nil {
		return err
	}
	proxies, err := server.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return usagef("--trusted-proxies: %v", err)
	}
	// A server's heap is mostly long-lived tables and decoded postings: collecting when
	// the heap has grown by half instead of doubled keeps less of it resident (with the
	// tables' values copied once, 131 -> 96 MB at 100k), for more collections: about a
	// tenth of the CPU under load (pprof). GOGC in the environment still decides.
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	log, err := newLogger(e, *logFormat)
	if err != nil {
		return err
	}
	namespace, err := configuredNamespace(*oaiNamespace, base)
	if err != nil {
		return err
	}
	if *studyAuthority != "" && !oai.ValidNamespace(*studyAuthority) {
		return usagef("--study-authority %q must be an OAI namespace, a domain name such as kb.uclg.org", *studyAuthority)
	}
	a, err := app.Open(ctx, app.Config{DataDir: *data, Logger: log, Progress: progressBar(e, "indexing"), NoAnswerCache: *noAnswerCache,
		Namespace: namespace, StudyAuthority: *studyAuthority, HarvestStaging: *stagingMB << 20, CatchUpInBackground: true})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("another kb server already holds %s", *data)
	}
	if err != nil {
		return err
	}
	defer a.Close()

	// The tables searches read are built before the first request: built by the first
	// searches instead, they made those wait (a browse 110 ms at 100 000 practices), and
	// built alongside them, they slowed them more. It takes a fraction of a second.
	prepared := time.Now()
	if err := a.Index.Prepare(ctx); err != nil {
		log.Warn("preparing the search tables failed; searches will build them", "err", err)
	} else {
		log.Info("search tables ready", "took", time.Since(prepared).Round(time.Millisecond))
	}
	a.CheckInBackground(ctx)
	var mail *review.SMTP
	if *smtpURL != "" {
		if mail, err = review.ParseSMTPURL(*smtpURL); err != nil {
			return usagef("%v", err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	adminLn, err := admin.Listen(*data, log)
	if err != nil {
		ln.Close()
		return err
	}
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	// The mail asking a contributor to confirm their address links to this node.
	a.Review.Network, a.Review.BaseURL = *network, base
	cop, err := crossOrigin(base)
	if err != nil {
		return err
	}
	// Online imports, reindexes and harvests (asked through the API or the peers page) run
	// as jobs, beyond any request's time limit.
	work := jobs.New(log)
	webCfg := web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Jobs: work, Geo: a.Geo, Findings: a.Findings, BaseURL: base, NetworkName: *network, NetworkEmail: *networkEmail, SecureCookies: *secureCookies, Logger: log, CrossOrigin: cop}
	// AI assistance only with an endpoint (KB_OPENAI_BASE_URL); offline, nothing of it shows.
	var asker *ai.Asker
	var semantic *ai.Semantic
	if aiCfg, ok := ai.ConfigFromEnv(e.getenv); ok {
		if aiCfg.Usage, err = ai.NewStoreUsage(a.Store); err != nil {
			return err
		}
		client := ai.New(aiCfg)
		asker = ai.NewAsker(a, client)
		webCfg.Ask = asker
		a.Review.Assistant = ai.NewAssistant(client)
		log.Info("AI assistance on: /ask, POST /api/v1/ask and suggestions on submissions", "endpoint", aiCfg.BaseURL)
		if aiCfg.EmbedModel != "" {
			if semantic, err = ai.NewSemantic(a.Store, client, log); err != nil {
				return err
			}
			a.Semantic = semantic
			log.Info("hybrid search on", "embed_model", aiCfg.EmbedModel)
		}
	}
	pages, err := web.New(webCfg)
	if err != nil {
		return err
	}
	provider, err := newProvider(a, log, oai.Config{BaseURL: base, RepositoryName: *network, AdminEmail: *networkEmail, PageSize: *oaiPageSize, Rights: pages.Rights()})
	if err != nil {
		return usagef("%v", err)
	}
	cfg := server.Config{Service: a, Review: a.Review, Auth: a.Auth, Peers: a.Peers, Jobs: work, OAI: provider, Findings: a.Findings, Thesaurus: a.Thesaurus, Logger: log, BaseURL: base, TrustedProxies: proxies,
		SecureCookies: *secureCookies, Pages: pages, Limits: server.Limits{Expensive: expensiveRate(*rateLimit)}, CrossOrigin: cop,
		MetricsToken: *metricsToken, Metrics: server.NewMetrics(a)}
	if asker != nil {
		cfg.Ask = asker
	}
	public := server.NewHTTPServer(server.New(cfg), log)
	local := &http.Server{Handler: server.NewAdmin(cfg, a, work), ReadHeaderTimeout: server.ReadHeaderTimeout}

	loopCtx, stopLoops := context.WithCancel(ctx)
	defer stopLoops()
	var loops sync.WaitGroup
	if mail != nil {
		background(loopCtx, &loops, log, "notifications", func(ctx context.Context) { a.Review.RunSender(ctx, mail, time.Minute) })
	}
	if *digestEvery > 0 {
		background(loopCtx, &loops, log, "digests", func(ctx context.Context) { a.Review.RunDigests(ctx, *digestEvery, min(*digestEvery, time.Minute)) })
	}
	if *harvestTick > 0 {
		background(loopCtx, &loops, log, "harvests", func(ctx context.Context) { a.Peers.Run(ctx, *harvestTick) })
	}
	if semantic != nil {
		background(loopCtx, &loops, log, "embeddings", func(ctx context.Context) { semantic.Run(ctx, time.Minute) })
	}
	if *pprofAddr != "" {
		stopPprof, err := servePprof(*pprofAddr, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	errc := make(chan error, 2)
	go func() { errc <- public.Serve(server.LimitConnsPerClient(ln, *connsPerClient)) }()
	go func() { errc <- local.Serve(adminLn) }()
	n, _ := a.Store.Count()
	log.Info("serving", "url", "http://"+ln.Addr().String(), "data", *data, "practices", n, "admin_socket", admin.SocketPath(*data))
	fmt.Fprintf(e.stdout, "kb: serving %d practices on http://%s (data in %s); Ctrl-C stops\n", n, ln.Addr(), *data)

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("server stopped", "err", err)
		}
	}
	log.Info("shutting down: finishing in-flight requests and jobs")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = errors.Join(public.Shutdown(sctx), local.Shutdown(sctx))
	if work.Close(sctx) != nil {
		log.Warn("jobs still running at the end of the grace were cancelled; an import keeps the chunks it committed, the index catches up at the next start")
	}
	stopLoops()
	loops.Wait() // before the store closes: a harvest or a mail may be writing to it
	return err
}

// expensiveRate is perSecond requests a second after a burst of five seconds' worth.
func expensiveRate(perSecond int) server.Rate {
	if perSecond == 0 {
		return server.NoLimit
	}
	return server.Rate{Every: time.Second / time.Duration(perSecond), Burst: 5 * perSecond}
}

// loopRestart is how long a background loop that panicked waits before it starts again.
var loopRestart = time.Minute

// background runs loop on a goroutine of its own until ctx ends. A panic in it, which
// would end the process, is logged with its stack, and the loop starts again a little
// later: one harvest or mail that panics must not stop the others.
func background(ctx context.Context, wg *sync.WaitGroup, log *slog.Logger, name string, loop func(context.Context)) {
	wg.Go(func() {
		for {
			err := recovered(func() { loop(ctx) })
			if err == nil {
				return
			}
			log.Error("a background loop panicked; it starts again", "loop", name, "in", loopRestart, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(loopRestart):
			}
		}
	})
}

// recovered runs f and returns its panic as an error.
func recovered(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = apperr.Panicked(v)
		}
	}()
	f()
	return nil
}

// crossOrigin is the check of origins the API and the pages share: behind a proxy that
// rewrites Host, the public URL's origin is the one its pages post from.
func crossOrigin(base string) (*http.CrossOriginProtection, error) {
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(base); err != nil {
		return nil, usagef("--base-url %q: %v", base, err)
	}
	return cop, nil
}

// parseBaseURL checks --base-url: the root of the site as its visitors reach it, since
// every absolute URL kb writes is made from it. Empty stays empty (the listen address
// stands in once known).
func parseBaseURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", usagef("--base-url %q: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return "", usagef("--base-url %q must be an absolute http or https URL, e.g. https://kb.example.org", raw)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		// The pages link from the root (/search, /static/...): a path prefix would break them.
		return "", usagef("--base-url %q must be the root of a site (scheme://host[:port]), without a path, query or user", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// newProvider configures OAI-PMH. Without a contact the node still serves it, under a
// local default, and says what to set before others harvest it.
func newProvider(a *app.App, log *slog.Logger, cfg oai.Config) (*oai.Provider, error) {
	cfg.Namespace = a.Namespace
	if cfg.AdminEmail == "" {
		cfg.AdminEmail = "admin@" + cfg.Namespace
		log.Warn("OAI-PMH: no --network-email; Identify gives " + cfg.AdminEmail + " until one is set")
	}
	return a.Provider(cfg)
}

// envInt64 reads a whole number from the environment, def when unset or not a number
// (the flag's own parsing then reports a bad value given on the command line).
func envInt64(e env, name string, def int64) int64 {
	if n, err := strconv.ParseInt(e.getenv(name), 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

// configuredNamespace is the namespace asked for: --oai-namespace, or the host of
// --base-url when it is a domain name; empty leaves the one the data dir recorded.
func configuredNamespace(namespace, baseURL string) (string, error) {
	if namespace != "" {
		if !oai.ValidNamespace(namespace) {
			return "", usagef("--oai-namespace %q must be a domain name such as kb.example.org", namespace)
		}
		return namespace, nil
	}
	if baseURL == "" {
		return "", nil
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", usagef("--base-url %q: %v", baseURL, err)
	}
	if oai.ValidNamespace(u.Hostname()) {
		return u.Hostname(), nil
	}
	return "", nil
}

func newLogger(e env, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, nil)), nil
	default:
		return nil, usagef("--log-format must be text or json, not %q", format)
	}
}

// servePprof serves the Go profiler on a loopback address only: profiles reveal too much
// to be reachable from outside.
func servePprof(addr string, log *slog.Logger) (func(), error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usagef("--pprof-addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, usagef("--pprof-addr must be a loopback address such as 127.0.0.1:6060, not %q", addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("pprof", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { srv.Close() }, nil
}
