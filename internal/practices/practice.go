// Package practices is the domain of the knowledge base: the Practice type, its validation,
// vocabularies, corpus format (Markdown with YAML front matter), geography and identities.
package practices

// The package stores nothing: internal/store keeps the practices.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Practice is one good practice: what a city did, for what, with what results.
type Practice struct {
	ID string `json:"id" yaml:"id"`
	// URI is the practice's global identity, minted once by its origin and the same on
	// every node: oai:NAMESPACE:ID. Empty on the practices this node originates, whose
	// identity is this node's namespace and their id (see Identity).
	URI     string `json:"uri,omitempty" yaml:"uri,omitempty"`
	Title   string `json:"title" yaml:"title"`
	Summary string `json:"summary" yaml:"summary"`
	City    string `json:"city" yaml:"city"`
	// Country is an ISO 3166-1 alpha-2 code.
	Country string `json:"country" yaml:"country"`
	// Region and PopulationBand are derived from the country and the city table when the
	// source does not give them.
	Region         string   `json:"region" yaml:"region,omitempty"`
	PopulationBand string   `json:"population_band,omitempty" yaml:"population_band,omitempty"`
	Areas          []string `json:"areas" yaml:"areas"`
	Crises         []string `json:"crises,omitempty" yaml:"crises,omitempty"`
	Tags           []string `json:"tags,omitempty" yaml:"tags,omitempty"`
	TargetGroups   []string `json:"target_groups,omitempty" yaml:"target_groups,omitempty"`
	// Results are the reported outcomes, with their figures as the source gives them.
	Results []string `json:"results,omitempty" yaml:"results,omitempty"`
	// Prerequisites are the resources a city needs in place to adopt the practice.
	Prerequisites []string `json:"prerequisites,omitempty" yaml:"prerequisites,omitempty"`
	Year          int      `json:"year,omitempty" yaml:"year,omitempty"`
	Status        string   `json:"status,omitempty" yaml:"status,omitempty"`
	Source        string   `json:"source" yaml:"source"`

	// Cost and Complexity say what adopting the practice took (low, medium, high), set
	// only where its own text supports them; the recommender estimates them from the
	// prerequisites otherwise.
	Cost       string `json:"cost,omitempty" yaml:"cost,omitempty"`
	Complexity string `json:"complexity,omitempty" yaml:"complexity,omitempty"`

	// Languages the text is written in; the first is the one it is analysed in.
	Languages []string `json:"languages" yaml:"languages"`
	// Session is the Live Learning Experience session the case was presented in.
	Session string `json:"session,omitempty" yaml:"session,omitempty"`
	Body    string `json:"body" yaml:"-"`
	// Archived practices are hidden from search and recommendations; their page still
	// answers, marked archived.
	Archived bool `json:"archived,omitempty" yaml:"-"`
	// Hidden and LocalNote are this node's own annotations of a practice it holds from
	// elsewhere: kept apart from the authority's content, never sent to peers.
	Hidden    bool   `json:"hidden,omitempty" yaml:"-"`
	LocalNote string `json:"local_note,omitempty" yaml:"-"`
	// LocalSameAs are links to the same case that a coordinator here confirmed between two
	// practices this node does not publish: kept here only.
	LocalSameAs []string `json:"local_same_as,omitempty" yaml:"-"`
	// CollapsedInto is the id of the practice held here that this one is the same case as
	// (by a same_as link): search shows that one, with both sources. Derived by the store.
	CollapsedInto string `json:"collapsed_into,omitempty" yaml:"-"`
	// Origin is set on practices harvested from another network's knowledge base; nil on
	// the practices this one originates.
	Origin *Origin `json:"origin,omitempty" yaml:"-"`
	// SameAs lists the identities of the same case published by other networks, as
	// confirmed by the coordinators of the practice's origin.
	SameAs []string `json:"same_as,omitempty" yaml:"same_as,omitempty"`
	// ReplacedBy is the identity of the practice this one was merged into.
	ReplacedBy string `json:"replaced_by,omitempty" yaml:"-"`
	// Translations hold the text in other languages, apart from the authors' own.
	Translations []Translation `json:"translations,omitempty" yaml:"translations,omitempty"`
	// Assisted is set when a coordinator took some fields from an AI assistant.
	Assisted *Assisted `json:"assisted,omitempty" yaml:"assisted,omitempty"`

	// Version counts the published revisions; UpdatedAt is when the last one was stored.
	Version   int       `json:"version" yaml:"-"`
	UpdatedAt time.Time `json:"updated_at" yaml:"-"`
}

