package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/ai/aitest"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/federation/fedtest"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// TestHTTPOAIHarvestsARunningNode has two OAI-PMH clients that nobody here wrote,
// Perl's HTTP::OAI and paperhive's Node.js oai-pmh, harvest a running node that relays
// what it harvested from another, through every verb, with resumption tokens.
func TestHTTPOAIHarvestsARunningNode(t *testing.T) {
	if out, err := exec.Command("perl", "-MHTTP::OAI", "-e1").CombinedOutput(); err != nil {
		t.Fatalf("Perl's HTTP::OAI is required (Debian package libhttp-oai-perl; .ci/run installs it): %v\n%s", err, out)
	}
	if _, err := os.Stat("../../e2e/node_modules/oai-pmh/package.json"); err != nil {
		t.Fatalf("the Node.js oai-pmh client is required (npm ci --prefix e2e; .ci/run runs it): %v", err)
	}
	geo, err := app.LoadGeography()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := practices.ReadCorpus(corpus.FS, ".", geo)
	if err != nil {
		t.Fatal(err)
	}
	// The node relays the practices of another network it harvests.
	origin := fedtest.Start(t, "origin.example.org")
	own := ps[0].Clone()
	own.ID, own.URI, own.Title, own.Version = "origin-case", "", "A case of the origin's own", 0
	if _, err := origin.App.Import(context.Background(), []*practices.Practice{own}, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	data := seeded(t)
	c := startChild(t, data, "--oai-page-size", "7", "--network", "Test network")
	defer c.kill()
	if r := kb(t, "peer", "add", "origin", origin.Endpoint, "--data", data); r.code != 0 {
		t.Fatalf("peer add: %+v", r)
	}
	if r := kb(t, "peer", "sync", "origin", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "1 published") {
		t.Fatalf("peer sync: %+v", r)
	}
	ps = append(ps, own)
	out, err := exec.Command("perl", "testdata/oai-harvest.pl", c.base+"/oai").CombinedOutput()
	if err != nil {
		t.Fatalf("HTTP::OAI failed: %v\n%s", err, out)
	}
	got := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		got[line] = true
	}
	n := strconv.Itoa(len(ps))
	sets := strconv.Itoa(len(practices.Areas) + len(practices.Regions))
	for _, want := range []string{
		"identify\tTest network\t2.0\tYYYY-MM-DDThh:mm:ssZ\tpersistent",
		"format\toai_dc", "format\tkb",
		"sets\t" + sets,
		"identifiers\toai_dc\t" + n + "\t0", "identifiers\tkb\t" + n + "\t0",
		"records\toai_dc\t" + n + "\t" + n, "records\tkb\t" + n + "\t" + n,
		"error\tidDoesNotExist", "error\tcannotDisseminateFormat",
	} {
		if !got[want] {
			t.Errorf("HTTP::OAI did not report %q; it said:\n%s", want, out)
		}
	}
	if !strings.Contains(string(out), "getrecord\tkb\toai:kb.localhost:") {
		t.Errorf("GetRecord: %s", out)
	}
	out, err = exec.Command("node", "../../e2e/oai-harvest.mjs", c.base+"/oai").CombinedOutput()
	if err != nil {
		t.Fatalf("the Node.js oai-pmh client failed: %v\n%s", err, out)
	}
	for _, want := range []string{"identify\tTest network\t2.0", "count\toai_dc\t" + n, "count\tkb\t" + n,
		"record\tkb\toai:kb.localhost:origin-case\tlive\trelayed", "record\toai_dc\toai:kb.localhost:origin-case\tlive\trelayed"} {
		if !strings.Contains(string(out), want+"\n") {
			t.Errorf("oai-pmh did not report %q; it said:\n%s", want, out)
		}
	}
}

// kb peer manages peers directly and through a running server, and says what went wrong.
func TestPeerCommands(t *testing.T) {
	data := seeded(t)
	if r := kb(t, "peer", "add", "metropolis", "http://127.0.0.1:9/oai", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "did not answer Identify") {
		t.Fatalf("adding a peer that does not answer: %+v", r)
	}
	peer := fedtest.Start(t, "metropolis.example.org")
	if r := kb(t, "peer", "add", "metropolis", peer.Endpoint, "--policy", "review", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "peer metropolis added") {
		t.Fatalf("add: %+v", r)
	}
	peer.Stop() // it goes away: harvests fail
	if r := kb(t, "peer", "add", "Bad Name", "ftp://x", "--data", data); r.code == 0 || !strings.Contains(r.stderr, "name:") || !strings.Contains(r.stderr, "url:") {
		t.Fatalf("bad add: %+v", r)
	}
	if r := kb(t, "peer", "add", "local", "http://127.0.0.1:9/oai", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "own practices") {
		t.Fatalf("a peer named local: %+v", r)
	}
	if r := kb(t, "peer", "sync", "metropolis", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "connection refused") {
		t.Fatalf("sync of a dead peer: %+v", r)
	}
	c := startChild(t, data)
	defer c.kill()
	r := kb(t, "peer", "list", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "metropolis") || !strings.Contains(r.stdout, "review") || !strings.Contains(r.stdout, "connection refused") {
		t.Fatalf("list through the server: %+v", r)
	}
	if r := kb(t, "peer", "pause", "metropolis", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "paused") {
		t.Fatalf("pause: %+v", r)
	}
	if r := kb(t, "peer", "duplicates", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "HELD") {
		t.Fatalf("duplicates: %+v", r)
	}
	if r := kb(t, "peer", "same", "x", "y", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "not flagged") {
		t.Fatalf("same on no flag: %+v", r)
	}
	if r := kb(t, "peer", "remove", "metropolis", "--data", data); r.code != 0 {
		t.Fatalf("remove: %+v", r)
	}
	if r := kb(t, "peer", "remove", "metropolis", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "no peer named") {
		t.Fatalf("remove twice: %+v", r)
	}
	if r := kb(t, "peer", "frobnicate", "--data", data); r.code != 2 {
		t.Fatalf("unknown subcommand: %+v", r)
	}
}

