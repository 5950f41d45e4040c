// Package admin lets kb's commands reach a running server over a Unix socket in the data
// dir, readable by its owner only, speaking the JSON the API speaks.
package admin

// bbolt lets one process hold the store, so while `kb serve` runs, import, export,
// reindex, search, show and the other commands that need the store speak to it through
// this socket.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/assess"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/index"
	"github.com/uclg-digital-cities/kb/internal/jobs"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
	"github.com/uclg-digital-cities/kb/internal/search"
	"github.com/uclg-digital-cities/kb/internal/server"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// SocketFile is the socket's name inside the data dir.
const SocketFile = "kb.sock"

// SocketPath returns where the admin socket of dataDir lives.
func SocketPath(dataDir string) string { return filepath.Join(dataDir, SocketFile) }

// Listen opens the admin socket of dataDir, owner-only, and accepts only the same user
// or root on it (refusals go to log). A socket file left by a server that died is removed
// first: the caller holds the store's lock, so no server is alive.
func Listen(dataDir string, log *slog.Logger) (net.Listener, error) {
	path := SocketPath(dataDir)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	return newPeerListener(l.(*net.UnixListener), log), nil
}

// Client speaks to a running server over its admin socket.
type Client struct {
	http *http.Client
}

// Dial connects to the server running on dataDir.
func Dial(ctx context.Context, dataDir string) (*Client, error) {
	path := SocketPath(dataDir)
	c := &Client{http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			conn, err := d.DialContext(ctx, "unix", path)
			if err == nil {
				if err = checkServer(conn, path); err != nil {
					conn.Close()
					return nil, err
				}
			}
			return conn, err
		},
	}}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := c.do(ctx, http.MethodGet, "/healthz", nil)
	if err != nil {
		return nil, fmt.Errorf("the store in %s is locked by another process, and no kb server answers on %s: %w", dataDir, path, err)
	}
	resp.Body.Close()
	return c, nil
}

// Close releases idle connections.
func (c *Client) Close() error { c.http.CloseIdleConnections(); return nil }