// Origin is the provenance of a harvested practice. Its authority (the origin) alone
// publishes its versions: the practice follows them and is not edited here.
type Origin struct {
	// Peer is the local name of the peer it was harvested from, which may be a relay.
	Peer string `json:"peer"`
	// Network names the authority for people: the local name of the peer pinned to the
	// authority's namespace, or the namespace itself.
	Network string `json:"network,omitempty"`
	// Repository is the base URL of the peer's OAI-PMH endpoint, RepositoryName its name.
	Repository     string `json:"repository"`
	RepositoryName string `json:"repository_name,omitempty"`
	// Identifier is the record's OAI identifier at the peer, Datestamp the peer's time
	// stamp of it.
	Identifier  string    `json:"identifier"`
	Datestamp   time.Time `json:"datestamp"`
	HarvestedAt time.Time `json:"harvested_at"`
	// Version and Updated are the authority's version number and time of the version
	// held here; versions are ordered by number, so a clock that ran ahead at the
	// authority never freezes a practice.
	Version int       `json:"version,omitempty"`
	Updated time.Time `json:"updated,omitzero"`
	// Deleted is set when the authority deleted (archived or merged) the practice; it
	// may also be archived here alone, when it left the set this node harvests.
	Deleted bool `json:"deleted,omitempty"`
	// Signature is the authority's signature of this version, kept to relay it.
	Signature *Signature `json:"signature,omitempty"`
	// Hops is the provenance of the record before the peer, nearest first: empty when
	// the peer is the origin.
	Hops []Hop `json:"hops,omitempty"`
	// Format is "oai_dc" for a practice taken from a repository that is not kb (DSpace,
	// EPrints, any oai_dc provider), empty for one from a kb node; see Adopted.
	Format string `json:"format,omitempty"`
	// Coverage is what such a repository's record says of its place (dc:coverage), for
	// the coordinator who completes the practice's city and country.
	Coverage []string `json:"coverage,omitempty"`
	// Missing names the fields a coordinator must complete before a queued draft from
	// such a repository can be published.
	Missing []string `json:"missing,omitempty"`
}

// Adopted reports whether the practice was taken from a repository that is not kb:
// nobody signs its records, so this node is its authority under the record's identity.
func (p *Practice) Adopted() bool { return p.Origin != nil && p.Origin.Format != "" }

// Signature is an authority's ed25519 signature of one version of a practice.
type Signature struct {
	// Signer is the namespace of the authority; Key its public key (base64).
	Signer string `json:"signer"`
	Key    string `json:"key"`
	Value  string `json:"value"`
}

// Hop is one repository a relayed record passed through, as the OAI-PMH provenance
// container describes it.
type Hop struct {
	BaseURL     string    `json:"base_url"`
	Identifier  string    `json:"identifier"`
	Datestamp   time.Time `json:"datestamp"`
	HarvestDate time.Time `json:"harvest_date,omitzero"`
}

// Local reports whether this knowledge base originates the practice.
func (p Practice) Local() bool { return p.URI == "" && p.Origin == nil }

// Searchable reports whether search and recommendations show the practice.
func (p *Practice) Searchable() bool { return !p.Archived && !p.Hidden && p.CollapsedInto == "" }

// Language returns the language the practice's text is analysed in.
func (p Practice) Language() string {
	if len(p.Languages) > 0 {
		return p.Languages[0]
	}
	return "en"
}

// Limits on field sizes, so that one bad record cannot swamp the store or the index.
const (
	MaxTitle   = 200
	MaxSummary = 1000
	MaxBody    = 100_000
	MaxList    = 30
	MaxItem    = 300
)

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	slugPattern = idPattern
)

// ValidID reports whether id is a readable slug usable as a practice id.
func ValidID(id string) bool { return len(id) <= 120 && idPattern.MatchString(id) }

// Normalize trims white space and drops empty list items, so that validation and storage
// see one canonical form of what was typed.
func (p *Practice) Normalize() {
	for _, s := range []*string{&p.ID, &p.Title, &p.Summary, &p.City, &p.Region, &p.PopulationBand, &p.Status, &p.Source, &p.Session, &p.Cost, &p.Complexity} {
		*s = strings.TrimSpace(*s)
	}
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	p.Body = strings.TrimSpace(strings.ReplaceAll(p.Body, "\r\n", "\n")) + "\n"
	if p.Body == "\n" {
		p.Body = ""
	}
	for _, l := range []*[]string{&p.Areas, &p.Crises, &p.Tags, &p.TargetGroups, &p.Results, &p.Prerequisites, &p.Languages} {
		*l = cleanList(*l)
	}
}

