package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

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

// runServe is kb serve in the three steps of benbjohnson/wtf's Main: the command line
// read into a config, everything built from it, then run until Ctrl-C or a server fails;
// Close waits for every server, job and background loop before the store closes.
func runServe(ctx context.Context, e env, args []string) error {
	cfg, err := parseServeFlags(e, args)
	if err != nil {
		return err
	}
	// A server's heap is mostly long-lived tables and decoded postings: collecting when
	// the heap has grown by half instead of doubled keeps less of it resident (with the
	// tables' values copied once, 131 -> 96 MB at 100k), for more collections: about a
	// tenth of the CPU under load (pprof). GOGC in the environment still decides.
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	m, err := openServe(ctx, e, cfg)
	if err != nil {
		return err
	}
	m.Run(ctx)
	n, _ := m.app.Store.Count()
	m.log.Info("serving", "url", "http://"+m.ln.Addr().String(), "data", cfg.Data, "practices", n, "admin_socket", admin.SocketPath(cfg.Data))
	fmt.Fprintf(e.stdout, "kb: serving %d practices on http://%s (data in %s); Ctrl-C stops\n", n, m.ln.Addr(), cfg.Data)
	select {
	case <-ctx.Done():
	case <-m.stopped.Done(): // a server failed
	}
	m.log.Info("shutting down: finishing in-flight requests and jobs")
	return m.Close()
}

// serveConfig is everything kb serve is told, from its flags and the environment they
// default from, checked.
type serveConfig struct {
	Data, Addr, LogFormat string
	// BaseURL is the public root of the site; empty: http://ADDR once listening.
	BaseURL        string
	TrustedProxies []netip.Prefix
	SecureCookies  bool
	// Network names the network that runs this knowledge base, NetworkEmail its contact.
	Network, NetworkEmail string
	// Namespace is the OAI namespace asked for (empty: the one the data dir recorded);
	// StudyAuthority the node that publishes the study's cases (empty: nobody).
	Namespace, StudyAuthority string
	OAIPageSize               int
	// SMTP, when set, sends the outbox's mail; AI, when set, is the AI endpoint.
	SMTP *review.SMTP
	AI   *ai.Config
	// HarvestStaging bounds one harvest's staged pages (bytes); HarvestTick and
	// DigestEvery pace the harvester and the coordinators' digests (0: off).
	HarvestStaging           int64
	HarvestTick, DigestEvery time.Duration
	// ConnsPerClient and RateLimit bound each client address (0: no bound).
	ConnsPerClient, RateLimit int
	MetricsToken, PprofAddr   string
	NoAnswerCache             bool
}

