package practices

import (
	"fmt"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// StudyNamespace is the namespace of the Smart Cities Study 2021's cases: their identities
// are written in their corpus files, so every node that seeds them holds the same records.
// Its authority is the study's publisher, a node named by configuration (none by default).
const StudyNamespace = "smart-cities-study-2021.uclg.org"

// MakeURI is the identity a namespace mints for one of its practices.
func MakeURI(namespace, id string) string { return "oai:" + namespace + ":" + id }

// SplitURI reads an identity oai:NAMESPACE:ID.
func SplitURI(uri string) (namespace, id string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "oai:")
	if !ok {
		return "", "", false
	}
	namespace, id, ok = strings.Cut(rest, ":")
	return namespace, id, ok && ValidNamespace(namespace) && ValidID(id)
}

// ValidNamespace reports whether ns has the form OAI identifiers require of a
// repository identifier: a domain name.
func ValidNamespace(ns string) bool {
	parts := strings.Split(ns, ".")
	if len(parts) < 2 || len(ns) > 200 {
		return false
	}
	for _, p := range parts {
		if p == "" || !isASCIILetter(p[0]) {
			return false
		}
		for i := 0; i < len(p); i++ {
			if c := p[i]; !isASCIILetter(c) && !(c >= '0' && c <= '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Identity is the practice's global identity on a node whose namespace is ns.
func (p *Practice) Identity(ns string) string {
	if p.URI != "" {
		return p.URI
	}
	return MakeURI(ns, p.ID)
}

// Study reports whether the practice is one of the study's cases.
func (p *Practice) Study() bool {
	ns, _, _ := SplitURI(p.URI)
	return ns == StudyNamespace
}

// AuthorityNamespace is the namespace whose authority alone publishes versions of the
// practice: its identity's, except for the study's cases, whose authority is
// studyAuthority (empty: nobody), and for an adopted practice this node. ns is this
// node's namespace.
func (p *Practice) AuthorityNamespace(ns, studyAuthority string) string {
	if p.Adopted() {
		return ns
	}
	return AuthorityOf(p.Identity(ns), studyAuthority)
}

// AuthorityOf is the namespace of the authority over an identity.
func AuthorityOf(uri, studyAuthority string) string {
	ns, _, _ := SplitURI(uri)
	if ns == StudyNamespace {
		return studyAuthority
	}
	return ns
}

func validateURI(f *apperr.FieldErrors, p *Practice) {
	if p.URI == "" {
		return
	}
	if _, _, ok := SplitURI(p.URI); !ok {
		f.Add("uri", fmt.Sprintf("%q is not an identity of the form oai:NAMESPACE:ID (NAMESPACE a domain name)", p.URI), apperr.Malformed, p.URI)
	}
	for _, u := range p.SameAs {
		if _, _, ok := SplitURI(u); !ok {
			f.Add("same_as", fmt.Sprintf("%q is not an identity of the form oai:NAMESPACE:ID", u), apperr.Malformed, u)
			return
		}
	}
}

// MaxNote bounds a local note.
const MaxNote = 2000