func (c *Client) do(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://kb"+path, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

// decodeError turns the API's error document back into an *apperr.Error.
func decodeError(resp *http.Response) error {
	var body server.ErrorBody
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(data, &body); err != nil || body.Error.Code == "" {
		return apperr.Errorf(apperr.Internal, "server answered %s: %s", resp.Status, strings.TrimSpace(string(data)))
	}
	return &apperr.Error{Code: body.Error.Code, Message: body.Error.Message, Fields: body.Error.Fields}
}

func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	resp, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (c *Client) deleteJSON(ctx context.Context, path string, v any) error {
	resp, err := c.do(ctx, http.MethodDelete, path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// Search runs a search on the server.
func (c *Client) Search(ctx context.Context, req search.Request) (*app.SearchResult, error) {
	q := url.Values{}
	q.Set("q", req.Query)
	if req.Page != 0 {
		q.Set("page", strconv.Itoa(req.Page))
	}
	if req.Limit != 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	if req.Explain {
		q.Set("explain", "1")
	}
	for name, values := range req.Filters {
		for _, v := range values {
			q.Add(name, v)
		}
	}
	var res app.SearchResult
	if err := c.getJSON(ctx, "/api/v1/search?"+q.Encode(), &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Recommend asks the server for recommendations.
func (c *Client) Recommend(ctx context.Context, p recommend.Profile) (*recommend.Result, error) {
	var res recommend.Result
	return &res, c.postJSON(ctx, "/api/v1/recommendations", p, &res)
}

// Assess answers a self-assessment.
func (c *Client) Assess(ctx context.Context, a assess.Answers) (*assess.Result, error) {
	var res assess.Result
	return &res, c.postJSON(ctx, "/api/v1/assessments", a, &res)
}

// SavedAssessment opens a saved self-assessment by its link's token.
func (c *Client) SavedAssessment(ctx context.Context, token string) (*assess.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://kb/api/v1/assessments/saved", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Assessment-Token", token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, decodeError(resp)
	}
	var res assess.Result
	return &res, json.NewDecoder(resp.Body).Decode(&res)
}

// postJSON sends v and decodes the answer into out.
func (c *Client) postJSON(ctx context.Context, path string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.postJSONBody(ctx, path, bytes.NewReader(body), out)
}

// postJSONBody sends body and decodes the answer into out.
func (c *Client) postJSONBody(ctx context.Context, path string, body io.Reader, out any) error {
	resp, err := c.do(ctx, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// AddUser creates or updates an account.
func (c *Client) AddUser(email, role, password string) (auth.UserInfo, error) {
	var u auth.UserInfo
	err := c.postJSON(context.Background(), "/api/v1/users", map[string]string{"email": email, "role": role, "password": password}, &u)
	return u, err
}

// Users lists the accounts.
func (c *Client) Users() ([]auth.UserInfo, error) {
	var out struct{ Users []auth.UserInfo }
	err := c.getJSON(context.Background(), "/api/v1/users", &out)
	return out.Users, err
}

// SetDisabled disables an account or enables it again.
func (c *Client) SetDisabled(email string, disabled bool) (auth.UserInfo, error) {
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	var u auth.UserInfo
	err := c.postJSON(context.Background(), "/api/v1/users/"+url.PathEscape(email)+"/"+verb, struct{}{}, &u)
	return u, err
}

// RemoveUser deletes an account.
func (c *Client) RemoveUser(email string) error {
	resp, err := c.do(context.Background(), http.MethodDelete, "/api/v1/users/"+url.PathEscape(email), nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// CreateToken makes an API token.
func (c *Client) CreateToken(email, name string) (string, auth.TokenInfo, error) {
	var out struct {
		Token string
		Info  auth.TokenInfo
	}
	err := c.postJSON(context.Background(), "/api/v1/tokens", map[string]string{"email": email, "name": name}, &out)
	return out.Token, out.Info, err
}

// Tokens lists the API tokens.
func (c *Client) Tokens() ([]auth.TokenInfo, error) {
	var out struct{ Tokens []auth.TokenInfo }
	err := c.getJSON(context.Background(), "/api/v1/tokens", &out)
	return out.Tokens, err
}

// RevokeToken disables an API token.
func (c *Client) RevokeToken(id string) error {
	return c.postJSON(context.Background(), "/api/v1/tokens/"+url.PathEscape(id)+"/revoke", struct{}{}, nil)
}

// Audit reads the audit log.
func (c *Client) Audit(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	v := url.Values{"limit": {strconv.Itoa(q.Limit)}}
	if q.Before > 0 {
		v.Set("before", strconv.FormatUint(q.Before, 10))
	}
	if q.Target != "" {
		v.Set("target", q.Target)
	}
	var out struct{ Entries []audit.Entry }
	err := c.getJSON(ctx, "/api/v1/audit?"+v.Encode(), &out)
	return out.Entries, err
}

// Get returns one practice.
func (c *Client) Get(ctx context.Context, id string) (*practices.Practice, error) {
	var p practices.Practice
	if err := c.getJSON(ctx, "/api/v1/practices/"+url.PathEscape(id), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ImportWithProgress sends practices as JSON Lines; the server imports them as a job,
// which this follows until it ends, relaying its progress.
func (c *Client) ImportWithProgress(ctx context.Context, ps []*practices.Practice, mode store.PutMode, progress index.Progress) (app.ImportReport, error) {
	var report app.ImportReport
	var buf bytes.Buffer
	e, err := practices.NewExporter(&buf, practices.FormatJSONL)
	if err != nil {
		return report, err
	}
	for _, p := range ps {
		if err := e.Write(p); err != nil {
			return report, err
		}
	}
	wire := server.ModeNew
	if mode == store.KeepVersion {
		wire = server.ModeKeep
	}
	return report, c.runJob(ctx, "/admin/v1/import?mode="+wire, &buf, progress, &report, adminJobs)
}

// Export streams the export from the server into w.
func (c *Client) Export(ctx context.Context, w io.Writer, format string) error {
	resp, err := c.do(ctx, http.MethodGet, "/admin/v1/export?format="+url.QueryEscape(format), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return copyStream(w, resp)
}

// Backup streams a consistent snapshot of the server's store into w.
func (c *Client) Backup(ctx context.Context, w io.Writer) error {
	resp, err := c.do(ctx, http.MethodGet, "/admin/v1/backup", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return copyStream(w, resp)
}

// Reindex asks the server to rebuild its index, as a job, and follows it until it ends,
// relaying its progress.
func (c *Client) Reindex(ctx context.Context, progress index.Progress) (app.ReindexReport, error) {
	var report app.ReindexReport
	return report, c.runJob(ctx, "/admin/v1/reindex", nil, progress, &report, adminJobs)
}

// Where jobs are followed: the admin socket's own (import, reindex) and the API's
// (harvests, which the API starts too).
const (
	adminJobs = "/admin/v1/jobs/"
	apiJobs   = "/api/v1/jobs/"
)

// jobPoll is how often a job is asked how it is going.
const jobPoll = 200 * time.Millisecond

// runJob starts a job with a POST to path and polls it until it ends: its result goes
// into out, its error is returned as the server's error. When ctx ends first, the job
// goes on in the server, and the error says so.
func (c *Client) runJob(ctx context.Context, path string, body io.Reader, progress index.Progress, out any, jobsAt string) error {
	var job server.JobBody
	if err := c.postJSONBody(ctx, path, body, &job); err != nil {
		return err
	}
	t := time.NewTicker(jobPoll)
	defer t.Stop()
	for job.State == jobs.Running {
		if progress != nil && job.Total > 0 {
			progress(job.Done, job.Total)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped following the %s; it goes on in the server (job %s): %w", job.Kind, job.ID, ctx.Err())
		case <-t.C:
		}
		if err := c.getJSON(ctx, jobsAt+url.PathEscape(job.ID), &job); err != nil {
			return fmt.Errorf("following the %s (job %s): %w", job.Kind, job.ID, err)
		}
	}
	if progress != nil && job.Total > 0 {
		progress(job.Done, job.Total)
	}
	if len(job.Result) > 0 {
		if err := json.Unmarshal(job.Result, out); err != nil {
			return fmt.Errorf("the %s's result: %w", job.Kind, err)
		}
	}
	if job.State == jobs.Failed {
		if job.Error == nil {
			return apperr.Errorf(apperr.Internal, "the %s failed (job %s)", job.Kind, job.ID)
		}
		return &apperr.Error{Code: job.Error.Code, Message: job.Error.Message, Fields: job.Error.Fields}
	}
	return nil
}
