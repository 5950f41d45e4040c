package oai

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Client harvests an OAI-PMH repository within bounds, so that a peer that misbehaves
// (a huge or slow response, an endless chain of resumption tokens) costs a bounded
// amount of time and memory and yields an error instead.
type Client struct {
	HTTP *http.Client
	// MaxBytes caps one response's size (default 16 MiB); MaxPages the responses in one
	// list (default 10 000); Timeout one request's time (default one minute).
	MaxBytes int64
	MaxPages int
	Timeout  time.Duration
	// MaxWaits bounds how often one request waits when the peer says it is busy (503 or
	// 429 with Retry-After; default 30, negative: never).
	MaxWaits int
}

func (c *Client) withDefaults() Client {
	x := *c
	if x.HTTP == nil {
		x.HTTP = http.DefaultClient
	}
	if x.MaxBytes <= 0 {
		x.MaxBytes = 16 << 20
	}
	if x.MaxPages <= 0 {
		x.MaxPages = 10_000
	}
	if x.Timeout <= 0 {
		x.Timeout = time.Minute
	}
	if x.MaxWaits == 0 {
		x.MaxWaits = 30
	}
	return x
}

// Repository is what Identify says of a repository.
type Repository struct {
	Name              string
	BaseURL           string
	EarliestDatestamp string
	Granularity       string
	DeletedRecord     string
	// Namespace is the repository identifier of its OAI identifiers; PublicKey, set only
	// by a kb node, the key it signs its practices' versions with.
	Namespace string
	PublicKey string
}

// Record is one harvested record: a header and, unless it announces a deletion, the
// practice in the kb format.
type Record struct {
	Header   Header
	Practice *Practice
	// Authority is the signed statement of the record's version, from a kb node.
	Authority *Authority `json:",omitempty"`
	// Hops is the record's provenance before the peer, nearest first.
	Hops []practices.Hop `json:",omitempty"`
	// DC is the record in oai_dc, from a repository that is not kb (see ListDCRecords).
	DC *DC `json:",omitempty"`
}

// Page is one response of a list.
type Page struct {
	ResponseDate time.Time
	Records      []Record
	// ListSize is the complete list's size when the repository gives it (0 otherwise).
	ListSize int `json:",omitempty"`
}

// wire is the response as the client reads it.
type wire struct {
	XMLName      xml.Name    `xml:"http://www.openarchives.org/OAI/2.0/ OAI-PMH"`
	ResponseDate string      `xml:"responseDate"`
	Errors       []oaiError  `xml:"error"`
	Identify     *identify   `xml:"Identify"`
	Formats      *formatList `xml:"ListMetadataFormats"`
	ListRecords  *struct {
		Records []struct {
			Header   Header `xml:"header"`
			Metadata struct {
				Practice *Practice `xml:"https://github.com/uclg-digital-cities/kb/oai/practice/1 practice"`
				DC       *DC       `xml:"http://www.openarchives.org/OAI/2.0/oai_dc/ dc"`
			} `xml:"metadata"`
			About []about `xml:"about"`
		} `xml:"record"`
		Token *resumptionToken `xml:"resumptionToken"`
	} `xml:"ListRecords"`
}

// ProtocolError is an error the repository answered with.
type ProtocolError struct{ Code, Message string }

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("the peer answered %s: %s", e.Code, e.Message)
}

func (c *Client) fetch(ctx context.Context, base string, args url.Values) (*wire, error) {
	limit := c.withDefaults().MaxWaits
	for waits := 0; ; waits++ {
		w, retry, err := c.fetchOnce(ctx, base, args)
		if retry <= 0 || waits >= limit {
			return w, err
		}
		// OAI-PMH's flow control: a busy repository answers 503 (or 429) with Retry-After,
		// and a harvester waits as long and asks again.
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (waiting %s as the peer asked)", ctx.Err(), retry)
		case <-time.After(retry):
		}
	}
}

// maxWait bounds one wait a busy peer asks for.
const maxWait = 2 * time.Minute

// retryAfter reads a busy answer's Retry-After (seconds, or a date), 1 s when it gives
// none, at most maxWait.
func retryAfter(resp *http.Response) time.Duration {
	v := resp.Header.Get("Retry-After")
	d := time.Second
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 100*time.Millisecond), maxWait)
}

