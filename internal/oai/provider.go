package oai

import (
	"context"
	"embed"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/signing"
	"github.com/uclg-digital-cities/kb/internal/store"
)

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// Source is what the provider reads: the store's datestamp order and its practices.
type Source interface {
	Datestamps(from, until time.Time, after []byte, fn func(store.Stamp) bool) error
	Stamped(id string) (store.Stamp, error)
	Earliest() time.Time
	Get(ctx context.Context, id string) (*practices.Practice, error)
}

// Config describes the repository.
type Config struct {
	Source Source
	Geo    *practices.Geography
	// Concepts lists the thesaurus concepts a practice names, for the kb format.
	Concepts func(*practices.Practice) []string
	// RepositoryName is the network's name; BaseURL the public URL of this knowledge base
	// (the endpoint is BaseURL + "/oai"); Namespace the domain that makes identifiers
	// oai:NAMESPACE:ID unique and stable.
	RepositoryName, BaseURL, Namespace string
	AdminEmail                         string
	// Rights is the rights statement of every record (language → text), given in oai_dc
	// as dc:rights; the about page shows the same.
	Rights map[string]string
	// Key signs the versions of the practices this node is the authority for; its public
	// half is in Identify, where peers pin it.
	Key *signing.Key
	// StudyAuthority is the namespace of the node that publishes the study's cases
	// (empty: nobody, they are read-only everywhere).
	StudyAuthority string
	// PageSize is the number of records per response (default 100); TokenTTL how long a
	// resumption token stays valid (default one hour).
	PageSize int
	TokenTTL time.Duration
	Logger   *slog.Logger
	Now      func() time.Time
}

// Provider answers OAI-PMH requests.
type Provider struct{ cfg Config }

// NewProvider checks the configuration and returns a provider.
func NewProvider(cfg Config) (*Provider, error) {
	if cfg.Source == nil || cfg.Geo == nil {
		return nil, errors.New("oai: a source and a geography are required")
	}
	if !ValidNamespace(cfg.Namespace) {
		return nil, fmt.Errorf("oai: namespace %q must be a domain name such as kb.example.org", cfg.Namespace)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("oai: base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.Key == nil {
		return nil, errors.New("oai: a signing key is required")
	}
	if !emailPattern.MatchString(cfg.AdminEmail) {
		return nil, fmt.Errorf("oai: admin email %q must be an address such as kb@example.org (Identify must give one)", cfg.AdminEmail)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 100
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg}, nil
}

// emailPattern is the emailType of OAI-PMH.xsd, which Identify's adminEmail must match.
var emailPattern = regexp.MustCompile(`^\S+@(\S+\.)+\S+$`)

// ValidNamespace reports whether ns has the form OAI identifiers require of a
// repository identifier: a domain name.
func ValidNamespace(ns string) bool { return practices.ValidNamespace(ns) }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Endpoint is the OAI-PMH base URL.
func (p *Provider) Endpoint() string { return p.cfg.BaseURL + "/oai" }

// Identifier is the stable OAI identifier of a practice.
func (p *Provider) Identifier(id string) string { return "oai:" + p.cfg.Namespace + ":" + id }

func (p *Provider) localID(identifier string) (string, bool) {
	id, ok := strings.CutPrefix(identifier, "oai:"+p.cfg.Namespace+":")
	return id, ok && practices.ValidID(id)
}

// protocolError is an OAI-PMH error condition.
type protocolError struct{ code, msg string }

func (e *protocolError) Error() string { return e.code + ": " + e.msg }

func perr(code, format string, args ...any) *protocolError {
	return &protocolError{code, fmt.Sprintf(format, args...)}
}

// ServeHTTP answers GET and POST requests; every protocol error is an OAI-PMH response
// with status 200, as the protocol says.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := p.cfg.Now().UTC()
	env := &envelope{XSI: xsiNamespace, SchemaLocation: NamespaceOAI + " " + schemaOAI, ResponseDate: FormatStamp(now)}
	env.Request.URL = p.Endpoint()
	args, err := p.arguments(r)
	if err == nil {
		err = p.answer(r.Context(), env, args, now)
	}
	var pe *protocolError
	switch {
	case errors.As(err, &pe):
		env.Errors = []oaiError{{Code: pe.code, Message: pe.msg}}
		if pe.code == "badVerb" || pe.code == "badArgument" {
			env.Request = request{URL: p.Endpoint()}
		}
	case err != nil:
		p.cfg.Logger.Error("oai request", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	if err := xml.NewEncoder(w).Encode(env); err != nil {
		p.cfg.Logger.Error("oai response", "err", err)
	}
}

// arguments reads the request's arguments: from the query for GET, from the form body
// for POST. A repeated argument is a badArgument.
func (p *Provider) arguments(r *http.Request) (map[string]string, error) {
	var values url.Values
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		// url.Query would drop the malformed pairs and answer as if they were not there.
		var err error
		if values, err = url.ParseQuery(r.URL.RawQuery); err != nil {
			return nil, perr("badArgument", "the query is malformed: %v", err)
		}
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			return nil, perr("badArgument", "the request body is not a form: %v", err)
		}
		values = r.PostForm
	default:
		return nil, perr("badVerb", "OAI-PMH requests are GET or POST, not %s", r.Method)
	}
	args := make(map[string]string, len(values))
	for k, vs := range values {
		if len(vs) != 1 {
			if k == "verb" {
				return nil, perr("badVerb", "the verb argument is repeated")
			}
			return nil, perr("badArgument", "the argument %s is repeated", k)
		}
		args[k] = vs[0]
	}
	return args, nil
}

