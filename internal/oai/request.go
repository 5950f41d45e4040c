package oai

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// The patterns OAI-PMH.xsd gives the metadataPrefix and set arguments (an XML Schema
// pattern matches the whole value, hence the anchors).
var (
	metadataPrefixPattern = regexp.MustCompile(`^[A-Za-z0-9\-_.!~*'()]+$`)
	setSpecPattern        = regexp.MustCompile(`^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$`)
)

// echo is the request element of a response that is not a badVerb or badArgument: the
// base URL and the arguments, each only when its value is of the type OAI-PMH.xsd gives
// it, since a response must validate whatever the harvester sent.
func (p *Provider) echo(verb string, args map[string]string) request {
	r := request{Verb: verb, URL: p.Endpoint()}
	if v := args["resumptionToken"]; xmlText(v) {
		r.ResumptionToken = v
	}
	if v := args["identifier"]; validURI(v) && xmlText(v) {
		r.Identifier = v
	}
	if v := args["metadataPrefix"]; metadataPrefixPattern.MatchString(v) {
		r.MetadataPrefix = v
	}
	if v := args["set"]; setSpecPattern.MatchString(v) {
		r.Set = v
	}
	if v := args["from"]; isStamp(v) {
		r.From = v
	}
	if v := args["until"]; isStamp(v) {
		r.Until = v
	}
	return r
}

// xmlText reports whether XML can carry s as it is: the encoder would replace invalid
// UTF-8 and the characters XML excludes, and echo another value than the one sent.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0xfffe || r == 0xffff {
			return false
		}
	}
	return true
}

// validURI reports whether s is an xs:anyURI as xmllint checks one: an RFC 3986 URI
// reference once the characters XML Schema says to escape (spaces, non-ASCII, <>"{}|\^`)
// are escaped. Brackets are refused wherever they are, although an IP literal may have
// them, which costs only the echo of such an identifier.
func validURI(s string) bool {
	s, fragment, _ := strings.Cut(s, "#")
	s, query, _ := strings.Cut(s, "?")
	if !uriChars(fragment, "/?:@") || !uriChars(query, "/?:@") {
		return false
	}
	// A colon before any slash ends a scheme, which a relative reference cannot have.
	if i := strings.IndexAny(s, ":/"); i >= 0 && s[i] == ':' {
		if !validScheme(s[:i]) {
			return false
		}
		s = s[i+1:]
	}
	if rest, ok := strings.CutPrefix(s, "//"); ok {
		authority, path, _ := strings.Cut(rest, "/")
		if !validAuthority(authority) {
			return false
		}
		s = path
	}
	return uriChars(s, "/:@")
}

func validScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// validAuthority checks [userinfo "@"] host [":" port], the port being digits.
func validAuthority(s string) bool {
	if userinfo, host, ok := strings.Cut(s, "@"); ok {
		if !uriChars(userinfo, ":") {
			return false
		}
		s = host
	}
	host, port, ok := strings.Cut(s, ":")
	if ok && (port == "" || strings.TrimLeft(port, "0123456789") != "") {
		return false
	}
	return uriChars(host, "")
}

// uriChars reports whether s holds only unreserved characters, sub-delimiters, the
// extra ones, characters XML Schema escapes, and well-formed percent escapes.
func uriChars(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c) || strings.IndexByte("-._~!$&'()*+,;=", c) >= 0 || strings.IndexByte(extra, c) >= 0:
		case c <= ' ' || c >= 0x7f || strings.IndexByte("<>\"{}|\\^`", c) >= 0:
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