func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// Validate checks every field and names each one that is wrong. Call Normalize first.
func (p *Practice) Validate(geo *Geography) error {
	var f apperr.FieldErrors
	if !ValidID(p.ID) {
		f.Add("id", "must be a readable slug of lowercase letters, digits and dashes (at most 120 characters), e.g. barcelona-beach-occupancy", apperr.Malformed)
	}
	requireText(&f, "title", p.Title, MaxTitle)
	requireText(&f, "summary", p.Summary, MaxSummary)
	requireText(&f, "city", p.City, MaxTitle)
	requireText(&f, "source", p.Source, MaxItem)
	if utf8.RuneCountInString(p.Body) > MaxBody {
		f.Add("body", fmt.Sprintf("is too long (at most %d characters)", MaxBody), apperr.TooLong, MaxBody)
	} else if strings.TrimSpace(p.Body) == "" {
		f.Add("body", "is required: what the problem was, what was done, the results and lessons for transfer", apperr.Required)
	}
	switch {
	case p.Country == "":
		f.Add("country", "is required (an ISO 3166-1 alpha-2 code such as ES or MX)", apperr.Required)
	case geo != nil && !geo.HasCountry(p.Country):
		f.Add("country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", p.Country), apperr.NotAChoice, p.Country)
	}
	if p.Region != "" && !Regions.Has(p.Region) {
		f.Add("region", unknownTerm(p.Region, Regions), apperr.NotAChoice, p.Region)
	}
	if p.PopulationBand != "" && !PopulationBands.Has(p.PopulationBand) {
		f.Add("population_band", unknownTerm(p.PopulationBand, PopulationBands), apperr.NotAChoice, p.PopulationBand)
	}
	if len(p.Areas) == 0 {
		f.Add("areas", "at least one area is required, among: "+strings.Join(Areas.IDs(), ", "), apperr.Required)
	}
	checkTerms(&f, "areas", p.Areas, Areas)
	checkTerms(&f, "crises", p.Crises, Crises)
	checkTerms(&f, "target_groups", p.TargetGroups, TargetGroups)
	checkTerms(&f, "prerequisites", p.Prerequisites, Resources)
	if len(p.Languages) == 0 {
		f.Add("languages", "at least one language is required, among: "+strings.Join(Languages.IDs(), ", "), apperr.Required)
	}
	checkTerms(&f, "languages", p.Languages, Languages)
	checkList(&f, "tags", p.Tags, func(s string) (string, apperr.Problem) {
		if !slugPattern.MatchString(s) || len(s) > 40 {
			return fmt.Sprintf("%q must be a short slug of lowercase letters, digits and dashes", s), apperr.Problem{Code: apperr.Malformed, Args: []any{s}}
		}
		return "", apperr.Problem{}
	})
	checkList(&f, "results", p.Results, func(s string) (string, apperr.Problem) {
		if utf8.RuneCountInString(s) > MaxItem {
			return fmt.Sprintf("an item is too long (at most %d characters)", MaxItem), apperr.Problem{Code: apperr.TooLong, Args: []any{MaxItem}}
		}
		return "", apperr.Problem{}
	})
	validateTranslations(&f, p.Translations)
	validateURI(&f, p)
	validateTransfer(&f, p)
	if p.Status != "" && !Statuses.Has(p.Status) {
		f.Add("status", unknownTerm(p.Status, Statuses), apperr.NotAChoice, p.Status)
	}
	if maxYear := time.Now().Year() + 1; p.Year != 0 && (p.Year < 1990 || p.Year > maxYear) {
		f.Add("year", fmt.Sprintf("%d is not a plausible year", p.Year), apperr.OutOfRange, "1990", strconv.Itoa(maxYear))
	}
	return f.Err("the practice is not valid")
}

func requireText(f *apperr.FieldErrors, name, v string, max int) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0:
		f.Add(name, "is required", apperr.Required)
	case n > max:
		f.Add(name, fmt.Sprintf("is too long (%d characters, at most %d)", n, max), apperr.TooLong, max)
	}
}

func checkTerms(f *apperr.FieldErrors, name string, items []string, v Vocabulary) {
	checkList(f, name, items, func(s string) (string, apperr.Problem) {
		if !v.Has(s) {
			return unknownTerm(s, v), apperr.Problem{Code: apperr.NotAChoice, Args: []any{s}}
		}
		return "", apperr.Problem{}
	})
}

// checkList checks a list's length and, with check, each item: check returns what is
// wrong in English and as a problem, or "".
func checkList(f *apperr.FieldErrors, name string, items []string, check func(string) (string, apperr.Problem)) {
	if f.Has(name) {
		return
	}
	if len(items) > MaxList {
		f.Add(name, fmt.Sprintf("has %d items, at most %d", len(items), MaxList), apperr.TooMany, MaxList)
		return
	}
	for _, s := range items {
		if msg, p := check(s); msg != "" {
			f.Add(name, msg, p.Code, p.Args...)
			return
		}
	}
}

func unknownTerm(s string, v Vocabulary) string {
	return fmt.Sprintf("%q is not one of: %s", s, strings.Join(v.IDs(), ", "))
}