// fetchOnce sends one request; retry is how long to wait before asking again, when the
// peer said it is busy.
func (c *Client) fetchOnce(ctx context.Context, base string, args url.Values) (*wire, time.Duration, error) {
	cl := c.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, cl.Timeout)
	defer cancel()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, 0, fmt.Errorf("%q is not an http(s) URL", base)
	}
	u.RawQuery = args.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", "kb-harvester/1")
	resp, err := cl.HTTP.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("request %s: %w", args.Get("verb"), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests {
		return nil, retryAfter(resp), fmt.Errorf("request %s: the peer answered HTTP %s", args.Get("verb"), resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("request %s: the peer answered HTTP %s", args.Get("verb"), resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, cl.MaxBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("read %s response: %w", args.Get("verb"), err)
	}
	if int64(len(body)) > cl.MaxBytes {
		return nil, 0, fmt.Errorf("the %s response is larger than %d bytes", args.Get("verb"), cl.MaxBytes)
	}
	var w wire
	if err := xml.Unmarshal(body, &w); err != nil {
		return nil, 0, fmt.Errorf("the %s response is not OAI-PMH 2.0 XML: %w", args.Get("verb"), err)
	}
	if len(w.Errors) > 0 {
		return &w, 0, &ProtocolError{Code: w.Errors[0].Code, Message: w.Errors[0].Message}
	}
	return &w, 0, nil
}

// Identify asks a repository who it is.
func (c *Client) Identify(ctx context.Context, base string) (Repository, error) {
	w, err := c.fetch(ctx, base, url.Values{"verb": {"Identify"}})
	if err != nil {
		return Repository{}, err
	}
	if w.Identify == nil {
		return Repository{}, errors.New("the Identify response has no Identify element")
	}
	id := w.Identify
	repo := Repository{Name: id.RepositoryName, BaseURL: id.BaseURL, EarliestDatestamp: id.EarliestDatestamp, Granularity: id.Granularity, DeletedRecord: id.DeletedRecord}
	for _, d := range id.Description {
		if d.Identifier != nil && repo.Namespace == "" {
			repo.Namespace = d.Identifier.RepositoryIdentifier
		}
		if d.Node != nil {
			repo.Namespace, repo.PublicKey = d.Node.Namespace, d.Node.PublicKey
		}
	}
	return repo, nil
}

// ListRecords harvests the kb-format records stamped from `from` (zero: all) in set
// (empty: all), calling fn once per page; fn's error stops the harvest. A list that
// matches nothing is not an error.
func (c *Client) ListRecords(ctx context.Context, base string, from time.Time, set string, fn func(Page) error) error {
	args := url.Values{"verb": {"ListRecords"}, "metadataPrefix": {PrefixKB}}
	if !from.IsZero() {
		args.Set("from", FormatStamp(from))
	}
	if set != "" {
		args.Set("set", set)
	}
	return c.list(ctx, base, args, readPage, fn)
}

// list follows a ListRecords list from its first request (args) through its resumption
// tokens, within the client's bounds, reading each response with read.
func (c *Client) list(ctx context.Context, base string, args url.Values, read func(*wire) (Page, string, error), fn func(Page) error) error {
	seen := map[string]bool{}
	max := c.withDefaults().MaxPages
	for pages := 0; ; pages++ {
		if pages == max {
			return fmt.Errorf("the list goes on past %d pages; stopped (an endless chain of resumption tokens?)", max)
		}
		w, err := c.fetch(ctx, base, args)
		var pe *ProtocolError
		if errors.As(err, &pe) && pe.Code == "noRecordsMatch" {
			return nil
		}
		if err != nil {
			return err
		}
		page, token, err := read(w)
		if err != nil {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		if token == "" {
			return nil
		}
		if seen[token] {
			return fmt.Errorf("the peer sent the resumption token %q twice; stopped", token)
		}
		seen[token] = true
		args = url.Values{"verb": {"ListRecords"}, "resumptionToken": {token}}
	}
}

// pageOf reads what every ListRecords answer has: its date, and a header with an
// identifier and a datestamp on each record (checked by checkHeader).
func pageOf(w *wire) (Page, error) {
	if w.ListRecords == nil {
		return Page{}, errors.New("the ListRecords response has no ListRecords element")
	}
	at, err := time.Parse(stampLayout, w.ResponseDate)
	if err != nil {
		return Page{}, fmt.Errorf("the response date %q is not a UTC datestamp", w.ResponseDate)
	}
	return Page{ResponseDate: at}, nil
}

func checkHeader(i int, h Header) error {
	if h.Identifier == "" {
		return fmt.Errorf("record %d has no identifier", i+1)
	}
	if _, err := ParseStamp(h.Datestamp); err != nil {
		return fmt.Errorf("record %s: %w", h.Identifier, err)
	}
	return nil
}

func readPage(w *wire) (Page, string, error) {
	page, err := pageOf(w)
	if err != nil {
		return Page{}, "", err
	}
	for i, r := range w.ListRecords.Records {
		if err := checkHeader(i, r.Header); err != nil {
			return Page{}, "", err
		}
		if !r.Header.Deleted() && r.Metadata.Practice == nil {
			return Page{}, "", fmt.Errorf("record %s has no practice in the kb format (%s)", r.Header.Identifier, NamespaceKB)
		}
		rec := Record{Header: r.Header, Practice: r.Metadata.Practice}
		for _, a := range r.About {
			if a.Authority != nil && rec.Authority == nil {
				rec.Authority = a.Authority
			}
			if a.Provenance != nil && rec.Hops == nil {
				rec.Hops = a.Provenance.hops()
			}
		}
		page.Records = append(page.Records, rec)
	}
	var token string
	if t := w.ListRecords.Token; t != nil {
		token = t.Value
		page.ListSize = t.CompleteListSize
	}
	return page, token, nil
}

// ParseStamp reads a datestamp at either granularity.
func ParseStamp(v string) (time.Time, error) {
	t, _, err := parseStamp("datestamp", v, false)
	if err == nil && t.IsZero() {
		err = errors.New("the datestamp is empty")
	}
	if pe, ok := err.(*protocolError); ok {
		err = errors.New(pe.msg)
	}
	return t, err
}

// ParseStampOrZero reads a datestamp, or gives the zero time.
func ParseStampOrZero(v string) time.Time {
	t, err := ParseStamp(v)
	if err != nil {
		return time.Time{}
	}
	return t
}
