// Package app is the knowledge base as one service: the store (the truth), the index that
// follows it and the services over them, behind the methods every way in calls.
package app

// Every way in (HTTP API, admin socket, CLI) calls these methods, so each operation has
// one code path.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/assess"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/review"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/signing"
	"github.com/uclg-digital-cities/kb/internal/store"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// IndexDir is the name of the index folder inside a data dir.
const IndexDir = "index.bleve"

// StagingDir is the folder inside a data dir where harvests stage the pages they receive.
const StagingDir = "harvest-staging"

// Config says where the data lives and how to open it.
type Config struct {
	DataDir string
	// LockTimeout bounds the wait for the store's file lock; past it Open returns
	// store.ErrLocked, and callers reach the running server instead.
	LockTimeout time.Duration
	Logger      *slog.Logger
	// Progress, when set, is told of progress while the index is rebuilt at open.
	Progress index.Progress
	// NoSeed leaves a new store empty instead of loading the embedded corpus into it
	// (for an import that chooses the store's content itself).
	NoSeed bool
	// BcryptCost overrides the password hashing cost (tests lower it).
	BcryptCost int
	// Login overrides the limits of failed logins (tests shorten them).
	Login auth.LoginPolicy
	// Harvester bounds the harvests of peers; nil takes the defaults.
	Harvester *oai.Client
	// NoAnswerCache turns off the cache of recent search answers.
	NoAnswerCache bool
	// Namespace is this node's OAI namespace, recorded at its first use (empty: the one
	// recorded, or kb.localhost); StudyAuthority the namespace of the node that publishes
	// the study's cases (empty: nobody).
	Namespace, StudyAuthority string
	// HarvestStaging bounds the disk one harvest may stage (0: the default, 256 MiB).
	HarvestStaging int64
	// HarvestIndexAsItGoes: see federation.Config.IndexAsItGoes (0: the default).
	HarvestIndexAsItGoes int
	// CatchUpInBackground opens without waiting for the index to replay the changes it
	// missed (after a crash, say): the caller runs CatchUp (kb serve, in its group of
	// background work), and Caught says when it is done.
	CatchUpInBackground bool
	// Network names the knowledge base in the mails to contributors; BaseURL, the public
	// root of the site, makes their links.
	Network, BaseURL string
	// AI, when set (an endpoint is configured), adds the assistant (Asker, suggestions on
	// submissions) and, with an embedding model, hybrid search (Semantic).
	AI *ai.Config
}

// App is an open knowledge base.
type App struct {
	Store     *store.Store
	Index     *index.Index
	Geo       *practices.Geography
	Thesaurus *thesaurus.Thesaurus
	Auth      *auth.Service
	Review    *review.Service
	Peers     *federation.Service
	// Assessments answers cities' self-assessments against the study's cities.
	Assessments *assess.Service
	// Semantic, when set, makes search hybrid: lexical and semantic rankings fused.
	Semantic *ai.Semantic
	// Asker, when set, answers questions from the practices.
	Asker *ai.Asker
	// Findings is the study's figures (corpus/findings.yaml).
	Findings *findings.Findings
	// Key signs what this node publishes; Namespace and StudyAuthority as configured.
	Key                       *signing.Key
	Namespace, StudyAuthority string
	recommend                 *recommend.Recommender
	log                       *slog.Logger
	progress                  index.Progress
	dataDir, indexDir         string
}

// DataDir is the folder the knowledge base lives in.
func (a *App) DataDir() string { return a.dataDir }

// indexFollower lets the workflow bring the index up to the store after its writes.
type indexFollower struct{ a *App }

// Sync catches up as an import does: a large backlog (a big harvest) is rebuilt in bulk,
// which is faster than applying it change by change.
func (f indexFollower) Sync(ctx context.Context) error {
	_, _, err := f.a.Index.CatchUp(ctx, f.a.Store, nil)
	return err
}

func (f indexFollower) Follow(ctx context.Context) (federation.Follower, error) {
	return f.a.Index.Follow(ctx, f.a.Store, nil)
}

func (f indexFollower) Similar(ctx context.Context, p *practices.Practice, limit int) ([]search.Hit, error) {
	return f.a.Index.Similar(ctx, p, limit)
}