// parseServeFlags reads kb serve's command line into a config, naming what is wrong.
func parseServeFlags(e env, args []string) (serveConfig, error) {
	var cfg serveConfig
	fs, data := newFlags(e, "serve")
	fs.StringVar(&cfg.Addr, "addr", envOr(e, "KB_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT (env KB_ADDR)")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(e, "KB_LOG_FORMAT", "text"), "log format: text or json (env KB_LOG_FORMAT)")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", envOr(e, "KB_SECURE_COOKIES", "") == "1", "mark session cookies Secure, when served behind TLS (env KB_SECURE_COOKIES=1)")
	fs.StringVar(&cfg.Network, "network", envOr(e, "KB_NETWORK", "UCLG Community of Practice on Digital Cities"), "the network that runs this knowledge base (env KB_NETWORK)")
	fs.StringVar(&cfg.NetworkEmail, "network-email", envOr(e, "KB_NETWORK_EMAIL", ""), "the network's public contact address, shown on practice pages (env KB_NETWORK_EMAIL)")
	fs.StringVar(&cfg.PprofAddr, "pprof-addr", envOr(e, "KB_PPROF_ADDR", ""), "serve Go's pprof on this local address, e.g. 127.0.0.1:6060 (env KB_PPROF_ADDR); off when empty")
	smtpURL := fs.String("smtp-url", envOr(e, "KB_SMTP_URL", ""), "send notifications by SMTP: smtp://user:pass@host:587?from=addr (env KB_SMTP_URL); without it they stay in the outbox")
	baseURL := fs.String("base-url", envOr(e, "KB_BASE_URL", ""), "the public URL of this knowledge base, e.g. https://kb.example.org (env KB_BASE_URL); default http://ADDR")
	trustedProxies := fs.String("trusted-proxies", envOr(e, "KB_TRUSTED_PROXIES", ""), "addresses or CIDR prefixes of the reverse proxies whose X-Forwarded-For names the client, comma-separated (env KB_TRUSTED_PROXIES); default none")
	oaiNamespace := fs.String("oai-namespace", envOr(e, "KB_OAI_NAMESPACE", ""), "the domain in this node's OAI identifiers oai:DOMAIN:ID (env KB_OAI_NAMESPACE); default the base URL's host, or kb.localhost")
	fs.StringVar(&cfg.StudyAuthority, "study-authority", envOr(e, "KB_STUDY_AUTHORITY", ""), "the OAI namespace of the node that publishes the study's cases (env KB_STUDY_AUTHORITY); empty: nobody, they are read-only everywhere")
	fs.IntVar(&cfg.OAIPageSize, "oai-page-size", 100, "records per OAI-PMH response; longer lists continue with resumption tokens")
	stagingMB := fs.Int64("harvest-staging-mb", envInt64(e, "KB_HARVEST_STAGING_MB", 256), "the disk one harvest may stage, in MiB (env KB_HARVEST_STAGING_MB)")
	fs.DurationVar(&cfg.HarvestTick, "harvest-tick", time.Minute, "how often the background harvester looks for peers due a harvest; 0 turns it off")
	fs.DurationVar(&cfg.DigestEvery, "digest-every", time.Hour, "at most how often each coordinator is mailed a digest of new submissions; 0 turns it off")
	fs.IntVar(&cfg.ConnsPerClient, "conns-per-client", server.DefaultConnsPerClient, "connections one client address may hold open at once; 0: no bound (behind a proxy, every connection comes from its address)")
	fs.IntVar(&cfg.RateLimit, "rate-limit", 20, "expensive requests (search, suggestions, recommendations, pages, OAI) per second per client address, after a burst of five seconds' worth; 0: no limit")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", envOr(e, "KB_METRICS_TOKEN", ""), "serve /metrics on --addr to requests bearing this token (env KB_METRICS_TOKEN); without it /metrics is on the admin socket only")
	fs.BoolVar(&cfg.NoAnswerCache, "no-answer-cache", envOr(e, "KB_NO_ANSWER_CACHE", "") == "1", "compute every search again instead of serving recent answers until the index changes (env KB_NO_ANSWER_CACHE=1)")
	if err := parseNoArgs(fs, args); err != nil {
		return cfg, err
	}
	cfg.Data, cfg.HarvestStaging = *data, *stagingMB<<20
	if cfg.ConnsPerClient < 0 || cfg.RateLimit < 0 {
		return cfg, usagef("--conns-per-client and --rate-limit must be 0 or more")
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return cfg, usagef("--log-format must be text or json, not %q", cfg.LogFormat)
	}
	var err error
	if cfg.BaseURL, err = parseBaseURL(*baseURL); err != nil {
		return cfg, err
	}
	if cfg.TrustedProxies, err = server.ParseTrustedProxies(*trustedProxies); err != nil {
		return cfg, usagef("--trusted-proxies: %v", err)
	}
	if cfg.Namespace, err = configuredNamespace(*oaiNamespace, cfg.BaseURL); err != nil {
		return cfg, err
	}
	if cfg.StudyAuthority != "" && !oai.ValidNamespace(cfg.StudyAuthority) {
		return cfg, usagef("--study-authority %q must be an OAI namespace, a domain name such as kb.uclg.org", cfg.StudyAuthority)
	}
	if *smtpURL != "" {
		if cfg.SMTP, err = review.ParseSMTPURL(*smtpURL); err != nil {
			return cfg, usagef("%v", err)
		}
	}
	// AI assistance only with an endpoint (KB_OPENAI_BASE_URL); offline, nothing of it shows.
	if aiCfg, ok := ai.ConfigFromEnv(e.getenv); ok {
		cfg.AI = &aiCfg
	}
	return cfg, nil
}

// serveMain is kb serve built from its config: the app, the two servers and their
// listeners, and the background loops, which Run starts and Close waits for.
type serveMain struct {
	cfg           serveConfig
	log           *slog.Logger
	app           *app.App
	work          *jobs.Registry
	ln, adminLn   net.Listener
	public, local *http.Server
	pprof         *pprofSrv
	loops         []loop

	group   *errgroup.Group
	stopped context.Context // ends when Close starts or a server fails
	stop    context.CancelFunc
}

