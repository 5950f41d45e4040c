package main

import (
	"context"
	"fmt"
	"strings"
)

func runShow(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "show")
	asJSON := fs.Bool("json", false, "print the API's JSON document")
	ids, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usagef("give exactly one practice id")
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	p, err := b.Get(ctx, ids[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, p)
	}
	w := e.stdout
	fmt.Fprintf(w, "%s\n%s\n\n", p.Title, strings.Repeat("=", len([]rune(p.Title))))
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(w, "%-15s %s\n", label+":", value)
		}
	}
	row("id", p.ID)
	row("city", fmt.Sprintf("%s, %s (%s, %s)", p.City, p.Country, p.Region, p.PopulationBand))
	row("areas", strings.Join(p.Areas, ", "))
	row("crises", strings.Join(p.Crises, ", "))
	row("tags", strings.Join(p.Tags, ", "))
	row("target groups", strings.Join(p.TargetGroups, ", "))
	row("prerequisites", strings.Join(p.Prerequisites, ", "))
	row("cost", p.Cost)
	row("complexity", p.Complexity)
	row("status", p.Status)
	row("source", p.Source)
	row("version", fmt.Sprintf("%d, updated %s", p.Version, p.UpdatedAt.Format("2006-01-02")))
	fmt.Fprintf(w, "\n%s\n", p.Summary)
	if len(p.Results) > 0 {
		fmt.Fprintln(w, "\nResults:")
		for _, r := range p.Results {
			fmt.Fprintf(w, "  - %s\n", r)
		}
	}
	fmt.Fprintf(w, "\n%s", p.Body)
	return nil
}
