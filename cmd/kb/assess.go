package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/assess"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/recommend"
)

func runAssess(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "assess")
	var a assess.Answers
	fs.StringVar(&a.City, "city", "", "the city's name")
	fs.StringVar(&a.Country, "country", "", "ISO 3166-1 alpha-2 country code")
	fs.IntVar(&a.Population, "population", 0, "number of inhabitants")
	fs.StringVar(&a.OtherTools, "other-tools", "", "what else the city has, in its own words")
	fs.BoolVar(&a.Save, "save", false, "keep the answers and print a private link to come back to them")
	var levels, impact, tools, groups, crises multiFlag
	fs.Var(&levels, "level", "level of digitalisation before COVID-19 per question: QUESTION=very-low|low|medium|high|very-high, comma-separated (questions: mobility, public-services, internal-operations, coordination, citizen-participation, economy, education)")
	fs.Var(&impact, "impact", "impact of COVID-19 felt per question: QUESTION=LEVEL, comma-separated")
	fs.Var(&tools, "tools", "the study's tools and resources the city has (ids, comma-separated), e.g. municipal-wifi,broadband,4g-coverage")
	fs.Var(&groups, "groups", "vulnerable groups (comma-separated), e.g. students,elderly")
	fs.Var(&crises, "crises", "crises the city prepares for (comma-separated): "+strings.Join(practices.Crises.IDs(), ", "))
	file := fs.String("file", "", "read the answers from a JSON file (the API's document; - for standard input) instead of flags")
	token := fs.String("token", "", "open the saved self-assessment of this link token")
	asJSON := fs.Bool("json", false, "print the API's JSON document")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *file != "":
		if err := readAnswers(e, *file, &a); err != nil {
			return err
		}
	case *token == "":
		var err error
		if a.Levels, err = pairs("level", "QUESTION=LEVEL", levels); err != nil {
			return err
		}
		if a.Impact, err = pairs("impact", "QUESTION=LEVEL", impact); err != nil {
			return err
		}
		a.Tools, a.Groups, a.Crises = tools, groups, crises
	}
	b, err := openBackend(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer b.Close()
	var res *assess.Result
	if *token != "" {
		res, err = b.SavedAssessment(ctx, *token)
	} else {
		res, err = b.Assess(ctx, a)
	}
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
	printAssessment(e, cat, res)
	return nil
}

// readAnswers reads the API's JSON document, refusing fields it does not have.
func readAnswers(e env, file string, a *assess.Answers) error {
	in := e.stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	if err := dec.Decode(a); err != nil {
		return usagef("--file %s: not the answers' JSON document: %v", file, err)
	}
	return nil
}

// pairs reads KEY=VALUE flags into a map (nil for none); form names them in the error.
func pairs(flag, form string, values []string) (map[string]string, error) {
	var out map[string]string
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, usagef("--%s takes %s, not %q", flag, form, v)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	return out, nil
}

func printAssessment(e env, cat *i18n.Catalog, res *assess.Result) {
	w := e.stdout
	a := res.Answers
	who := a.Country
	if a.City != "" {
		who = a.City + ", " + a.Country
	}
	fmt.Fprintf(w, "Self-assessment of %s (%s inhabitants), %s, beside the cities of the %s (%s, %d):\n\n",
		who, cat.Number("en", a.Population), cat.Date("en", res.Date), res.Study.Title, res.Study.Publisher, res.Study.Year)
	for _, st := range res.Standings {
		name := st.Question
		var parts []string
		for _, p := range st.Study.Parts {
			parts = append(parts, fmt.Sprintf("%g%% %s", p.Value, strings.Join(levelLabels(p.Answers), " or ")))
		}
		if st.Unstated > 0 {
			parts = append(parts, fmt.Sprintf("%g%% not stated", st.Unstated))
		}
		fmt.Fprintf(w, "  %-22s you: %-9s the study's cities: %s\n", name, practices.Levels.Label(st.Level), strings.Join(parts, ", "))
		if st.Higher > 0 {
			fmt.Fprintf(w, "  %-22s %g%% of them stated a higher level\n", "", st.Higher)
		}
	}
	if len(res.Behind) > 0 {
		fmt.Fprintf(w, "\nFurthest behind: %s\n", strings.Join(res.Behind, ", "))
	}
	if len(res.Lacking) > 0 {
		fmt.Fprintln(w, "\nWhat the study's practices in your weak areas need that you have not listed:")
		for _, l := range res.Lacking {
			var ids []string
			for _, p := range l.Practices {
				ids = append(ids, p.ID)
			}
			fmt.Fprintf(w, "  %s: %s\n", practices.Resources.Label(l.Resource), strings.Join(ids, ", "))
		}
	}
	fmt.Fprintln(w)
	printRecommendations(e, &recommend.Result{Profile: res.Profile, Recommendations: res.Recommendations, PeerCities: res.PeerCities})
	switch {
	case res.Link != "":
		fmt.Fprintf(w, "\nYour private link (shown once; anyone with it sees these answers): %s\n", res.Link)
	case res.Token != "":
		fmt.Fprintf(w, "\nYour private token (shown once): %s\nOpen it again with: kb assess --token %s\n", res.Token, res.Token)
	}
}

func levelLabels(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = practices.Levels.Label(id)
	}
	return out
}