// verbs lists, per verb, its required and optional arguments; resumptionToken is
// exclusive where allowed.
var verbs = map[string]struct{ required, optional []string }{
	"Identify":            {},
	"ListMetadataFormats": {optional: []string{"identifier"}},
	"ListSets":            {optional: []string{"resumptionToken"}},
	"GetRecord":           {required: []string{"identifier", "metadataPrefix"}},
	"ListIdentifiers":     {required: []string{"metadataPrefix"}, optional: []string{"from", "until", "set", "resumptionToken"}},
	"ListRecords":         {required: []string{"metadataPrefix"}, optional: []string{"from", "until", "set", "resumptionToken"}},
}

func checkArguments(verb string, args map[string]string) error {
	spec := verbs[verb]
	allowed := map[string]bool{"verb": true}
	for _, a := range append(spec.required, spec.optional...) {
		allowed[a] = true
	}
	for k, v := range args {
		if !allowed[k] {
			return perr("badArgument", "%s does not take the argument %q", verb, k)
		}
		if v == "" {
			return perr("badArgument", "the argument %s has no value", k)
		}
	}
	if _, ok := args["resumptionToken"]; ok {
		if len(args) > 2 {
			return perr("badArgument", "resumptionToken is an exclusive argument: give it alone with the verb")
		}
		return nil
	}
	for _, a := range spec.required {
		if args[a] == "" {
			return perr("badArgument", "%s requires the argument %s", verb, a)
		}
	}
	return nil
}

func (p *Provider) answer(ctx context.Context, env *envelope, args map[string]string, now time.Time) error {
	verb, ok := args["verb"]
	if _, known := verbs[verb]; !ok || !known {
		return perr("badVerb", "%q is not an OAI-PMH verb; the verbs are Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers and ListRecords", verb)
	}
	if err := checkArguments(verb, args); err != nil {
		return err
	}
	env.Request = p.echo(verb, args)
	switch verb {
	case "Identify":
		return p.identify(env)
	case "ListMetadataFormats":
		return p.listFormats(env, args["identifier"])
	case "ListSets":
		if _, ok := args["resumptionToken"]; ok {
			return perr("badResumptionToken", "the list of sets is complete in one response; no resumption token is valid")
		}
		env.ListSets = listSets()
	case "GetRecord":
		return p.getRecord(ctx, env, args["identifier"], args["metadataPrefix"])
	default:
		return p.list(ctx, env, verb, args, now)
	}
	return nil
}

func (p *Provider) identify(env *envelope) error {
	earliest := p.cfg.Source.Earliest()
	if earliest.IsZero() {
		earliest = p.cfg.Now()
	}
	sample, err := p.sampleIdentifier()
	if err != nil {
		return err
	}
	env.Identify = &identify{
		RepositoryName: p.cfg.RepositoryName, BaseURL: p.Endpoint(), ProtocolVersion: "2.0",
		AdminEmail: []string{p.cfg.AdminEmail}, EarliestDatestamp: FormatStamp(earliest),
		DeletedRecord: "persistent", Granularity: Granularity,
		Description: []idDescription{{Identifier: &oaiIdentifier{
			XMLNS: "http://www.openarchives.org/OAI/2.0/oai-identifier", XSI: xsiNamespace,
			SchemaLocation:       "http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
			Scheme:               "oai",
			RepositoryIdentifier: p.cfg.Namespace, Delimiter: ":",
			SampleIdentifier: sample,
		}}, {Node: &nodeDescription{Namespace: p.cfg.Namespace, PublicKey: p.cfg.Key.Public()}}},
	}
	return nil
}

// sampleIdentifier names the first record of the datestamp order, so that a harvester
// trying it gets a record; an empty repository gives one of the form its records will have.
func (p *Provider) sampleIdentifier() (string, error) {
	sample := p.Identifier("example-practice")
	err := p.cfg.Source.Datestamps(time.Time{}, time.Time{}, nil, func(st store.Stamp) bool {
		sample = p.Identifier(st.ID)
		return false
	})
	return sample, err
}

var formats = []metadataFormat{
	{Prefix: PrefixDC, Schema: schemaDC, Namespace: NamespaceDC},
	{Prefix: PrefixKB, Namespace: NamespaceKB}, // Schema is set per provider
}

func (p *Provider) formatList() []metadataFormat {
	out := append([]metadataFormat(nil), formats...)
	out[1].Schema = p.cfg.BaseURL + "/oai/kb.xsd"
	return out
}

func knownFormat(prefix string) error {
	if prefix != PrefixDC && prefix != PrefixKB {
		return perr("cannotDisseminateFormat", "the metadata format %q is not served here; the formats are oai_dc and kb", prefix)
	}
	return nil
}

