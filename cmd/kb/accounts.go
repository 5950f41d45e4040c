package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/uclg-digital-cities/kb/internal/audit"
)

// runUser manages accounts: kb user add --email E --role R (password on stdin; for an
// existing account, a reset), kb user list, kb user disable|enable|remove --email E.
func runUser(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "user")
	email := fs.String("email", "", "the user's email")
	role := fs.String("role", "coordinator", "coordinator or admin")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || !slices.Contains([]string{"add", "list", "disable", "enable", "remove"}, rest[0]) {
		return usagef("usage: kb user add --email E --role coordinator|admin (password on standard input), kb user list, or kb user disable|enable|remove --email E")
	}
	if rest[0] != "list" && *email == "" {
		return usagef("kb user %s needs --email", rest[0])
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	switch rest[0] {
	case "list":
		us, err := b.Users()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tROLE\tCREATED\tDISABLED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", u.Email, u.Role, u.Created.Format("2006-01-02"), u.Disabled)
		}
		return tw.Flush()
	case "disable", "enable":
		u, err := b.SetDisabled(*email, rest[0] == "disable")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s %sd\n", u.Email, rest[0])
		return nil
	case "remove":
		if err := b.RemoveUser(*email); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s removed; its sessions ended and its tokens revoked\n", *email)
		return nil
	}
	if isTerminal(e.stderr) {
		fmt.Fprint(e.stderr, "Password (at least 10 characters), then Enter: ")
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return usagef("give the password on standard input, e.g. echo 'a long password' | kb user add --email ...")
	}
	u, err := b.AddUser(*email, *role, strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s saved with role %s\n", u.Email, u.Role)
	return nil
}

// runToken manages API tokens: kb token create --email E [--name N], list, revoke ID.
func runToken(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "token")
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "", "what the token is for")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	usage := usagef("usage: kb token create --email E [--name N] | kb token list | kb token revoke ID")
	if len(rest) == 0 {
		return usage
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	switch {
	case rest[0] == "create" && len(rest) == 1:
		token, info, err := b.CreateToken(*email, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "token %s for %s; it is shown only now:\n", info.ID, info.Email)
		fmt.Fprintln(e.stdout, token)
		return nil
	case rest[0] == "list" && len(rest) == 1:
		ts, err := b.Tokens()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tCREATED\tREVOKED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", t.ID, t.Email, t.Name, t.Created.Format("2006-01-02"), t.Revoked)
		}
		return tw.Flush()
	case rest[0] == "revoke" && len(rest) == 2:
		if err := b.RevokeToken(rest[1]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %s revoked\n", rest[1])
		return nil
	}
	return usage
}

// runAudit prints the audit log, newest first.
func runAudit(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "audit")
	limit := fs.Int("limit", 50, "number of entries (1-500)")
	target := fs.String("target", "", "only entries on this target, e.g. practice:ID or submission:")
	asJSON := fs.Bool("json", false, "print JSON lines with the records before and after")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	es, err := b.Audit(ctx, audit.Query{Limit: *limit, Target: *target})
	if err != nil {
		return err
	}
	for _, en := range es {
		if *asJSON {
			line, _ := json.Marshal(en)
			fmt.Fprintln(e.stdout, string(line))
			continue
		}
		fmt.Fprintf(e.stdout, "%6d  %s  %-28s %-22s %s %s\n", en.Seq, en.Time.Format("2006-01-02 15:04:05"), en.Actor, en.Action, en.Target, en.Note)
	}
	return nil
}
