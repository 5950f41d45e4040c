// Package apperr is the one application error type: a code that the HTTP layer maps to a
// status in one place, a message a person can read, and for invalid input the fields at fault.
package apperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// Codes shared by every package.
const (
	Invalid      = "invalid"
	NotFound     = "not_found"
	Conflict     = "conflict"
	Unauthorized = "unauthorized"
	Forbidden    = "forbidden"
	TooLarge     = "too_large"
	Timeout      = "timeout" // the client was too slow to send its request
	RateLimited  = "rate_limited"
	Unavailable  = "unavailable"
	Internal     = "internal"
	// DiskFull: a write failed because the file system is out of space (or quota).
	DiskFull = "disk_full"
	// Damaged: the store holds bytes that fail their checks; they are never served.
	Damaged = "store_damaged"
)

// Error is returned by every package for failures a caller may act on.
type Error struct {
	Code    string
	Message string
	// Fields names each bad input field with what is wrong with it (for Invalid), in
	// English; Problems says the same of each as a code and its values, for a reader in
	// another language.
	Fields   map[string]string
	Problems map[string]Problem
	// Says, when set, is Message as a catalogue key and its values, for a reader in
	// another language than English.
	Says *i18n.Text
	// Err is the underlying cause; it is logged, never shown to users.
	Err error
	// RetryAfter, on a RateLimited or Unavailable error, says when to try again.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		b.WriteString(": ")
		b.WriteString(e.FieldList())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// FieldList renders the fields sorted by name, "name: problem; ...".
func (e *Error) FieldList() string {
	names := make([]string, 0, len(e.Fields))
	for n := range e.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ": " + e.Fields[n]
	}
	return strings.Join(parts, "; ")
}

// Said builds an Error whose message is the sentence t of the catalogues, english being
// what it says in English.
func Said(code, english string, t i18n.Text) *Error {
	return &Error{Code: code, Message: english, Says: &t}
}

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidFields reports bad input; fields maps each field to what is wrong with it.
func InvalidFields(msg string, fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: msg, Fields: fields}
}

// Problem is what is wrong with one field: a stable code a client can act on, and the
// values the sentence that says it needs, so that a page or an API answer tells each
// reader in their language what Fields tells in English.
type Problem struct {
	Code string `json:"code"`
	Args []any  `json:"args,omitempty"`
}

// UnmarshalJSON reads a problem stored as JSON, its whole numbers as the ints they were.
func (p *Problem) UnmarshalJSON(data []byte) error {
	var raw struct {
		Code string            `json:"code"`
		Args []json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*p = Problem{Code: raw.Code}
	for _, a := range raw.Args {
		v, err := i18n.DecodeValue(a)
		if err != nil {
			return err
		}
		p.Args = append(p.Args, v)
	}
	return nil
}

// Codes of what is wrong with a field.
const (
	Required   = "required"     // it is empty, and may not be
	TooLong    = "too_long"     // args: the most characters it takes
	TooMany    = "too_many"     // args: the most items it takes
	NotAChoice = "not_a_choice" // args: the value, which is not one its choices hold
	Malformed  = "malformed"    // it is not written as the field takes it (a slug, an address, a date)
	OutOfRange = "out_of_range" // args: the least and the most it takes
	Closed     = "closed"       // args: what it names, which no longer takes it (a session's call)
	Unknown    = "unknown"      // args: the value, which names nothing known (no such session)
	Twice      = "twice"        // args: the value, which is given twice
)

// FieldErrors gathers what is wrong with the fields of one input. The zero value is empty
// and ready.
type FieldErrors struct {
	text     map[string]string
	problems map[string]Problem
}

// Add says what is wrong with a field, in English and as a problem's code and values.
func (f *FieldErrors) Add(field, english, code string, args ...any) {
	if f.text == nil {
		f.text, f.problems = map[string]string{}, map[string]Problem{}
	}
	f.text[field], f.problems[field] = english, Problem{Code: code, Args: args}
}

// Has reports whether the field is wrong already.
func (f *FieldErrors) Has(field string) bool { _, ok := f.text[field]; return ok }

// Take adds the fields of another invalid input's error, each under prefix.
func (f *FieldErrors) Take(prefix string, err error) {
	f.TakeAs(err, func(field string) string { return prefix + field })
}

// TakeAs adds the fields of another invalid input's error, each under the name it gives.
func (f *FieldErrors) TakeAs(err error, name func(field string) string) {
	e := As(err)
	for k, v := range e.Fields {
		p, ok := e.Problems[k]
		if !ok {
			p = Problem{Code: Malformed}
		}
		f.Add(name(k), v, p.Code, p.Args...)
	}
}

// Drop forgets the fields drop picks.
func (f *FieldErrors) Drop(drop func(field string, p Problem) bool) {
	for k, p := range f.problems {
		if drop(k, p) {
			delete(f.text, k)
			delete(f.problems, k)
		}
	}
}

// Err is the invalid input's error, with msg and every field, or nil when none is wrong.
func (f *FieldErrors) Err(msg string) error {
	if len(f.text) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: msg, Fields: f.text, Problems: f.problems}
}

// Wrap marks an unexpected failure as internal, keeping the cause for the logs.
func Wrap(err error, msg string) *Error {
	return &Error{Code: Internal, Message: msg, Err: err}
}

// Panicked turns a recovered panic into an internal error whose cause carries the stack of
// the goroutine that panicked, for the log. A panic that no deferred recover stops ends
// the whole process, so every goroutine the server starts recovers into one of these.
// Call it in the deferred function that recovered, so that the stack is the panic's.
func Panicked(v any) *Error {
	return Wrap(fmt.Errorf("panic: %v\n%s", v, debug.Stack()), "internal error")
}

// Code returns the code of the first *Error in err's chain, Internal for any other error.
func Code(err error) string {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// As returns the *Error in err's chain, or one wrapping err as internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e
	}
	if op := operational(err); op != nil {
		return op
	}
	if e != nil {
		return e
	}
	return Wrap(err, "internal error")
}

// HTTPStatus is the one place where error codes become HTTP statuses.
func HTTPStatus(code string) int {
	switch code {
	case Invalid:
		return 400
	case NotFound:
		return 404
	case Conflict:
		return 409
	case Unauthorized:
		return 401
	case Forbidden:
		return 403
	case Timeout:
		return 408
	case TooLarge:
		return 413
	case RateLimited:
		return 429
	case Unavailable:
		return 503
	case DiskFull:
		return 507
	default: // Damaged too: the server's fault, with a message that says what to do
		return 500
	}
}
