// Command kb serves and manages a knowledge base of city good practices.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// env is what a command gets from the process: arguments, streams and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

var commands = []command{
	{"serve", "serve the knowledge base over HTTP (the default)", runServe},
	{"search", "search practices: kb search [--json] [--limit N] [--area A] [--region R] [--country CC] QUERY", runSearch},
	{"show", "print one practice: kb show [--json] ID", runShow},
	{"recommend", "practices to transfer: kb recommend --country CC --population N --weak-areas a,b [--need TEXT] [--have x,y] [--json]", runRecommend},
	{"assess", "a city's self-assessment against the study's cities: kb assess --country CC --population N --level QUESTION=LEVEL,... [--impact Q=L] [--tools a,b] [--groups g] [--crises c] [--save] [--json], kb assess --file ANSWERS.json, kb assess --token TOKEN", runAssess},
	{"import", "import a corpus folder or a JSON Lines export: kb import PATH", runImport},
	{"export", "export every practice: kb export [--format jsonl|csv] [--out FILE]", runExport},
	{"embed", "with an AI endpoint: embed new and changed practices for semantic search (KB_OPENAI_BASE_URL, KB_EMBED_MODEL)", runEmbed},
	{"reindex", "rebuild the search index from the store", runReindex},
	{"validate", "lint corpus files: kb validate [DIR]", runValidate},
	{"user", "accounts: kb user add --email E --role coordinator|admin (password on stdin; a reset ends its sessions and tokens), kb user list, kb user disable|enable|remove --email E", runUser},
	{"token", "API tokens: kb token create --email E [--name N], kb token list, kb token revoke ID", runToken},
	{"peer", "harvest other networks' knowledge bases over OAI-PMH: kb peer add NAME URL [--format kb|oai_dc] [--policy publish|review] [--set S], list, remove NAME, sync [NAME], queue, accept ID [--city C --country CC --areas A,B], reject ID", runPeer},
	{"audit", "the audit log, newest first: kb audit [--limit N] [--target T] [--json]", runAudit},
	{"thesaurus", "export the concept thesaurus as SKOS: kb thesaurus [--format turtle]", runThesaurus},
	{"eval", "measure ranking quality on judged sets: kb eval search|recommend FILE", runEval},
	{"backup", "a consistent copy of the store, also while serving: kb backup FILE", runBackup},
	{"restore", "restore a backup into an empty data dir: kb restore --data DIR FILE", runRestore},
	{"check", "check the whole store, also while serving: bbolt's check, every checksum, the counts; exit 1 naming the damage: kb check [--json]", runCheck},
	{"gen", "write a synthetic corpus for scale tests: kb gen --n N --seed S --out FILE.jsonl", runGen},
	{"bench", "measure at scale: kb bench [--n 10000,100000] [--time 5s]", runBench},
	{"version", "print the version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status: 0 done, 1 failed, 2 misused.
func run(ctx context.Context, e env, args []string) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "--help" || name == "-h" {
		usage(e.stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, args)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(usageError)):
			fmt.Fprintf(e.stderr, "kb %s: %v\n", name, err)
			return 2
		default:
			printError(e.stderr, name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "kb: unknown command %q\n\n", name)
	usage(e.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: kb [COMMAND] [FLAGS] [ARGS]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --data DIR (env KB_DATA, default ./kb-data). Run kb COMMAND --help for its flags.")
}

// usageError is a command line that cannot be acted on.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// newFlags makes a flag set for a command, with --data.
func newFlags(e env, name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("kb "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", envOr(e, "KB_DATA", "kb-data"), "data directory (env KB_DATA)")
	return fs, data
}

func envOr(e env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// parseArgs parses flags wherever they stand among the positional arguments, so that
// `kb search beach --limit 3` works as well as `kb search --limit 3 beach`.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseNoArgs parses flags for a command that takes no positional argument.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	rest, err := parseArgs(fs, args)
	if err == nil && len(rest) > 0 {
		err = usagef("unexpected argument %q", rest[0])
	}
	return err
}

// multiFlag collects a repeatable flag; commas also separate values.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*m = append(*m, s)
		}
	}
	return nil
}

func areaIDs() []string { return practices.Areas.IDs() }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
