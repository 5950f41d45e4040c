package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
)

func runSearch(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "search")
	asJSON := fs.Bool("json", false, "print the API's JSON document")
	explain := fs.Bool("explain", false, "say why each hit matched")
	limit := fs.Int("limit", search.DefaultLimit, "number of hits (1-100)")
	page := fs.Int("page", 1, "page of hits, from 1")
	filters := map[string]*multiFlag{}
	for _, name := range schema.FacetNames {
		filters[name] = new(multiFlag)
		fs.Var(filters[name], strings.ReplaceAll(name, "_", "-"), "filter by "+name+" (repeatable, or comma-separated)")
	}
	words, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	req := search.Request{Query: strings.Join(words, " "), Limit: *limit, Page: *page, Filters: map[string][]string{}, Explain: *explain}
	for name, values := range filters {
		if len(*values) > 0 {
			req.Filters[name] = *values
		}
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := b.Search(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	var reading []string
	if *explain {
		cat, err := i18n.Embedded()
		if err != nil {
			return err
		}
		reading = res.Reading.In(cat, "en")
	}
	printHits(e.stdout, res, reading, isTerminal(e.stdout))
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printHits writes the hits, after the sentences that say how the query was read.
func printHits(w io.Writer, res *app.SearchResult, reading []string, color bool) {
	for _, r := range reading {
		fmt.Fprintln(w, r)
	}
	if res.Total == 0 {
		fmt.Fprintln(w, "No practice matches.")
		if res.DidYouMean != "" {
			fmt.Fprintf(w, "Did you mean: %s\n", res.DidYouMean)
		}
		return
	}
	first := (res.Page-1)*res.Limit + 1
	fmt.Fprintf(w, "%d %s; showing %d-%d:\n\n", res.Total, plural(int(res.Total), "practice matches", "practices match"), first, first+len(res.Hits)-1)
	for i, h := range res.Hits {
		fmt.Fprintf(w, "%2d. %s  [%s]\n", first+i, h.Title, h.ID)
		fmt.Fprintf(w, "    %s, %s · %s\n", h.City, h.Country, strings.Join(h.Areas, ", "))
		if s := snippet(h); s != "" {
			fmt.Fprintf(w, "    %s\n", plainMarks(s, color))
		}
		for _, r := range h.Explain {
			fmt.Fprintf(w, "    why: %s\n", r.Text)
		}
		fmt.Fprintln(w)
	}
}

// snippet picks the fragment that best shows why a hit matched.
func snippet(h app.SearchHit) string {
	for _, f := range []string{"summary", "body", "title"} {
		if frags := h.Highlights[f]; len(frags) > 0 {
			return frags[0]
		}
	}
	return h.Summary
}

// plainMarks turns an HTML fragment into terminal text: matches in bold on a terminal,
// between asterisks elsewhere.
func plainMarks(fragment string, color bool) string {
	open, close := "*", "*"
	if color {
		open, close = "\x1b[1m", "\x1b[0m"
	}
	s := strings.NewReplacer("<mark>", open, "</mark>", close, "\n", " ").Replace(fragment)
	return html.UnescapeString(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
