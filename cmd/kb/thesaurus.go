package main

import (
	"context"

	"github.com/uclg-digital-cities/kb/internal/app"
)

// runThesaurus exports the embedded thesaurus; it needs no data dir.
func runThesaurus(_ context.Context, e env, args []string) error {
	fs, _ := newFlags(e, "thesaurus")
	format := fs.String("format", "turtle", "the export's format: turtle (SKOS)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("kb thesaurus takes no arguments, only --format")
	}
	if *format != "turtle" {
		return usagef("--format %q is not known; the one format is turtle", *format)
	}
	thes, err := app.LoadThesaurus()
	if err != nil {
		return err
	}
	return thes.WriteTurtle(e.stdout)
}