// loop is background work of the server, run until the server stops.
type loop struct {
	name string
	run  func(ctx context.Context)
}

// openServe builds everything kb serve runs from cfg; nothing is changed after.
func openServe(ctx context.Context, e env, cfg serveConfig) (_ *serveMain, err error) {
	m := &serveMain{cfg: cfg}
	m.log = newLogger(e, cfg.LogFormat)
	if cfg.PprofAddr != "" {
		if m.pprof, err = pprofServer(cfg.PprofAddr); err != nil {
			return nil, err
		}
	}
	defer func() {
		if err != nil {
			m.closeListeners()
		}
	}()
	// Listening first tells the base URL when none is given, which the mails need.
	if m.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + m.ln.Addr().String()
	}
	a, err := app.Open(ctx, app.Config{DataDir: cfg.Data, Logger: m.log, Progress: progressBar(e, "indexing"), NoAnswerCache: cfg.NoAnswerCache,
		Namespace: cfg.Namespace, StudyAuthority: cfg.StudyAuthority, HarvestStaging: cfg.HarvestStaging, CatchUpInBackground: true,
		Network: cfg.Network, BaseURL: base, AI: cfg.AI})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("another kb server already holds %s", cfg.Data)
	}
	if err != nil {
		return nil, err
	}
	m.app = a
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if m.adminLn, err = admin.Listen(cfg.Data, m.log); err != nil {
		return nil, err
	}
	if cfg.AI != nil {
		m.log.Info("AI assistance on: /ask, POST /api/v1/ask and suggestions on submissions", "endpoint", cfg.AI.BaseURL)
		if a.Semantic != nil {
			m.log.Info("hybrid search on", "embed_model", cfg.AI.EmbedModel)
		}
	}
	// The tables searches read are built before the first request: built by the first
	// searches instead, they made those wait (a browse 110 ms at 100 000 practices), and
	// built alongside them, they slowed them more. It takes a fraction of a second.
	prepared := time.Now()
	if err := a.Index.Prepare(ctx); err != nil {
		m.log.Warn("preparing the search tables failed; searches will build them", "err", err)
	} else {
		m.log.Info("search tables ready", "took", time.Since(prepared).Round(time.Millisecond))
	}
	// Online imports, reindexes and harvests (asked through the API or the peers page) run
	// as jobs, beyond any request's time limit.
	m.work = jobs.New(m.log)
	if err := m.buildServers(base); err != nil {
		return nil, err
	}
	m.loops = m.backgroundLoops()
	return m, nil
}

// buildServers makes the public server (API, pages, OAI-PMH) and the admin socket's.
func (m *serveMain) buildServers(base string) error {
	a, cfg := m.app, m.cfg
	cop, err := crossOrigin(base)
	if err != nil {
		return err
	}
	webCfg := web.Config{Service: a, Review: a.Review, Accounts: a.Auth, Peers: a.Peers, Jobs: m.work, Geo: a.Geo, Findings: a.Findings,
		BaseURL: base, NetworkName: cfg.Network, NetworkEmail: cfg.NetworkEmail, SecureCookies: cfg.SecureCookies, Logger: m.log, CrossOrigin: cop}
	if a.Asker != nil {
		webCfg.Ask = a.Asker
	}
	pages, err := web.New(webCfg)
	if err != nil {
		return err
	}
	provider, err := newProvider(a, m.log, oai.Config{BaseURL: base, RepositoryName: cfg.Network, AdminEmail: cfg.NetworkEmail, PageSize: cfg.OAIPageSize, Rights: pages.Rights()})
	if err != nil {
		return usagef("%v", err)
	}
	srvCfg := server.Config{Service: a, Review: a.Review, Auth: a.Auth, Peers: a.Peers, Jobs: m.work, OAI: provider, Findings: a.Findings, Thesaurus: a.Thesaurus,
		Logger: m.log, BaseURL: base, TrustedProxies: cfg.TrustedProxies, SecureCookies: cfg.SecureCookies, Pages: pages,
		Limits: server.Limits{Expensive: expensiveRate(cfg.RateLimit)}, CrossOrigin: cop, MetricsToken: cfg.MetricsToken, Metrics: server.NewMetrics(a)}
	if a.Asker != nil {
		srvCfg.Ask = a.Asker
	}
	m.public = server.NewHTTPServer(server.New(srvCfg), m.log)
	m.local = &http.Server{Handler: server.NewAdmin(srvCfg, a, m.work), ReadHeaderTimeout: server.ReadHeaderTimeout}
	return nil
}