// kb peer adds a repository that is not kb with --format oai_dc, and its drafts are
// completed as they are accepted.
func TestPeerCommandsForARepositoryThatIsNotKb(t *testing.T) {
	data := seeded(t)
	repo := fedtest.StartRepository(t)
	if r := kb(t, "peer", "add", "repositorio", repo.Endpoint, "--data", data); r.code != 1 || !strings.Contains(r.stderr, "--format oai_dc") {
		t.Fatalf("adding a repository that is not kb as a kb node: %+v", r)
	}
	if r := kb(t, "peer", "add", "repositorio", repo.Endpoint, "--format", "oai_dc", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "policy review") {
		t.Fatalf("add --format oai_dc: %+v", r)
	}
	if r := kb(t, "peer", "sync", "repositorio", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "0 published") || !strings.Contains(r.stdout, "4 queued for review") {
		t.Fatalf("sync: %+v", r)
	}
	r := kb(t, "peer", "queue", "--data", data)
	ids := map[string]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		for _, title := range []string{"Presupuesto participativo digital en Montevideo", "Neighbourhood energy cooperatives"} {
			if strings.Contains(line, title) {
				ids[title] = strings.Fields(line)[0]
				if !strings.Contains(line, "areas") {
					t.Errorf("the queue does not say what %q lacks: %s", title, line)
				}
			}
		}
	}
	energy := ids["Neighbourhood energy cooperatives"]
	if r.code != 0 || len(ids) != 2 {
		t.Fatalf("queue: %+v", r)
	}
	if r := kb(t, "peer", "accept", energy, "--data", data); r.code != 1 || !strings.Contains(r.stderr, "city:") || !strings.Contains(r.stderr, "country:") || !strings.Contains(r.stderr, "areas:") {
		t.Fatalf("accepting an incomplete draft: %+v", r)
	}
	if r := kb(t, "peer", "accept", energy, "--city", "Paysandú", "--country", "UY", "--areas", "economy,public-services", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "accepted") {
		t.Fatalf("accepting a completed draft: %+v", r)
	}
	if r := kb(t, "show", energy, "--data", data); r.code != 0 || !strings.Contains(r.stdout, "Paysandú") {
		t.Fatalf("the accepted practice: %+v", r)
	}
}

// kb embed backfills the embeddings once, and kb eval adds a hybrid column, with an AI
// endpoint (here one in process); without one, kb embed says what to set.
func TestEmbedAndHybridEval(t *testing.T) {
	if r := kb(t, "embed", "--data", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, "KB_EMBED_MODEL") {
		t.Fatalf("without an endpoint: %+v", r)
	}
	srv := aitest.NewEmbeddings(t)
	vars := map[string]string{"KB_OPENAI_BASE_URL": srv.URL(), "KB_OPENAI_API_KEY": "k", "KB_EMBED_MODEL": "m"}
	withEnv := func(args ...string) result {
		var out, errb bytes.Buffer
		e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
		code := run(context.Background(), e, args)
		return result{out.String(), errb.String(), code}
	}
	data := seeded(t)
	if r := withEnv("embed", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "embedded 39 practices") {
		t.Fatalf("first embed: %+v", r)
	}
	if r := withEnv("embed", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "embedded 0 practices") {
		t.Fatalf("second embed: %+v", r)
	}
	r := withEnv("eval", "search", "../../testdata/search_eval.json")
	if r.code != 0 || !strings.Contains(r.stdout, "hybrid") {
		t.Fatalf("eval: %+v", r)
	}
	t.Logf("\n%s", r.stdout)
}

// A healthy peer that takes 6 s for each of its 3 pages is harvested to the end through
// kb peer sync on a running server: the harvest is a job the command follows, not a
// request the API's 15 s time limit cuts.
func TestASlowPeerIsHarvestedThroughARunningServer(t *testing.T) {
	if testing.Short() {
		t.Skip("18 s of a slow peer")
	}
	t.Parallel() // mostly waiting: the other slow tests of the package run meanwhile
	slow := fedtest.StartWith(t, "slow.example.org", fedtest.Options{PageSize: 15, Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("verb") == "ListRecords" || r.URL.Query().Get("resumptionToken") != "" {
				select {
				case <-time.After(6 * time.Second):
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}})
	own := []*practices.Practice{}
	for i := 0; i < 3; i++ {
		p, err := slow.App.Store.Get(context.Background(), "bilbao-geobilbao")
		if err != nil {
			t.Fatal(err)
		}
		p.ID, p.URI, p.Title, p.Version = fmt.Sprintf("slow-case-%d", i), "", fmt.Sprintf("A slow network's case %d", i), 0
		own = append(own, p)
	}
	if _, err := slow.App.Import(context.Background(), own, store.NewVersion); err != nil {
		t.Fatal(err)
	}
	data := seeded(t)
	c := startChild(t, data, "--harvest-tick", "0")
	defer c.kill()
	if r := kb(t, "peer", "add", "slow", slow.Endpoint, "--data", data); r.code != 0 {
		t.Fatalf("peer add: %+v", r)
	}
	r := kb(t, "peer", "sync", "slow", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "slow: 42 records in 3 pages: 3 published") {
		t.Fatalf("sync of a slow peer: %+v", r)
	}
}
