package federation

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/oai"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// identityOf is the identity of a record of a repository that is not kb: its OAI
// identifier when that is already an identity oai:NAMESPACE:ID. Repositories' local
// parts rarely are (DSpace's oai:repo.example.edu:123456789/42 has a slash), so one is
// derived: the identifier's own namespace when it has a valid one, else the peer's
// recorded namespace, else PEERNAME.invalid (a name reserved never to be a real
// domain); and its local part slugged, followed by a short hash of the whole identifier
// whenever slugging lost something, so that two identifiers never share an identity.
func identityOf(identifier string, peer *Peer) string {
	if _, _, ok := practices.SplitURI(identifier); ok {
		return identifier
	}
	local := identifier
	ns := peer.Namespace
	if rest, ok := strings.CutPrefix(identifier, "oai:"); ok {
		if n, id, ok := strings.Cut(rest, ":"); ok && practices.ValidNamespace(n) {
			ns, local = n, id
		}
	}
	if !practices.ValidNamespace(ns) {
		ns = peer.Name + ".invalid"
	}
	id := practices.Slug(local, 100)
	if id != local {
		sum := sha256.Sum256([]byte(identifier))
		id = strings.TrimPrefix(id+"-"+hex.EncodeToString(sum[:4]), "-")
	}
	return practices.MakeURI(ns, id)
}

// namedIdentity is the first dc:identifier that is an identity: how a kb node's oai_dc
// names a practice's global identity, which differs from the record's OAI identifier
// for the practices it holds from elsewhere.
func namedIdentity(dc *oai.DC) string {
	for _, v := range dc.Identifier {
		if _, _, ok := practices.SplitURI(strings.TrimSpace(v)); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// draftOf maps an oai_dc record to a practice with what the repository gives: the first
// title; the first description as summary and all of them as body; subjects as tags;
// the earliest plausible year of its dates (a repository's deposit dates come after the
// work's own); the languages kb knows; the first URL among its identifiers and sources
// as source; and the city and country its coverage names, when the geography knows
// them. The rest (areas, most often city and country) is left for a coordinator.
func (s *Service) draftOf(dc *oai.DC, uri string) *practices.Practice {
	p := &practices.Practice{URI: uri, Year: yearOf(dc.Date), Languages: languagesOf(dc.Language), Tags: tagsOf(dc.Subject)}
	if titles := texts(dc.Title); len(titles) > 0 {
		p.Title = cut(strings.Join(strings.Fields(titles[0]), " "), practices.MaxTitle)
	}
	if descs := texts(dc.Description); len(descs) > 0 {
		p.Summary = cut(strings.Join(strings.Fields(descs[0]), " "), practices.MaxSummary)
		p.Body = cut(strings.Join(descs, "\n\n"), practices.MaxBody)
	}
	for _, v := range append(texts(dc.Identifier), texts(dc.Source)...) {
		if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(v) <= practices.MaxItem {
			p.Source = v
			break
		}
	}
	p.City, p.Country = placeOf(s.geo, texts(dc.Coverage))
	p.Normalize()
	s.geo.Enrich(p)
	return p
}

// given updates p with the fields the repository gives in d, keeping the others: what a
// coordinator completed or edited.
func given(p, d *practices.Practice) {
	if d.Title != "" {
		p.Title = d.Title
	}
	if d.Summary != "" {
		p.Summary, p.Body = d.Summary, d.Body
	}
	if len(d.Tags) > 0 {
		p.Tags = d.Tags
	}
	if d.Year != 0 {
		p.Year = d.Year
	}
	if len(d.Languages) > 0 {
		p.Languages = d.Languages
	}
	if d.Source != "" {
		p.Source = d.Source
	}
}

// missing names the fields a draft lacks to be a valid practice.
func missing(p *practices.Practice, geo *practices.Geography) []string {
	err := p.Validate(geo)
	if err == nil {
		return nil
	}
	var out []string
	for f := range apperr.As(err).Fields {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// recordURL is the address of a record at its repository, the source of a draft whose
// record names no URL of its own.
func recordURL(base, identifier string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	u.RawQuery = url.Values{"verb": {"GetRecord"}, "metadataPrefix": {oai.PrefixDC}, "identifier": {identifier}}.Encode()
	if s := u.String(); len(s) <= practices.MaxItem {
		return s
	}
	return ""
}

// texts are the non-empty values of a repeated element, trimmed.
func texts(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// cut shortens s to at most max characters, at a word when one ends near, marked "…".
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	head := string([]rune(s)[:max-1])
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > len(head)*4/5 {
		head = head[:i]
	}
	return strings.TrimRightFunc(head, unicode.IsSpace) + "…"
}

var leadingYear = regexp.MustCompile(`^(\d{4})(\D|$)`)

// yearOf is the earliest year of the dates that kb finds plausible for a practice.
func yearOf(dates []string) int {
	year := 0
	for _, d := range texts(dates) {
		m := leadingYear.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		y, _ := strconv.Atoi(m[1])
		if y >= 1990 && y <= time.Now().Year()+1 && (year == 0 || y < year) {
			year = y
		}
	}
	return year
}

// languageNames maps what repositories put in dc:language (ISO 639-1, 639-2/B and /T,
// 639-3, and the languages' names in English and in each of them, folded) to the
// languages kb analyses.
var languageNames = map[string]string{
	"en": "en", "eng": "en", "english": "en", "ingles": "en", "anglais": "en",
	"es": "es", "spa": "es", "spanish": "es", "espanol": "es", "castellano": "es", "espagnol": "es", "espanhol": "es",
	"fr": "fr", "fra": "fr", "fre": "fr", "french": "fr", "francais": "fr", "frances": "fr",
	"pt": "pt", "por": "pt", "portuguese": "pt", "portugues": "pt", "portugais": "pt",
}

// languagesOf maps dc:language values to kb's languages, by their first word: "en-US",
// "pt_BR", "Español" and "spa" are understood; others (such as "other") are dropped.
func languagesOf(values []string) []string {
	var out []string
	for _, v := range values {
		words := strings.FieldsFunc(practices.Fold(v), func(r rune) bool { return !unicode.IsLetter(r) })
		if len(words) == 0 {
			continue
		}
		if l, ok := languageNames[words[0]]; ok && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// tagsOf slugs subjects into tags; a subject may list several, separated by semicolons.
func tagsOf(subjects []string) []string {
	var out []string
	for _, s := range subjects {
		for _, part := range strings.Split(s, ";") {
			if t := practices.Slug(part, 40); t != "" && !slices.Contains(out, t) && len(out) < practices.MaxList {
				out = append(out, t)
			}
		}
	}
	return out
}

var placeSeparators = regexp.MustCompile(`[,;/()|]| - `)

// placeOf reads the city and country a coverage names, among the geography's known
// cities and countries ("Montevideo, Uruguay", "Montevideo (UY)", "Uruguay"): a city is
// looked for within the country named, or anywhere when none is.
func placeOf(geo *practices.Geography, coverage []string) (city, country string) {
	var parts []string
	for _, c := range coverage {
		parts = append(parts, texts(placeSeparators.Split(c, -1))...)
	}
	names := map[string]string{}
	for _, c := range geo.Countries() {
		names[practices.Fold(c.Name)] = c.Code
	}
	for _, p := range parts {
		if code, ok := names[practices.Fold(p)]; ok {
			country = code
			break
		}
		if len(p) == 2 && strings.ToUpper(p) == p && geo.HasCountry(p) {
			country = p
			break
		}
	}
	for _, p := range parts {
		if c, ok := geo.FindCity(p, country); ok {
			return c.Name, c.Country
		}
	}
	return "", country
}
