package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/recommend"
)

func runRecommend(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "recommend")
	var p recommend.Profile
	fs.StringVar(&p.City, "city", "", "a city; one of corpus/cities.yaml fills in country, region and size")
	fs.StringVar(&p.Country, "country", "", "ISO 3166-1 alpha-2 country code")
	fs.IntVar(&p.Population, "population", 0, "number of inhabitants")
	fs.StringVar(&p.Need, "need", "", "what the city needs, in its own words")
	fs.IntVar(&p.Limit, "limit", recommend.DefaultLimit, "number of recommendations")
	var weak, have, groups, crises, severity multiFlag
	fs.Var(&weak, "weak-areas", "weak areas (comma-separated), ids or words: "+strings.Join(areaIDs(), ", "))
	fs.Var(&severity, "severity", "severity of weak areas: AREA=very-low|low|medium|high|very-high, comma-separated")
	fs.Var(&have, "have", "resources the city has (comma-separated), ids or words in any of the four languages, e.g. \"municipal wifi, partners, gis\"")
	fs.Var(&groups, "groups", "priority groups (comma-separated), ids or words, e.g. \"students, personnes âgées, pymes\"")
	fs.Var(&crises, "crises", "crisis types to prepare for (comma-separated), ids or words, e.g. \"pandemic, floods\"")
	asJSON := fs.Bool("json", false, "print the API's JSON document")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	p.WeakAreas, p.Resources, p.PriorityGroups, p.Crises = weak, have, groups, crises
	var err error
	if p.Severity, err = pairs("severity", "AREA=LEVEL", severity); err != nil {
		return err
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := b.Recommend(ctx, p)
	if err != nil {
		return err
	}
	cat, err := i18n.Embedded()
	if err != nil {
		return err
	}
	res.SayIn(cat, "en")
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	printRecommendations(e, res)
	return nil
}

func printRecommendations(e env, res *recommend.Result) {
	w := e.stdout
	p := res.Profile
	fmt.Fprintf(w, "For a city of %d inhabitants in %s (%s), weak in %s:\n\n", p.Population, p.Country, p.Region, strings.Join(p.WeakAreas, ", "))
	for _, u := range res.Understood {
		fmt.Fprintf(w, "  · %s\n", u.Text)
	}
	if len(res.Parts) > 1 {
		fmt.Fprintln(w, "Your need, in parts (each gets its best answer before any gets a second):")
		for i, pt := range res.Parts {
			fmt.Fprintf(w, "  %d. %s\n", i+1, pt.Text)
		}
	}
	if len(res.Understood) > 0 || len(res.Parts) > 1 {
		fmt.Fprintln(w)
	}
	if len(res.Recommendations) == 0 {
		fmt.Fprintln(w, "No practice addresses these weak areas or this need yet.")
	}
	for i, r := range res.Recommendations {
		answers := ""
		if len(res.Parts) > 1 && r.Answers > 0 {
			answers = fmt.Sprintf(" · answers part %d", r.Answers)
		}
		fmt.Fprintf(w, "%2d. %s  [%s]  score %.2f%s\n    %s, %s · %s\n", i+1, r.Practice.Title, r.Practice.ID, r.Score, answers, r.Practice.City, r.Practice.Country, strings.Join(r.Practice.Areas, ", "))
		for _, why := range r.Reasons {
			fmt.Fprintf(w, "    + %s\n", why.Text)
		}
		for _, gap := range r.Missing {
			fmt.Fprintf(w, "    - %s\n", gap.Text)
		}
		fmt.Fprintf(w, "    transfer: %s\n", strings.Join(r.Transfer.Text, "; "))
		for _, n := range r.Transfer.Needs {
			fmt.Fprintf(w, "      %s\n", n.Text)
		}
		fmt.Fprintln(w)
	}
	if len(res.PeerCities) > 0 {
		fmt.Fprintln(w, "Peer cities:")
		for _, c := range res.PeerCities {
			var titles []string
			for _, pr := range c.Practices {
				titles = append(titles, pr.Title)
			}
			fmt.Fprintf(w, "  %s, %s: %s\n    did: %s\n", c.Name, c.Country, strings.Join(c.Reasons, "; "), strings.Join(titles, "; "))
		}
	}
}
