// Package review is the Live Learning Experience workflow: coordinators open calls for
// cases, contributors submit cases without an account, coordinators decide and curate.
package review

// Sessions are the calls for cases. Contributors follow their cases with a private
// tracking token; coordinators decide, publish, edit, merge, archive and feature. Every
// change is written in one transaction with its audit entry and, for contributors, its
// notification.

import (
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Submission states.
const (
	StatusDraft            = "draft"
	StatusSubmitted        = "submitted"
	StatusChangesRequested = "changes_requested"
	StatusAccepted         = "accepted"
	StatusRejected         = "rejected"
	StatusWithdrawn        = "withdrawn"
	// StatusMerged: a coordinator merged the case into an existing practice, as a new
	// version of it (PracticeID names it).
	StatusMerged = "merged"
)

// Statuses lists the submission states in workflow order.
var Statuses = []string{StatusDraft, StatusSubmitted, StatusChangesRequested, StatusAccepted, StatusMerged, StatusRejected, StatusWithdrawn}

// Actions move a submission between states.
const (
	ActionSubmit         = "submit"
	ActionRevise         = "revise"
	ActionWithdraw       = "withdraw"
	ActionAccept         = "accept"
	ActionReject         = "reject"
	ActionRequestChanges = "request_changes"
	ActionMerge          = "merge"
)

// transitions is the state machine: for each action, the states it may start from and
// the state it leads to.
var transitions = map[string]struct {
	from []string
	to   string
}{
	ActionSubmit:         {[]string{StatusDraft}, StatusSubmitted},
	ActionRevise:         {[]string{StatusChangesRequested}, StatusSubmitted},
	ActionWithdraw:       {[]string{StatusDraft, StatusSubmitted, StatusChangesRequested}, StatusWithdrawn},
	ActionAccept:         {[]string{StatusSubmitted}, StatusAccepted},
	ActionReject:         {[]string{StatusSubmitted}, StatusRejected},
	ActionRequestChanges: {[]string{StatusSubmitted}, StatusChangesRequested},
	ActionMerge:          {[]string{StatusSubmitted}, StatusMerged},
}

// next returns the state an action leads to from a state, or a conflict that says why
// the action is not possible.
func next(action, from string) (string, error) {
	t, ok := transitions[action]
	if !ok {
		return "", apperr.Errorf(apperr.Invalid, "unknown action %q", action)
	}
	for _, f := range t.from {
		if f == from {
			return t.to, nil
		}
	}
	return "", apperr.Errorf(apperr.Conflict, "cannot %s a submission that is %s: only %s ones can be", humanAction(action), humanState(from), humanStates(t.from))
}

func humanAction(a string) string {
	if a == ActionRequestChanges {
		return "request changes to"
	}
	return a
}

func humanState(s string) string {
	if s == StatusChangesRequested {
		return "waiting for changes"
	}
	return s
}

func humanStates(ss []string) string {
	out := ""
	for i, s := range ss {
		switch {
		case i == 0:
		case i == len(ss)-1:
			out += " or "
		default:
			out += ", "
		}
		out += humanState(s)
	}
	return out
}

// Session is a Live Learning Experience session: a call for cases on a theme.
type Session struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Theme       string    `json:"theme"`
	Areas       []string  `json:"areas"`
	Date        string    `json:"date"` // YYYY-MM-DD
	Description string    `json:"description"`
	Open        bool      `json:"open"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// Contact is the contributor's private contact: only coordinators (and the contributor,
// through the tracking token) ever see it.
type Contact struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Email string `json:"email"`
}

// Comment is a message on a submission.
type Comment struct {
	Time   time.Time `json:"time"`
	Author string    `json:"author"` // "coordinator" or "contributor"
	Text   string    `json:"text"`
}

// Transition records a change of state.
type Transition struct {
	Time time.Time `json:"time"`
	From string    `json:"from,omitempty"`
	To   string    `json:"to"`
	// Actor is who made the change: to coordinators, a coordinator's address or the
	// contributor; to the contributor, only "coordinator" or "contributor".
	Actor string `json:"actor"`
}

// Revision is a version of the submitted case replaced by a later one.
type Revision struct {
	Time     time.Time          `json:"time"`
	Practice practices.Practice `json:"practice"`
}

// Submission is a case submitted to the knowledge base.
type Submission struct {
	ID         string             `json:"id"`
	Status     string             `json:"status"`
	SessionID  string             `json:"session_id,omitempty"`
	Practice   practices.Practice `json:"practice"`
	Contact    Contact            `json:"contact"`
	Consent    bool               `json:"consent_to_publish"`
	Comments   []Comment          `json:"comments"`
	History    []Transition       `json:"history"`
	Revisions  []Revision         `json:"revisions,omitempty"`
	PracticeID string             `json:"practice_id,omitempty"`
	// Population is the number of inhabitants the contributor gave; the practice gets
	// its size band from it when accepted.
	Population int `json:"population,omitempty"`
	// Lang is the interface language the contributor wrote in: the mails to them are in
	// it.
	Lang string `json:"lang,omitempty"`
	// Suggestions are an AI assistant's, asked for by a coordinator; machine-generated.
	Suggestions *practices.Suggestions `json:"suggestions,omitempty"`
	Created     time.Time              `json:"created"`
	Updated     time.Time              `json:"updated"`
	// TokenHash is the hash of the contributor's tracking token; it never leaves the store.
	TokenHash string `json:"token_hash,omitempty"`
	// Address is whether the contact's address is confirmed: notifications go only to an
	// address its owner confirmed.
	Address AddressState `json:"address"`
	// Edit is set when a coordinator edited the case before deciding: the contributor's
	// version is kept in it, and Practice is the coordinator's.
	Edit *CoordinatorEdit `json:"edit,omitempty"`
}

// CoordinatorEdit is a coordinator's edit of a submitted case, a version of its own: the
// contributor sees what changed from their version.
type CoordinatorEdit struct {
	Time time.Time `json:"time"`
	Role string    `json:"role"`
	Name string    `json:"name,omitempty"`
	// Actor is the coordinator's address: never shown to the contributor.
	Actor string `json:"actor,omitempty"`
	Note  string `json:"note,omitempty"`
	// Original is the case as the contributor last sent it.
	Original practices.Practice `json:"original"`
}

// AddressState says whether a contributor's address may be written to. The first mail
// to it only asks its owner to confirm it; nothing else is sent until they do.
type AddressState struct {
	// Asked is when the mail asking to confirm was queued (zero: not yet).
	Asked time.Time `json:"asked,omitzero"`
	// Confirmed is when its owner followed the link (zero: not yet).
	Confirmed time.Time `json:"confirmed,omitzero"`
	// TokenHash is the hash of the token in the link; it never leaves the store.
	TokenHash string `json:"token_hash,omitempty"`
}

// view is the submission as the API shows it: never the tokens' hashes.
func (s Submission) view() *Submission {
	s.TokenHash, s.Address.TokenHash = "", ""
	return &s
}

// viewFor is the submission as the reader sees it: a contributor (with a tracking token)
// without the assistant's suggestions, which are the coordinators' working notes.
func (s Submission) viewFor(acc Access) *Submission {
	if acc.Principal == nil {
		s.Suggestions = nil
		s.History = byRole(s.History, s.ID)
		if s.Edit != nil {
			e := *s.Edit
			e.Actor = ""
			s.Edit = &e
		}
	}
	return s.view()
}

// byRole is a history as a contributor reads it: who acted by their role, never a
// coordinator's address.
func byRole(h []Transition, id string) []Transition {
	out := make([]Transition, len(h))
	for i, t := range h {
		t.Actor = "coordinator"
		if h[i].Actor == Contributor(id) {
			t.Actor = "contributor"
		}
		out[i] = t
	}
	return out
}

// Input is what a contributor sends to create or change a submission.
type Input struct {
	Practice         practices.Practice `json:"practice"`
	Contact          Contact            `json:"contact"`
	ConsentToPublish bool               `json:"consent_to_publish"`
	SessionID        string             `json:"session_id,omitempty"`
	// Draft saves without submitting; a draft may be incomplete.
	Draft bool `json:"draft,omitempty"`
	// Comment goes with a revision, for the coordinators.
	Comment string `json:"comment,omitempty"`
	// Population is the city's number of inhabitants (0: not given); the practice's size
	// band is made from it, or from the known city when it is not given.
	Population int `json:"population,omitempty"`
	// Lang is the contributor's interface language, for the mails to them; not part of
	// the case, set by the door they came through.
	Lang string `json:"-"`
	// Once, when set, makes a retried creation answer the first one's receipt (the API's
	// Idempotency-Key).
	Once *Once `json:"-"`
}

// Once identifies one creation across retries: the client's key and a fingerprint of
// what it sent.
type Once struct {
	Key         string
	Fingerprint string
}

// Duplicate is an existing practice close to a submitted case.
type Duplicate struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

// Receipt answers a new submission.
type Receipt struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// TrackingToken is shown once: it is the contributor's only key to the submission.
	TrackingToken string      `json:"tracking_token"`
	Duplicates    []Duplicate `json:"duplicates"`
	// Replayed says the receipt answers a retry of an earlier creation (the same
	// Idempotency-Key and body): nothing new was stored.
	Replayed bool `json:"-"`
}

// Decision is a coordinator's verdict on a submission.
type Decision struct {
	Decision string `json:"decision"` // accept, reject, request_changes, merge
	Comment  string `json:"comment"`
	// Into, with a merge, is the practice the case becomes a new version of.
	Into string `json:"into,omitempty"`
	// Apply, with an accept, takes some of the assistant's suggestions into the published
	// practice, as suggested or as the coordinator edited them.
	Apply *Applied `json:"apply,omitempty"`
}

// DecisionResult says what a decision did.
type DecisionResult struct {
	Submission *Submission `json:"submission"`
	PracticeID string      `json:"practice_id,omitempty"`
}

// fieldErr is a request wrong in one field: what, in English and as a problem.
func fieldErr(field, english, code string, args ...any) error {
	var f apperr.FieldErrors
	f.Add(field, english, code, args...)
	return f.Err("the request is not valid")
}
