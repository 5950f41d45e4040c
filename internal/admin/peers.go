package admin

import (
	"context"
	"net/url"
	"strconv"

	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Add registers a peer on the server.
func (c *Client) Add(ctx context.Context, n federation.NewPeer) (*federation.Peer, error) {
	var p federation.Peer
	return &p, c.postJSON(ctx, "/api/v1/peers", n, &p)
}

// Peers lists the server's peers with their harvest status.
func (c *Client) Peers() ([]federation.Peer, error) {
	var out struct{ Peers []federation.Peer }
	err := c.getJSON(context.Background(), "/api/v1/peers", &out)
	return out.Peers, err
}

// Remove forgets a peer and, when confirm is their number, the practices only it served.
func (c *Client) Remove(ctx context.Context, name string, confirm int) (federation.Removal, error) {
	var r federation.Removal
	err := c.deleteJSON(ctx, "/api/v1/peers/"+url.PathEscape(name)+"?confirm="+strconv.Itoa(confirm), &r)
	return r, err
}

// SyncWithProgress has the server harvest a peer now, as a job it follows until it ends,
// however long the peer takes.
func (c *Client) SyncWithProgress(ctx context.Context, name string, progress func(done, total int)) (federation.Report, error) {
	var rep federation.Report
	err := c.runJob(ctx, "/api/v1/peers/"+url.PathEscape(name)+"/sync", nil, progress, &rep, apiJobs)
	return rep, err
}

// Peer returns one of the server's peers with its status.
func (c *Client) Peer(name string) (*federation.Peer, error) {
	var out struct {
		Peer federation.Peer `json:"peer"`
	}
	err := c.getJSON(context.Background(), "/api/v1/peers/"+url.PathEscape(name), &out)
	return &out.Peer, err
}

// Progress says how far a running harvest of the server's has come.
func (c *Client) Progress(name string) (federation.Report, bool) {
	var out struct {
		Harvest *federation.Report `json:"harvest"`
	}
	if err := c.getJSON(context.Background(), "/api/v1/peers/"+url.PathEscape(name), &out); err != nil || out.Harvest == nil {
		return federation.Report{}, false
	}
	return *out.Harvest, true
}

// Queued lists the harvested practices waiting for review.
func (c *Client) Queued() ([]practices.Practice, error) {
	var out struct{ Practices []practices.Practice }
	err := c.getJSON(context.Background(), "/api/v1/peer-queue", &out)
	return out.Practices, err
}

// Decide accepts or rejects a queued harvested practice; the server acts as the local
// admin, whatever actor says.
func (c *Client) Decide(ctx context.Context, _, id string, accept bool) (*practices.Practice, error) {
	action := "reject"
	if accept {
		action = "accept"
	}
	var p practices.Practice
	return &p, c.postJSON(ctx, "/api/v1/peer-queue/"+url.PathEscape(id)+"/"+action, struct{}{}, &p)
}

// Pause stops or resumes a peer's background harvests.
func (c *Client) Pause(name string, paused bool) (*federation.Peer, error) {
	var p federation.Peer
	return &p, c.postJSON(context.Background(), "/api/v1/peers/"+url.PathEscape(name)+"/pause", map[string]bool{"paused": paused}, &p)
}

// Duplicates lists the probable duplicates in a state (empty: all).
func (c *Client) Duplicates(state string) ([]federation.Duplicate, error) {
	var out struct{ Duplicates []federation.Duplicate }
	err := c.getJSON(context.Background(), "/api/v1/peer-duplicates?state="+url.QueryEscape(state), &out)
	return out.Duplicates, err
}

// DecideDuplicate confirms or dismisses a probable duplicate; the server acts as the
// local admin, whatever actor says.
func (c *Client) DecideDuplicate(ctx context.Context, _, id, heldID string, confirm bool) (*federation.Duplicate, error) {
	decision := "dismiss"
	if confirm {
		decision = "confirm"
	}
	var d federation.Duplicate
	return &d, c.postJSON(ctx, "/api/v1/peer-duplicates/"+url.PathEscape(id)+"/"+url.PathEscape(heldID)+"/"+decision, struct{}{}, &d)
}

// Accept publishes a queued harvested practice, completing a draft from a repository
// that is not kb with done.
func (c *Client) Accept(ctx context.Context, _, id string, done federation.Completion) (*practices.Practice, error) {
	var p practices.Practice
	return &p, c.postJSON(ctx, "/api/v1/peer-queue/"+url.PathEscape(id)+"/accept", done, &p)
}
