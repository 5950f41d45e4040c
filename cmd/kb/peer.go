package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uclg-digital-cities/kb/internal/admin"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/federation"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// peerBackend is the peer management a command reaches: *federation.Service directly,
// or *admin.Client through the server that holds the data dir.
type peerBackend interface {
	Add(ctx context.Context, n federation.NewPeer) (*federation.Peer, error)
	Peers() ([]federation.Peer, error)
	Remove(ctx context.Context, name string, confirm int) (federation.Removal, error)
	SyncWithProgress(ctx context.Context, name string, progress func(done, total int)) (federation.Report, error)
	Queued() ([]practices.Practice, error)
	Decide(ctx context.Context, actor, id string, accept bool) (*practices.Practice, error)
	Pause(name string, paused bool) (*federation.Peer, error)
	Duplicates(state string) ([]federation.Duplicate, error)
	DecideDuplicate(ctx context.Context, actor, id, heldID string, confirm bool) (*federation.Duplicate, error)
	Accept(ctx context.Context, actor, id string, done federation.Completion) (*practices.Practice, error)
	Close() error
}

type directPeers struct {
	*federation.Service
	a *app.App
}

func (d directPeers) Close() error { return d.a.Close() }

func openPeers(ctx context.Context, e env, dataDir string) (peerBackend, error) {
	a, err := app.Open(ctx, app.Config{DataDir: dataDir, LockTimeout: lockWait, Progress: progressBar(e, "indexing")})
	if errors.Is(err, store.ErrLocked) {
		return admin.Dial(ctx, dataDir)
	}
	if err != nil {
		return nil, err
	}
	return directPeers{a.Peers, a}, nil
}

const peerUsage = `usage:
  kb peer add NAME URL [--format kb|oai_dc] [--policy publish|review] [--set SET] [--interval 1h]
  kb peer list [--json]
  kb peer remove NAME [--confirm N]
  kb peer sync [NAME]
  kb peer pause NAME | kb peer resume NAME
  kb peer queue
  kb peer accept ID [--city CITY --country CC --areas AREA,AREA --languages LANG,LANG]
  kb peer reject ID
  kb peer duplicates [--state open|confirmed|dismissed]
  kb peer same ID HELD_ID | kb peer distinct ID HELD_ID`

