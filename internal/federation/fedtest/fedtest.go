// Package fedtest starts a kb node on loopback for tests that need a peer to harvest:
// seeded with the study, with its own namespace and signing key.
package fedtest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/app/apptest"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/server"
)

// Peer is a running node; Endpoint is its OAI-PMH base URL.
type Peer struct {
	App      *app.App
	Endpoint string
	srv      *httptest.Server
}

// Stop makes the node unreachable, as a peer that went away.
func (p *Peer) Stop() { p.srv.Close() }

// Start runs a node under namespace on loopback until the test ends.
func Start(t testing.TB, namespace string) *Peer { return StartWith(t, namespace, Options{}) }

// Options shape a node's endpoint: PageSize records per OAI-PMH answer (default 100),
// and Wrap, when set, stands between the endpoint and its clients (to make it slow, say).
type Options struct {
	PageSize int
	Wrap     func(http.Handler) http.Handler
}

// StartWith runs a node under namespace on loopback until the test ends.
func StartWith(t testing.TB, namespace string, opts Options) *Peer {
	t.Helper()
	a := apptest.Open(t, app.Config{BcryptCost: bcrypt.MinCost, Namespace: namespace})
	srv := httptest.NewUnstartedServer(nil)
	provider, err := a.Provider(oai.Config{RepositoryName: "Peer " + namespace, BaseURL: "http://" + srv.Listener.Addr().String(), AdminEmail: "admin@" + namespace, PageSize: opts.PageSize})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = server.New(server.Config{Service: a, OAI: provider, Limits: server.Limits{Expensive: server.NoLimit}})
	if opts.Wrap != nil {
		h = opts.Wrap(h)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &Peer{App: a, Endpoint: srv.URL + "/oai", srv: srv}
}