// backgroundLoops is the work a server does besides answering: the index's catch-up and
// the store's check at start, mail, digests, harvests and embeddings.
func (m *serveMain) backgroundLoops() []loop {
	a, cfg := m.app, m.cfg
	loops := []loop{{"index catch-up", a.CatchUp}, {"store check", a.CheckAtStart}}
	if cfg.SMTP != nil {
		loops = append(loops, loop{"notifications", func(ctx context.Context) { a.Review.RunSender(ctx, cfg.SMTP, time.Minute) }})
	}
	if cfg.DigestEvery > 0 {
		loops = append(loops, loop{"digests", func(ctx context.Context) {
			a.Review.RunDigests(ctx, cfg.DigestEvery, min(cfg.DigestEvery, time.Minute))
		}})
	}
	if cfg.HarvestTick > 0 {
		loops = append(loops, loop{"harvests", func(ctx context.Context) { a.Peers.Run(ctx, cfg.HarvestTick) }})
	}
	if a.Semantic != nil {
		loops = append(loops, loop{"embeddings", func(ctx context.Context) { a.Semantic.Run(ctx, time.Minute) }})
	}
	return loops
}

// Run starts the servers and the background loops in one group; a server that fails
// ends the group's context, which stops the loops and tells runServe.
func (m *serveMain) Run(ctx context.Context) {
	var gctx context.Context
	m.group, gctx = errgroup.WithContext(ctx)
	m.stopped, m.stop = context.WithCancel(gctx)
	serve := func(srv *http.Server, ln net.Listener) func() error {
		return func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				m.log.Error("server stopped", "err", err)
				return err
			}
			return nil
		}
	}
	m.group.Go(serve(m.public, server.LimitConnsPerClient(m.ln, m.cfg.ConnsPerClient)))
	m.group.Go(serve(m.local, m.adminLn))
	if m.pprof != nil {
		m.log.Info("pprof", "url", "http://"+m.pprof.listener.Addr().String()+"/debug/pprof/")
		m.group.Go(serve(m.pprof.Server, m.pprof.listener))
	}
	for _, l := range m.loops {
		m.group.Go(func() error { restartOnPanic(m.stopped, m.log, l.name, l.run); return nil })
	}
}

// Close stops the servers (in-flight requests and jobs get shutdownGrace to finish), ends
// the background loops and waits for all of them before the app, and with it the store,
// closes: a harvest or a mail may be writing to it.
func (m *serveMain) Close() error {
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	var err error
	if m.group == nil { // never run
		m.closeListeners()
	} else {
		err = errors.Join(m.public.Shutdown(sctx), m.local.Shutdown(sctx))
		if m.pprof != nil {
			m.pprof.Close()
		}
	}
	if m.work.Close(sctx) != nil {
		m.log.Warn("jobs still running at the end of the grace were cancelled; an import keeps the chunks it committed, the index catches up at the next start")
	}
	if m.group != nil {
		m.stop()
		err = errors.Join(err, m.group.Wait())
	}
	return errors.Join(err, m.app.Close())
}

// closeListeners releases what a server that never ran listens on.
func (m *serveMain) closeListeners() {
	for _, ln := range []net.Listener{m.ln, m.adminLn} {
		if ln != nil {
			ln.Close()
		}
	}
	if m.pprof != nil {
		m.pprof.listener.Close()
	}
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

// restartOnPanic runs loop until ctx ends. A panic in it, which would end the process, is
// logged with its stack, and the loop starts again a little later: one harvest or mail
// that panics must not stop the others.
func restartOnPanic(ctx context.Context, log *slog.Logger, name string, loop func(context.Context)) {
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

// newLogger writes to stderr as format says: json, or text.
func newLogger(e env, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// pprofServer serves the Go profiler on a loopback address only: profiles reveal too
// much to be reachable from outside.
func pprofServer(addr string) (*pprofSrv, error) {
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
	return &pprofSrv{Server: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, listener: ln}, nil
}

// pprofSrv is the profiler's server and the address it listens on.
type pprofSrv struct {
	*http.Server
	listener net.Listener
}
