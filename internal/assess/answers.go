// Package assess lets a city answer the Smart Cities Study 2021's questionnaire and see
// where it stands beside the study's cities, area by area, and which practices fit it.
package assess

// A result gives the study's distribution of levels with the city's own, the areas where
// it is furthest behind, the resources the study's practices need that it lacks, and the
// practices recommended for the profile its answers make. Nothing is stored unless the
// city asks for a link to come back.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/findings"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Answers are a city's answers to the study's questions.
type Answers struct {
	// City names the city (optional); a city the knowledge base knows is recognised.
	City       string `json:"city,omitempty"`
	Country    string `json:"country"`
	Population int    `json:"population"`
	// Levels gives the level of digitalisation before COVID-19 (very-low .. very-high)
	// for each question of the study (Questions: an area, or one of the two halves of
	// institutional operations).
	Levels map[string]string `json:"levels"`
	// Impact gives the impact of COVID-19 the city felt, on the same scale, per question.
	Impact map[string]string `json:"impact,omitempty"`
	// Tools are the ids of the study's listed tools and resources the city has.
	Tools []string `json:"tools,omitempty"`
	// OtherTools is what else it has, in its own words.
	OtherTools string   `json:"other_tools,omitempty"`
	Groups     []string `json:"vulnerable_groups,omitempty"`
	Crises     []string `json:"crises,omitempty"`
	// Save asks for a private link to come back to the answers.
	Save bool `json:"save,omitempty"`
}

// Limits on answers.
const (
	MaxOtherTools = 500
	MaxCity       = 120
	maxPopulation = 100_000_000
)

// Question is one level question of the study: the level of digitalisation of an area
// (institutional operations is asked in two: internal operations and coordination with
// other institutions), with the study's answers to it.
type Question struct {
	ID      string `json:"id"`
	Area    string `json:"area"`
	Subject string `json:"subject,omitempty"`
	// Levels is the study's distribution of the cities' levels; Impact that of the impact
	// they felt, when the study gives one.
	Levels findings.Distribution  `json:"levels"`
	Impact *findings.Distribution `json:"impact,omitempty"`
	// Tools are the study's lists of tools and resources of the area.
	Tools []findings.ToolList `json:"tools"`
}

// questions derives the questionnaire from the findings: one question per distribution
// of levels, in the study's order.
func questions(f *findings.Findings) []Question {
	var out []Question
	for _, d := range f.DistributionsOf("", "level") {
		q := Question{ID: d.Area, Area: d.Area, Subject: d.Subject, Levels: d}
		if d.Subject != "" {
			q.ID = d.Subject
		}
		for _, imp := range f.DistributionsOf(d.Area, "impact") {
			if imp.Subject == d.Subject {
				q.Impact = &imp
			}
		}
		// The area's tools go with its first question only.
		if !slices.ContainsFunc(out, func(o Question) bool { return o.Area == d.Area }) {
			q.Tools = f.ToolsOf(d.Area)
		}
		out = append(out, q)
	}
	return out
}

// Form is the questionnaire: the level questions with their areas' tools, the tool
// lists of no question (the general resources, the use of data), and the study's
// vulnerable groups.
type Form struct {
	Questions []Question
	Other     []findings.ToolList
	Groups    []string
}

// Form returns the questionnaire.
func (s *Service) Form() Form {
	f := Form{Questions: s.questions, Groups: s.findings.VulnerableGroups.Groups}
	for _, l := range s.findings.Tools {
		if !slices.ContainsFunc(s.questions, func(q Question) bool { return q.Area == l.Area }) {
			f.Other = append(f.Other, l)
		}
	}
	return f
}

// Problem is one wrong answer: the field as the form and the JSON name it, what is wrong
// in English, and the message key (and its argument) the pages say it with.
type Problem struct {
	Field, Key, Arg, Message string
}

// Invalid lists every wrong answer in the order of the form.
type Invalid struct{ Problems []Problem }

func (e *Invalid) Error() string { return e.Unwrap().Error() }

// Unwrap gives the API's error: every field named.
func (e *Invalid) Unwrap() error {
	f := make(map[string]string, len(e.Problems))
	for _, p := range e.Problems {
		f[p.Field] = p.Message
	}
	return apperr.InvalidFields("the self-assessment is not valid", f)
}