// LoadThesaurus reads the embedded concept thesaurus.
func LoadThesaurus() (*thesaurus.Thesaurus, error) {
	data, err := corpus.FS.ReadFile(corpus.ThesaurusFile)
	if err != nil {
		return nil, fmt.Errorf("load thesaurus: %w", err)
	}
	return thesaurus.Parse(data)
}

// LoadGeography reads the embedded city and country table.
func LoadGeography() (*practices.Geography, error) {
	data, err := corpus.FS.ReadFile(corpus.GeographyFile)
	if err != nil {
		return nil, fmt.Errorf("load geography: %w", err)
	}
	return practices.ParseGeography(data)
}

// FindingsVocab is the practices' vocabularies a findings file may refer to.
func FindingsVocab() findings.Vocab {
	return findings.Vocab{
		Areas:     practices.Areas.IDs(),
		Crises:    practices.Crises.IDs(),
		Groups:    practices.TargetGroups.IDs(),
		Resources: practices.Resources.IDs(),
	}
}

// LoadFindings reads the embedded findings of the study.
func LoadFindings() (*findings.Findings, error) {
	data, err := corpus.FS.ReadFile(corpus.FindingsFile)
	if err != nil {
		return nil, fmt.Errorf("load findings: %w", err)
	}
	f, err := findings.Parse(corpus.FindingsFile, data, FindingsVocab())
	if err != nil {
		return nil, fmt.Errorf("load findings: %w", err)
	}
	return f, nil
}