func (p *Provider) listFormats(env *envelope, identifier string) error {
	if identifier != "" {
		if _, err := p.stamp(identifier); err != nil {
			return err
		}
	}
	env.ListMetadataFormats = &formatList{Formats: p.formatList()}
	return nil
}

func listSets() *setList {
	out := &setList{}
	for _, a := range practices.Areas {
		out.Sets = append(out.Sets, set{Spec: "area:" + a.ID, Name: a.Label})
	}
	for _, r := range practices.Regions {
		out.Sets = append(out.Sets, set{Spec: "region:" + r.ID, Name: r.Label})
	}
	return out
}

func knownSet(spec string) bool {
	kind, id, _ := strings.Cut(spec, ":")
	switch kind {
	case "area":
		return practices.Areas.Has(id)
	case "region":
		return practices.Regions.Has(id)
	}
	return false
}

func (p *Provider) stamp(identifier string) (store.Stamp, error) {
	id, ok := p.localID(identifier)
	if !ok {
		return store.Stamp{}, perr("idDoesNotExist", "%q is not an identifier of this repository (they read oai:%s:ID)", identifier, p.cfg.Namespace)
	}
	st, err := p.cfg.Source.Stamped(id)
	if apperr.Code(err) == apperr.NotFound {
		return st, perr("idDoesNotExist", "no record has the identifier %q", identifier)
	}
	return st, err
}

func (p *Provider) getRecord(ctx context.Context, env *envelope, identifier, prefix string) error {
	if err := knownFormat(prefix); err != nil {
		return err
	}
	st, err := p.stamp(identifier)
	if err != nil {
		return err
	}
	rec, err := p.record(ctx, st, prefix, "")
	if err != nil {
		return err
	}
	env.GetRecord = &recordList{Records: []record{rec}}
	return nil
}

func (p *Provider) header(st store.Stamp) Header {
	h := Header{Identifier: p.Identifier(st.ID), Datestamp: FormatStamp(st.Datestamp), SetSpecs: st.Sets}
	if st.Deleted {
		h.Status = "deleted"
	}
	return h
}

func (p *Provider) record(ctx context.Context, st store.Stamp, prefix string, set string) (record, error) {
	rec := record{Header: p.header(st)}
	pr, err := p.cfg.Source.Get(ctx, st.ID)
	switch {
	case apperr.Code(err) == apperr.NotFound: // removed
		pr = nil
	case err != nil:
		return rec, fmt.Errorf("oai record %s: %w", st.ID, err)
	}
	if _, deleted := st.InSet(set); deleted || pr == nil {
		rec.Header.Status = "deleted"
	}
	rec.About = p.abouts(st, pr)
	if rec.Header.Deleted() {
		return rec, nil
	}
	if prefix == PrefixKB {
		rec.Metadata = &metadata{KB: p.full(pr)}
	} else {
		rec.Metadata = &metadata{DC: p.dublinCore(pr)}
	}
	return rec, nil
}

// abouts are what a record says of its version: the authority's signed statement, and
// for a practice harvested from elsewhere, how it came here.
func (p *Provider) abouts(st store.Stamp, pr *practices.Practice) []about {
	if pr == nil { // removed: only its identity and the deletion's version are left
		uri := st.URI
		if uri == "" {
			uri = p.Identifier(st.ID)
		}
		stmt := signing.Statement{URI: uri, Version: st.Version, Updated: FormatStamp(st.Datestamp), Deleted: true}
		var sig *practices.Signature
		if practices.AuthorityOf(uri, p.cfg.StudyAuthority) == p.cfg.Namespace {
			s := p.cfg.Key.Sign(p.cfg.Namespace, stmt)
			sig = &s
		}
		return []about{{Authority: authorityOf(stmt, sig)}}
	}
	uri := pr.Identity(p.cfg.Namespace)
	stmt := signing.Of(pr, uri)
	var sig *practices.Signature
	switch {
	case pr.AuthorityNamespace(p.cfg.Namespace, p.cfg.StudyAuthority) == p.cfg.Namespace:
		s := p.cfg.Key.Sign(p.cfg.Namespace, stmt)
		sig = &s
	case pr.Origin != nil:
		sig = pr.Origin.Signature
	}
	out := []about{{Authority: authorityOf(stmt, sig)}}
	if pr.Origin != nil {
		out = append(out, about{Provenance: p.provenanceOf(pr.Origin)})
	}
	return out
}

//go:embed kb.xsd authority.xsd node.xsd provenance.xsd
var schemas embed.FS

// SchemaFiles names the schemas served beside the endpoint, at /oai/NAME: the kb format,
// the signed statement, a node's identity and the provenance container.
var SchemaFiles = []string{"kb.xsd", "authority.xsd", "node.xsd", "provenance.xsd"}

// ServeSchema serves one of SchemaFiles, named by the last part of the path.
func ServeSchema(w http.ResponseWriter, r *http.Request) {
	data, err := schemas.ReadFile(path.Base(r.URL.Path))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(data)
}