// check normalises the answers and returns what is wrong, in the form's order.
func (s *Service) check(a *Answers) error {
	var ps []Problem
	add := func(field, key, arg, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Key: key, Arg: arg, Message: fmt.Sprintf(format, args...)})
	}
	a.City, a.Country, a.OtherTools = strings.TrimSpace(a.City), strings.ToUpper(strings.TrimSpace(a.Country)), strings.TrimSpace(a.OtherTools)
	if utf8.RuneCountInString(a.City) > MaxCity {
		add("city", "city.long", "", "is too long (at most %d characters)", MaxCity)
	}
	switch {
	case a.Country == "":
		add("country", "country.required", "", "is required (an ISO 3166-1 alpha-2 code such as ES)")
	case !s.geo.HasCountry(a.Country):
		add("country", "country.unknown", a.Country, "%q is not an ISO 3166-1 alpha-2 country code", a.Country)
	}
	switch {
	case a.Population == 0:
		add("population", "population.required", "", "is required (the number of inhabitants)")
	case a.Population < 0:
		add("population", "population.negative", "", "must be a positive number of inhabitants")
	case a.Population > maxPopulation:
		add("population", "population.large", "", "%d inhabitants is not plausible for a city", a.Population)
	}
	for _, q := range s.questions {
		level := a.Levels[q.ID]
		switch {
		case level == "":
			add("levels."+q.ID, "level.required", q.ID, "choose the level of digitalisation before COVID-19: %s", levelIDs())
		case !practices.Levels.Has(level):
			add("levels."+q.ID, "level.unknown", q.ID, "%q is not one of: %s", level, levelIDs())
		}
	}
	for _, id := range slices.Sorted(maps.Keys(a.Levels)) {
		if !slices.ContainsFunc(s.questions, func(q Question) bool { return q.ID == id }) {
			add("levels", "question.unknown", id, "%q is not one of the study's questions: %s", id, strings.Join(s.questionIDs(), ", "))
		}
	}
	for _, q := range s.questions {
		if v := a.Impact[q.ID]; v != "" && !practices.Levels.Has(v) {
			add("impact."+q.ID, "level.unknown", q.ID, "%q is not one of: %s", v, levelIDs())
		}
	}
	for _, id := range slices.Sorted(maps.Keys(a.Impact)) {
		if !slices.ContainsFunc(s.questions, func(q Question) bool { return q.ID == id }) {
			add("impact", "question.unknown", id, "%q is not one of the study's questions: %s", id, strings.Join(s.questionIDs(), ", "))
		}
	}
	for _, t := range a.Tools {
		if _, _, ok := s.findings.Tool(t); !ok {
			add("tools", "tool.unknown", t, "%q is not one of the study's tools and resources", t)
			break
		}
	}
	if n := utf8.RuneCountInString(a.OtherTools); n > MaxOtherTools {
		add("other_tools", "other.long", "", "is too long (%d characters, at most %d)", n, MaxOtherTools)
	}
	for _, g := range a.Groups {
		if !slices.Contains(s.findings.VulnerableGroups.Groups, g) {
			add("vulnerable_groups", "group.unknown", g, "%q is not one of the study's vulnerable groups: %s", g, strings.Join(s.findings.VulnerableGroups.Groups, ", "))
			break
		}
	}
	for _, c := range a.Crises {
		if !practices.Crises.Has(c) {
			add("crises", "crisis.unknown", c, "%q is not one of: %s", c, strings.Join(practices.Crises.IDs(), ", "))
			break
		}
	}
	if len(ps) > 0 {
		return &Invalid{Problems: ps}
	}
	a.Tools = dedupe(a.Tools)
	a.Groups, a.Crises = dedupe(a.Groups), dedupe(a.Crises)
	return nil
}

func levelIDs() string { return strings.Join(practices.Levels.IDs(), ", ") }

func (s *Service) questionIDs() []string {
	ids := make([]string, len(s.questions))
	for i, q := range s.questions {
		ids[i] = q.ID
	}
	return ids
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