// Open opens the store and the index in cfg.DataDir, brings the index in line with the
// store, and loads the embedded corpus into a store that has never had it.
func Open(ctx context.Context, cfg Config) (*App, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	geo, err := LoadGeography()
	if err != nil {
		return nil, err
	}
	thes, err := LoadThesaurus()
	if err != nil {
		return nil, err
	}
	figures, err := LoadFindings()
	if err != nil {
		return nil, err
	}
	// The index counts as a sign of a used data dir: with it and no store, kb refuses.
	if err := store.CheckDataDir(cfg.DataDir, IndexDir); err != nil {
		return nil, err
	}
	st, err := store.Open(cfg.DataDir, store.Options{LockTimeout: cfg.LockTimeout})
	if err != nil {
		return nil, err
	}
	logOpenChecks(log, st)
	a := &App{Store: st, Geo: geo, Thesaurus: thes, Findings: figures, log: log, progress: cfg.Progress, dataDir: cfg.DataDir, indexDir: filepath.Join(cfg.DataDir, IndexDir)}
	ix, report, err := index.Open(ctx, filepath.Join(cfg.DataDir, IndexDir), st, index.Options{Geo: geo, Thesaurus: thes, Progress: cfg.Progress, NoAnswerCache: cfg.NoAnswerCache, LeaveBehind: cfg.CatchUpInBackground})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open index: %w", err)
	}
	a.Index = ix
	a.recommend = recommend.New(ix, st, geo)
	if a.Auth, err = auth.New(st, auth.Options{BcryptCost: cfg.BcryptCost, Login: cfg.Login}); err != nil {
		a.Close()
		return nil, err
	}

	if a.Key, err = signing.LoadKey(st); err != nil {
		a.Close()
		return nil, err
	}
	if a.Namespace, err = signing.Namespace(st, cfg.Namespace); err != nil {
		a.Close()
		return nil, err
	}
	a.StudyAuthority = cfg.StudyAuthority
	st.SetNamespace(a.Namespace)
	if a.Review, err = review.New(st, indexFollower{a}, geo, review.Authority{Namespace: a.Namespace, StudyAuthority: a.StudyAuthority}, log); err != nil {
		a.Close()
		return nil, err
	}
	a.Review.Network, a.Review.BaseURL = cfg.Network, cfg.BaseURL
	a.Auth.Mail = a.Review     // a lockout is told to the account's owner with the other mail
	a.Review.Accounts = a.Auth // the coordinators a digest of new cases goes to
	if cfg.AI != nil {
		if err := a.openAI(*cfg.AI); err != nil {
			a.Close()
			return nil, err
		}
	}
	if a.Peers, err = federation.New(federation.Config{Namespace: a.Namespace, StudyAuthority: a.StudyAuthority,
		StagingDir: filepath.Join(cfg.DataDir, StagingDir), MaxStaged: cfg.HarvestStaging, IndexAsItGoes: cfg.HarvestIndexAsItGoes}, st, indexFollower{a}, geo, cfg.Harvester, log); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openAssessments(); err != nil {
		a.Close()
		return nil, fmt.Errorf("self-assessments: %w", err)
	}
	if err := a.adoptStudyIdentities(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.adoptStudyTranslations(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if report.Rebuilt {
		log.Info("index rebuilt from the store", "reason", report.Reason)
	} else if report.Replayed > 0 {
		log.Info("index caught up with the store", "changes", report.Replayed)
	}
	if !cfg.NoSeed {
		if err := a.seed(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

// openAI builds the assistance of an AI endpoint: its client counts the tokens it spends
// in the store, so that a restart does not reset the day's budget.
func (a *App) openAI(cfg ai.Config) error {
	usage, err := ai.NewStoreUsage(a.Store)
	if err != nil {
		return err
	}
	cfg.Usage = usage
	client := ai.New(cfg)
	a.Asker = ai.NewAsker(a, client)
	a.Review.Assistant = ai.NewAssistant(client)
	if cfg.EmbedModel != "" {
		if a.Semantic, err = ai.NewSemantic(a.Store, client, a.log); err != nil {
			return err
		}
	}
	return nil
}

// CatchUp brings the index up to the store, for an app opened with CatchUpInBackground;
// it logs what it did, as nobody waits for its answer.
func (a *App) CatchUp(ctx context.Context) {
	start := time.Now()
	n, rebuilt, err := a.Index.CatchUp(ctx, a.Store, nil)
	switch {
	case err != nil:
		a.log.Error("the index did not catch up with the store; it will at the next write", "err", err)
	case n > 0 || rebuilt:
		a.log.Info("index caught up with the store", "changes", n, "rebuilt", rebuilt, "took", time.Since(start).Round(time.Millisecond))
	}
}

// adoptStudyIdentities gives a store made before identities the study's identities,
// folding the copies its harvests made of the study's cases.
func (a *App) adoptStudyIdentities(ctx context.Context) error {
	study, err := practices.ReadCorpus(corpus.FS, ".", a.Geo)
	if err != nil {
		return fmt.Errorf("embedded corpus: %w", err)
	}
	adopted, folds, err := a.Store.AdoptStudyIdentities(study, func(tx *store.Tx, f store.CopyFold) error {
		return audit.Append(tx, audit.Record("migration", "practice.fold", "practice:"+f.Copy.ID, f.Copy, nil, "a copy of the study's case "+f.Into+", folded into it"))
	})
	if err != nil {
		return fmt.Errorf("adopt the study's identities: %w", err)
	}
	if adopted > 0 || len(folds) > 0 {
		a.log.Info("the study's cases took their shared identities", "adopted", adopted, "copies_folded", len(folds))
		a.syncIndex(ctx, a.progress)
	}
	return nil
}

// adoptStudyTranslations gives the study cases of a store seeded before the corpus had
// translations those it lacks, once, each as a new version in the audit log.
func (a *App) adoptStudyTranslations(ctx context.Context) error {
	study, err := practices.ReadCorpus(corpus.FS, ".", a.Geo)
	if err != nil {
		return fmt.Errorf("embedded corpus: %w", err)
	}
	added, err := a.Store.AdoptStudyTranslations(study, func(tx *store.Tx, t store.TranslationsAdded) error {
		return audit.Append(tx, audit.Record("migration", "practice.translations", "practice:"+t.After.ID, t.Before, t.After,
			"the corpus's translations by the knowledge base's team ("+strings.Join(t.Languages, ", ")+"), not yet checked by the network"))
	})
	if err != nil {
		return fmt.Errorf("add the corpus's translations: %w", err)
	}
	if len(added) > 0 {
		a.log.Info("the study's cases took the corpus's translations", "practices", len(added))
		a.syncIndex(ctx, a.progress)
	}
	return nil
}

// seed loads the embedded corpus into a store that has never been given content.
func (a *App) seed(ctx context.Context) error {
	seeded, err := a.Store.Seeded()
	if err != nil || seeded {
		return err
	}
	if n, err := a.Store.Count(); err != nil || n > 0 {
		return err
	}
	ps, err := practices.ReadCorpus(corpus.FS, ".", a.Geo)
	if err != nil {
		return fmt.Errorf("embedded corpus: %w", err)
	}
	report, err := a.Import(ctx, ps, store.NewVersion)
	if err != nil {
		return fmt.Errorf("load embedded corpus: %w", err)
	}
	a.log.Info("loaded the embedded corpus", "practices", report.Added)
	return nil
}

// Close closes the index and the store; whatever runs in the background on them must
// have ended.
func (a *App) Close() error {
	return errors.Join(a.Index.Close(), a.Store.Close())
}

// ImportReport counts what an import did. IndexError, when set, says why the index did
// not follow the writes (they are durable; the index catches up at the next write or
// start, or with a reindex).
type ImportReport struct {
	Added      int    `json:"added"`
	Updated    int    `json:"updated"`
	Unchanged  int    `json:"unchanged"`
	IndexError string `json:"index_error,omitempty"`
}

// Import validates every practice and writes them, or none when any is invalid; the
// error then names each bad practice and field. The index follows.
func (a *App) Import(ctx context.Context, ps []*practices.Practice, mode store.PutMode) (ImportReport, error) {
	return a.ImportWithProgress(ctx, ps, mode, a.progress)
}

// ImportWithProgress is Import telling progress how far it is on one scale of twice the
// practices: the writes fill the first half, the index following them the second.
func (a *App) ImportWithProgress(ctx context.Context, ps []*practices.Practice, mode store.PutMode, progress index.Progress) (ImportReport, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	n := len(ps)
	progress(0, 2*n)
	var report ImportReport
	fields := map[string]string{}
	for i, p := range ps {
		p.Normalize()
		a.Geo.Enrich(p)
		if err := p.Validate(a.Geo); err != nil {
			label := p.ID
			if label == "" {
				label = fmt.Sprintf("record %d", i+1)
			}
			fields[label] = apperr.As(err).FieldList()
		}
	}
	if len(fields) > 0 {
		return report, apperr.InvalidFields(fmt.Sprintf("%d of %d practices are not valid; nothing was imported", len(fields), len(ps)), fields)
	}
	existed := map[string]bool{}
	for _, p := range ps {
		if _, err := a.Store.Get(ctx, p.ID); err == nil {
			existed[p.ID] = true
		}
	}
	// Everything is validated before the first write. The writes go in chunks, so a
	// large import never holds one huge transaction; each chunk is all or nothing.
	for start := 0; start < len(ps); start += importChunk {
		chunk := ps[start:min(start+importChunk, len(ps))]
		results, err := a.Store.PutMany(ctx, chunk, mode)
		if err != nil {
			return report, importFailed(err, start, len(ps))
		}
		for _, r := range results {
			switch {
			case !r.Changed:
				report.Unchanged++
			case existed[r.ID]:
				report.Updated++
			default:
				report.Added++
			}
		}
		progress(start+len(chunk), 2*n)
	}
	if err := a.Store.MarkSeeded(); err != nil {
		return report, apperr.Wrap(err, "import: mark the store initialised")
	}
	err := a.syncIndex(ctx, func(done, total int) {
		if total > 0 {
			progress(n+done*n/total, 2*n)
		}
	})
	if err != nil {
		report.IndexError = err.Error()
	}
	progress(2*n, 2*n)
	return report, nil
}

// importFailed says how far an import got. A refusal of the store (a conflict, say) is
// the caller's to fix and keeps its code; anything else is internal.
func importFailed(err error, done, total int) error {
	msg := fmt.Sprintf("import failed after %d of %d practices", done, total)
	if e := apperr.As(err); e.Code != apperr.Internal {
		return &apperr.Error{Code: e.Code, Message: msg + ": " + e.Message, Fields: e.Fields, Err: err}
	}
	return apperr.Wrap(err, msg)
}

// importChunk is how many practices one import transaction writes.
const importChunk = 2000

// syncIndex brings the index up to the store after a write. The write is
// already durable; a failure here is logged, returned, and repaired by the next sync or
// start.
func (a *App) syncIndex(ctx context.Context, progress index.Progress) error {
	_, _, err := a.Index.CatchUp(ctx, a.Store, progress)
	if err != nil {
		a.log.Error("index sync failed; it will catch up at the next write or start", "err", err)
	}
	return err
}

// Practice returns one practice as documents outside the node show it: with its
// identity, also when this node is its origin (the store keeps none for its own).
func (a *App) Practice(ctx context.Context, id string) (*practices.Practice, error) {
	p, err := a.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return a.withIdentity(p), nil
}

func (a *App) withIdentity(p *practices.Practice) *practices.Practice {
	if p.URI != "" {
		return p
	}
	q := p.Clone()
	q.URI = p.Identity(a.Namespace)
	return q
}

// Get returns one practice.
func (a *App) Get(ctx context.Context, id string) (*practices.Practice, error) {
	return a.Store.Get(ctx, id)
}

// Export writes every practice, in id order, from one consistent read of the store.
func (a *App) Export(ctx context.Context, w io.Writer, format string) error {
	e, err := practices.NewExporter(w, format)
	if err != nil {
		return apperr.InvalidFields("unknown export format", map[string]string{"format": err.Error()})
	}
	// Every record carries its identity; imported back here, the store keeps none for
	// its own practices again, so an export of an import is the same bytes.
	write := func(p *practices.Practice) error { return e.Write(a.withIdentity(p)) }
	if err := a.Store.Each(ctx, write); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return e.Close()
}

// ReindexReport says what a rebuild of the index made.
type ReindexReport struct {
	Practices int `json:"practices"` // the practices the store holds, each read into the index
	Indexed   int `json:"indexed"`   // the documents of the index (archived practices have none)
}

// Reindex rebuilds the index from the store.
func (a *App) Reindex(ctx context.Context, progress index.Progress) (ReindexReport, error) {
	var report ReindexReport
	err := a.Index.Rebuild(ctx, a.Store, func(done, total int) {
		report.Practices = total
		if progress != nil {
			progress(done, total)
		}
	})
	if err != nil {
		return report, err
	}
	if _, err := a.Index.Sync(ctx, a.Store); err != nil {
		return report, err
	}
	n, err := a.Index.DocCount()
	report.Indexed = int(n)
	return report, err
}

// Ready reports whether the store and the index answer.
func (a *App) Ready(ctx context.Context) error {
	if _, err := a.Store.Count(); err != nil {
		return apperr.Errorf(apperr.Unavailable, "the store is not available")
	}
	if _, err := a.Index.DocCount(); err != nil {
		return apperr.Errorf(apperr.Unavailable, "the search index is not available")
	}
	return nil
}

// Recommend answers a city profile with the practices most worth transferring.
func (a *App) Recommend(ctx context.Context, p recommend.Profile) (*recommend.Result, error) {
	return a.recommend.Recommend(ctx, p)
}

// Versions lists the versions of a practice.
func (a *App) Versions(ctx context.Context, id string) ([]store.VersionInfo, error) {
	return a.Store.Versions(ctx, id)
}

// Version returns a practice as it was at one version.
func (a *App) Version(ctx context.Context, id string, v int) (*practices.Practice, error) {
	return a.Store.Version(ctx, id, v)
}

// Redirect returns where a merged practice now lives: merged here, or merged at its
// authority (its deletion named the identity it was merged into).
func (a *App) Redirect(id string) (string, bool) {
	if to, ok := a.Store.Redirect(id); ok {
		return to, true
	}
	p, err := a.Store.Get(context.Background(), id)
	if err != nil || !p.Archived || p.ReplacedBy == "" {
		return "", false
	}
	if to, ok := a.Store.IDOfURI(p.ReplacedBy); ok {
		return to, true
	}
	if ns, to, ok := practices.SplitURI(p.ReplacedBy); ok && ns == a.Namespace {
		return to, true
	}
	return "", false
}

// Audit reads the audit log, newest first.
func (a *App) Audit(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	return audit.List(a.Store, q)
}

// CLIActor names the command line in the audit log.
const CLIActor = "cli"

// AddUser creates or updates a coordinator or admin account.
func (a *App) AddUser(email, role, password string) (auth.UserInfo, error) {
	return a.Auth.AddUser(email, role, password, CLIActor)
}

// Users lists the accounts.
func (a *App) Users() ([]auth.UserInfo, error) { return a.Auth.Users() }

// SetDisabled disables an account or enables it again.
func (a *App) SetDisabled(email string, disabled bool) (auth.UserInfo, error) {
	return a.Auth.SetDisabled(email, disabled, CLIActor)
}

// RemoveUser deletes an account, ending its sessions and revoking its tokens.
func (a *App) RemoveUser(email string) error { return a.Auth.RemoveUser(email, CLIActor) }

// CreateToken makes an API token for a user; the token is shown once.
func (a *App) CreateToken(email, name string) (string, auth.TokenInfo, error) {
	return a.Auth.CreateToken(email, name, CLIActor)
}

// Tokens lists the API tokens.
func (a *App) Tokens() ([]auth.TokenInfo, error) { return a.Auth.Tokens() }

// RevokeToken disables an API token.
func (a *App) RevokeToken(id string) error { return a.Auth.RevokeToken(id, CLIActor) }

// Featured lists the featured practices' ids, most recently featured first.
func (a *App) Featured() ([]string, error) { return a.Store.Featured() }

// Backup writes a consistent snapshot of the store.
func (a *App) Backup(ctx context.Context, w io.Writer) error {
	_, err := a.Store.WriteTo(w)
	return err
}

// Provider builds the OAI-PMH provider of this knowledge base; cfg gives the repository's
// name, URL and contact, the rest comes from the app.
func (a *App) Provider(cfg oai.Config) (*oai.Provider, error) {
	cfg.Source, cfg.Geo, cfg.Logger, cfg.Key, cfg.StudyAuthority = a.Store, a.Geo, a.log, a.Key, a.StudyAuthority
	if cfg.Namespace == "" {
		cfg.Namespace = a.Namespace
	}
	if cfg.Namespace != a.Namespace {
		return nil, fmt.Errorf("the provider's namespace %s is not this node's (%s)", cfg.Namespace, a.Namespace)
	}
	cfg.Concepts = func(p *practices.Practice) []string {
		return a.Index.ConceptsOf(p.Language(), p.Title+"\n"+p.Summary+"\n"+p.Body)
	}
	return oai.NewProvider(cfg)
}

// Provenance is what a page says of a practice's identity and authority.
type Provenance struct {
	// Identity is the practice's global identity; Owned is set when this node is its
	// authority; Canonical is the address of its page at its origin, for one held from
	// elsewhere (empty for the study's cases, which have no origin node).
	Identity  string
	Owned     bool
	Canonical string
	// SameCase lists the practices held here confirmed to be the same case, published by
	// other networks: the page names each with its source.
	SameCase []SameCase
}

// SameCase is another network's publication of the same case.
type SameCase struct {
	ID, Title, Network string
}

// ProvenanceOf tells who publishes a practice and where its page of origin is.
func (a *App) ProvenanceOf(p *practices.Practice) Provenance {
	pv := Provenance{Identity: p.Identity(a.Namespace), Owned: p.AuthorityNamespace(a.Namespace, a.StudyAuthority) == a.Namespace}
	for _, id := range a.Store.SameCase(p) {
		if q, err := a.Store.Get(context.Background(), id); err == nil {
			network := schema.Network(q)
			pv.SameCase = append(pv.SameCase, SameCase{ID: q.ID, Title: q.Title, Network: network})
		}
	}
	if o := p.Origin; o != nil && !pv.Owned {
		base := o.Repository
		if len(o.Hops) > 0 {
			base = o.Hops[len(o.Hops)-1].BaseURL
		}
		if _, id, ok := practices.SplitURI(p.URI); ok && strings.HasSuffix(base, "/oai") {
			pv.Canonical = strings.TrimSuffix(base, "/oai") + "/practices/" + id
		}
	}
	return pv
}