// runPeer manages the knowledge bases of other networks this one harvests.
func runPeer(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "peer")
	policy := fs.String("policy", "", "publish harvested practices at once, or queue them for review (default publish; always review with --format oai_dc)")
	format := fs.String("format", federation.FormatKB, "kb for a kb node; oai_dc for any OAI-PMH repository (DSpace, EPrints), whose records become drafts a coordinator completes")
	set := fs.String("set", "", "harvest only one set of the peer: area:ID or region:ID of a kb node, any setSpec of an oai_dc repository")
	city := fs.String("city", "", "with accept: the city of a draft from an oai_dc repository")
	country := fs.String("country", "", "with accept: its country, an ISO 3166-1 alpha-2 code")
	var areas, languages multiFlag
	fs.Var(&areas, "areas", "with accept: its areas (repeat, or separate by commas)")
	fs.Var(&languages, "languages", "with accept: its languages, en, es, fr or pt (repeat, or separate by commas)")
	interval := fs.Duration("interval", federation.DefaultInterval, "time between background harvests")
	asJSON := fs.Bool("json", false, "print JSON")
	confirm := fs.Int("confirm", 0, "with remove: the number of practices that came only from the peer, which go with it")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("%s", peerUsage)
	}
	cmd, rest := rest[0], rest[1:]
	state := fs.String("state", federation.DuplicateOpen, "with duplicates: the flags in this state (open, confirmed, dismissed; empty: all)")
	arity := map[string][2]int{"add": {2, 2}, "list": {0, 0}, "remove": {1, 1}, "sync": {0, 1}, "queue": {0, 0}, "accept": {1, 1}, "reject": {1, 1},
		"pause": {1, 1}, "resume": {1, 1}, "duplicates": {0, 0}, "same": {2, 2}, "distinct": {2, 2}}
	n, ok := arity[cmd]
	if !ok || len(rest) < n[0] || len(rest) > n[1] {
		return usagef("%s", peerUsage)
	}
	b, err := openPeers(ctx, e, *data)
	if err != nil {
		return err
	}
	defer b.Close()
	switch cmd {
	case "add":
		p, err := b.Add(ctx, federation.NewPeer{Name: rest[0], URL: rest[1], Policy: *policy, Set: *set, Interval: federation.Duration(*interval), Format: *format})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "peer %s added (%s, format %s, policy %s); harvest it now with: kb peer sync %s\n", p.Name, p.URL, p.Format, p.Policy, p.Name)
	case "list":
		ps, err := b.Peers()
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, ps)
		}
		printPeers(e.stdout, ps)
	case "remove":
		r, err := b.Remove(ctx, rest[0], *confirm)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "peer %s removed with the %d practices that came only from it; %d served by other peers stay\n", rest[0], len(r.Removed), r.Repinned)
	case "sync":
		return syncPeers(ctx, e, b, rest)
	case "queue":
		ps, err := b.Queued()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tFROM\tTITLE\tTO COMPLETE")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Origin.Peer, p.Title, strings.Join(p.Origin.Missing, ", "))
		}
		return tw.Flush()
	case "pause", "resume":
		if _, err := b.Pause(rest[0], cmd == "pause"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "peer %s: background harvests %sd\n", rest[0], cmd)
	case "duplicates":
		ds, err := b.Duplicates(*state)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, ds)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tHELD\tSTATE\tWHY")
		for _, d := range ds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ID, d.HeldID, d.State, strings.Join(d.Reasons, ", "))
		}
		return tw.Flush()
	case "same", "distinct":
		d, err := b.DecideDuplicate(ctx, app.CLIActor, rest[0], rest[1], cmd == "same")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s and %s: %s\n", d.ID, d.HeldID, d.State)
	case "accept", "reject":
		var p *practices.Practice
		if cmd == "accept" {
			p, err = b.Accept(ctx, app.CLIActor, rest[0], federation.Completion{City: *city, Country: *country, Areas: areas, Languages: languages})
		} else {
			p, err = b.Decide(ctx, app.CLIActor, rest[0], false)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %sed\n", p.ID, cmd)
	}
	return nil
}

func syncPeers(ctx context.Context, e env, b peerBackend, names []string) error {
	if len(names) == 0 {
		ps, err := b.Peers()
		if err != nil {
			return err
		}
		for _, p := range ps {
			names = append(names, p.Name)
		}
	}
	var errs []error
	for _, name := range names {
		rep, err := b.SyncWithProgress(ctx, name, progressBar(e, "harvesting "+name))
		if err != nil {
			errs = append(errs, err)
			fmt.Fprintf(e.stderr, "kb: %v\n", err)
			if rep.Pages == 0 {
				continue
			}
		}
		fmt.Fprintf(e.stdout, "%s: %d records in %d pages: %d published, %d updated, %d archived, %d queued for review, %d unchanged, %d rejected, %d refused, %d probable duplicates\n",
			name, rep.Received, rep.Pages, rep.Published, rep.Updated, rep.Archived, rep.Queued, rep.Unchanged, rep.Rejected, rep.Refused, rep.Duplicates)
		for _, p := range rep.Problems {
			fmt.Fprintf(e.stdout, "  %s\n", p)
		}
	}
	return errors.Join(errs...)
}

func printPeers(w io.Writer, ps []federation.Peer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tURL\tFORMAT\tPOLICY\tLAST HARVEST\tRECEIVED (LAST/TOTAL)\tNEXT\tLAST ERROR")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", p.Name, p.URL, cmp.Or(p.Format, federation.FormatKB), p.Policy, when(p.LastHarvest), p.LastReceived, p.Received, when(p.NextHarvest), p.LastError)
	}
	tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format(time.RFC3339)
}
