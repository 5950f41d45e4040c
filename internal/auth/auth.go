// Package auth holds the coordinators' accounts: users with bcrypt password hashes, API
// bearer tokens, web sessions with their CSRF tokens, and the throttle on failed logins.
package auth

// Secrets are stored only as hashes and compared in constant time.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/limit"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Roles, from least to most allowed.
const (
	RoleCoordinator = "coordinator"
	RoleAdmin       = "admin"
)

var roleRank = map[string]int{RoleCoordinator: 1, RoleAdmin: 2}

// MinPassword is the shortest password accepted.
const MinPassword = 10

// Principal is who a request acts as.
type Principal struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// Name is how public pages name the person (never the email); empty until they give it.
	Name string `json:"name,omitempty"`
	// Via says how the principal was recognised: "token" or "session".
	Via string `json:"-"`
	// CSRF is the session's anti-forgery token, Session its id (sessions only).
	CSRF    string `json:"-"`
	Session string `json:"-"`
}

// Can reports whether p has at least role.
func (p *Principal) Can(role string) bool { return p != nil && roleRank[p.Role] >= roleRank[role] }

type user struct {
	Email        string    `json:"email"`
	Role         string    `json:"role"`
	PasswordHash []byte    `json:"password_hash"`
	Created      time.Time `json:"created"`
	// Disabled accounts cannot log in, and their sessions and tokens are refused.
	Disabled bool `json:"disabled,omitempty"`
	// Name and Lang are the account's profile: the name public pages show, and the
	// language of the mail it is sent.
	Name string `json:"name,omitempty"`
	Lang string `json:"lang,omitempty"`
}

func (u user) info() UserInfo {
	return UserInfo{Email: u.Email, Role: u.Role, Created: u.Created, Disabled: u.Disabled, Name: u.Name, Lang: u.Lang}
}

func (u user) principal(via string) *Principal {
	return &Principal{Email: u.Email, Role: u.Role, Name: u.Name, Via: via}
}

// UserInfo is a user as shown: never the password hash.
type UserInfo struct {
	Email    string    `json:"email"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	Disabled bool      `json:"disabled,omitempty"`
	Name     string    `json:"name,omitempty"`
	Lang     string    `json:"lang,omitempty"`
}

// TokenInfo describes an API token; the token itself is shown once, at creation.
type TokenInfo struct {
	ID       string    `json:"id"`
	Email    string    `json:"email"`
	Name     string    `json:"name,omitempty"`
	Created  time.Time `json:"created"`
	Revoked  bool      `json:"revoked,omitempty"`
	LastUsed time.Time `json:"last_used,omitempty"`
}

type session struct {
	Email   string    `json:"email"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
	Created time.Time `json:"created,omitzero"`
	// Address and Agent say where the session was opened from, for its owner to tell
	// their own sessions from others'.
	Address string `json:"address,omitempty"`
	Agent   string `json:"agent,omitempty"`
}

// SessionInfo is a web session as its owner sees it; ID names it, and is not the secret
// of its cookie.
type SessionInfo struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Address string    `json:"address,omitempty"`
	Agent   string    `json:"agent,omitempty"`
	// Current is the session the request listing them came with.
	Current bool `json:"current,omitempty"`
}

// sessionID names a session by the start of its key (the hash of its secret).
func sessionID(key []byte) string { return string(key[:16]) }

// Service manages accounts in the store's database.
type Service struct {
	store      *store.Store
	now        func() time.Time
	sessionTTL time.Duration
	bcryptCost int
	// dummy is compared with when an email has no account: a hash of the same cost as
	// every account's, so that both take the same time.
	dummy     []byte
	compare   func(hash, password []byte) error
	hashSlots chan struct{}
	throttle  *throttle
	// Mail, when set, queues messages to users (a lockout) with the other notifications.
	Mail Mailer
}

// Mailer queues a message to a user inside the transaction of the change it tells of;
// Wake starts the sending once it is committed.
type Mailer interface {
	QueueTx(tx *store.Tx, to, subject, body string) error
	Wake()
}

// Options tune a Service.
type Options struct {
	SessionTTL time.Duration // default 12 hours
	BcryptCost int           // default bcrypt.DefaultCost; tests lower it
	// Login limits failed logins; the zero value takes DefaultLoginPolicy.
	Login LoginPolicy
	// Hashing is how many bcrypt computations may run at once; default half the
	// processors (at least one), so that logins leave the rest to searches.
	Hashing int
}

// New returns the service of the accounts kept in st.
func New(st *store.Store, opts Options) (*Service, error) {
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.DefaultCost
	}
	opts.Login = opts.Login.withDefaults()
	if opts.Hashing == 0 {
		opts.Hashing = max(1, runtime.GOMAXPROCS(0)/2)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte(NewSecret()), opts.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return &Service{store: st, now: func() time.Time { return time.Now().UTC() }, sessionTTL: opts.SessionTTL, bcryptCost: opts.BcryptCost,
		dummy: dummy, compare: bcrypt.CompareHashAndPassword, hashSlots: make(chan struct{}, opts.Hashing), throttle: newThrottle(opts.Login)}, nil
}

// NormalizeEmail lowercases and checks an email address.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.Index(email, "@"):], ".") {
		return "", fmt.Errorf("%q is not an email address", email)
	}
	return email, nil
}

// AddUser creates a user (or, for an existing email, sets a new role and password).
func (s *Service) AddUser(email, role, password, actor string) (UserInfo, error) {
	f := map[string]string{}
	email, err := NormalizeEmail(email)
	if err != nil {
		f["email"] = err.Error()
	}
	if roleRank[role] == 0 {
		f["role"] = "must be coordinator or admin"
	}
	if utf8.RuneCountInString(password) < MinPassword {
		f["password"] = fmt.Sprintf("must have at least %d characters", MinPassword)
	}
	if len(password) > 72 {
		f["password"] = "must have at most 72 bytes" // bcrypt's limit
	}
	if len(f) > 0 {
		return UserInfo{}, apperr.InvalidFields("the user is not valid", f)
	}
	var hash []byte
	if herr := s.hashing(context.Background(), func() { hash, err = bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost) }); herr != nil {
		return UserInfo{}, herr
	}
	if err != nil {
		return UserInfo{}, fmt.Errorf("auth: hash password: %w", err)
	}
	u := user{Email: email, Role: role, PasswordHash: hash, Created: s.now().Truncate(time.Second)}
	err = s.store.Update(func(tx *store.Tx) error {
		var before *UserInfo
		note := ""
		if old, ok := getUser(tx, email); ok {
			u.Created, u.Disabled, u.Name, u.Lang = old.Created, old.Disabled, old.Name, old.Lang
			b := old.info()
			before = &b
			// A new password is a reset: whoever held the old one may hold a session or
			// a token made with it.
			sessions, tokens, err := s.cutOff(tx, email)
			if err != nil {
				return err
			}
			note = fmt.Sprintf("password reset: %d sessions ended, %d tokens revoked", sessions, tokens)
		}
		if err := store.PutJSON(tx.Users(), email, u); err != nil {
			return err
		}
		return audit.Append(tx, audit.Record(actor, "user.save", "user:"+email, before, u.info(), note))
	})
	return u.info(), err
}

// cutOff ends every session of a user and revokes every token, in tx.
func (s *Service) cutOff(tx *store.Tx, email string) (sessions, tokens int, err error) {
	if sessions, err = endSessions(tx, email, func(string) bool { return true }); err != nil {
		return 0, 0, err
	}
	b := tx.Tokens()
	var revoked []TokenInfo
	err = b.ForEach(func(k, v []byte) error {
		var t TokenInfo
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if t.Email == email && !t.Revoked {
			t.Revoked = true
			revoked = append(revoked, t)
		}
		return nil
	})
	for _, t := range revoked {
		if err == nil {
			err = store.PutJSON(b, t.ID, t)
		}
	}
	return sessions, len(revoked), err
}

// endSessions deletes the sessions of a user whose id which picks, and counts them.
func endSessions(tx *store.Tx, email string, which func(id string) bool) (int, error) {
	b := tx.Sessions()
	var keys [][]byte
	b.ForEach(func(k, v []byte) error {
		var rec session
		if json.Unmarshal(v, &rec) == nil && rec.Email == email && which(sessionID(k)) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// SetDisabled disables an account (it cannot log in; its sessions end, its tokens are
// refused while it stays disabled) or enables it again.
func (s *Service) SetDisabled(email string, disabled bool, actor string) (UserInfo, error) {
	email = accountKey(email)
	return s.changeUser(email, actor, func(tx *store.Tx, u *user) (string, string, error) {
		u.Disabled = disabled
		if !disabled {
			return "user.enable", "", nil
		}
		n, err := endSessions(tx, email, func(string) bool { return true })
		return "user.disable", fmt.Sprintf("%d sessions ended", n), err
	})
}

// changeUser changes an account in one transaction with its audit entry; change says
// what it did (the action and a note).
func (s *Service) changeUser(email, actor string, change func(*store.Tx, *user) (action, note string, err error)) (UserInfo, error) {
	var out UserInfo
	err := s.store.Update(func(tx *store.Tx) error {
		u, ok := getUser(tx, email)
		if !ok {
			return noUser(email)
		}
		before := u.info()
		action, note, err := change(tx, &u)
		if err != nil {
			return err
		}
		if err := store.PutJSON(tx.Users(), u.Email, u); err != nil {
			return err
		}
		out = u.info()
		return audit.Append(tx, audit.Record(actor, action, "user:"+u.Email, before, out, note))
	})
	return out, err
}

// RemoveUser deletes an account, ends its sessions and revokes its tokens (kept,
// revoked, for the record). What it did stays in the audit log.
func (s *Service) RemoveUser(email, actor string) error {
	email = accountKey(email)
	return s.store.Update(func(tx *store.Tx) error {
		u, ok := getUser(tx, email)
		if !ok {
			return noUser(email)
		}
		sessions, tokens, err := s.cutOff(tx, email)
		if err != nil {
			return err
		}
		if err := tx.Users().Delete([]byte(email)); err != nil {
			return err
		}
		return audit.Append(tx, audit.Record(actor, "user.remove", "user:"+email, u.info(), nil, fmt.Sprintf("%d sessions ended, %d tokens revoked", sessions, tokens)))
	})
}

func noUser(email string) error {
	return apperr.Errorf(apperr.NotFound, "no account with the email %q", email)
}

func getUser(tx *store.Tx, email string) (user, bool) {
	var u user
	v := tx.Users().Get([]byte(email))
	if v == nil || json.Unmarshal(v, &u) != nil {
		return user{}, false
	}
	return u, true
}

// Users lists the users.
func (s *Service) Users() ([]UserInfo, error) {
	out := []UserInfo{}
	err := s.store.View(func(tx *store.Tx) error {
		return tx.Users().ForEach(func(k, v []byte) error {
			var u user
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			out = append(out, u.info())
			return nil
		})
	})
	return out, err
}

// Login checks an email and password for either door (the API and the login page), within
// the limits of the client (limit.Client of ctx) and of the account: past them it is a
// RateLimited error saying when to try again, whether the password is right or not. The
// work is the same for a known and an unknown email, by construction: one bcrypt
// comparison at the service's cost (see dummy), so failures do not tell accounts apart.
func (s *Service) Login(ctx context.Context, email, password string) (*Principal, error) {
	account := accountKey(email)
	client := limit.Client(ctx)
	locks, wait := s.throttle.attempt(client, account, s.now())
	if wait > 0 {
		return nil, limit.TooMany("failed logins", wait)
	}
	p, err := s.authenticate(ctx, account, password)
	if apperr.Code(err) != apperr.Unauthorized {
		s.throttle.takeBack(client, account, err == nil)
		return p, err
	}
	if locks {
		if lerr := s.lockedOut(account, client); lerr != nil {
			return nil, lerr
		}
	}
	return nil, err
}

// accountKey is the account an email names, as typed: the same for known and unknown
// accounts, bounded in length.
func accountKey(email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > 254 {
		email = email[:254]
	}
	return email
}

// authenticate compares the password with the account's hash, or with the dummy hash of
// the same cost when there is no such account. The comparison waits for one of the few
// places bcrypt may use at once, so logins cannot take the processors searches need.
func (s *Service) authenticate(ctx context.Context, email, password string) (*Principal, error) {
	var u user
	var ok bool
	if err := s.store.View(func(tx *store.Tx) error { u, ok = getUser(tx, email); return nil }); err != nil {
		return nil, err
	}
	hash := s.dummy
	if ok {
		hash = u.PasswordHash
	}
	var wrong error
	if err := s.hashing(ctx, func() { wrong = s.compare(hash, []byte(password)) }); err != nil {
		return nil, err
	}
	if wrong != nil || !ok || u.Disabled {
		// A disabled account is refused as a wrong password is, after the same work.
		return nil, apperr.Errorf(apperr.Unauthorized, "wrong email or password")
	}
	if cost, _ := bcrypt.Cost(u.PasswordHash); cost != s.bcryptCost {
		// A hash of another cost would take another time to compare: bring it in line.
		if err := s.setPassword(ctx, u, password); err != nil {
			return nil, err
		}
	}
	return u.principal(""), nil
}

// setPassword stores a new hash of the same password (no audit entry: nothing changes
// for anyone), unless the account changed meanwhile.
func (s *Service) setPassword(ctx context.Context, u user, password string) error {
	var hash []byte
	var err error
	if herr := s.hashing(ctx, func() { hash, err = bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost) }); herr != nil {
		return herr
	}
	if err != nil {
		return fmt.Errorf("auth: hash password: %w", err)
	}
	return s.store.Update(func(tx *store.Tx) error {
		cur, ok := getUser(tx, u.Email)
		if !ok || !bytes.Equal(cur.PasswordHash, u.PasswordHash) {
			return nil
		}
		cur.PasswordHash = hash
		return store.PutJSON(tx.Users(), cur.Email, cur)
	})
}

// hashing runs bcrypt work in one of the places for it, waiting at most hashWait.
func (s *Service) hashing(ctx context.Context, work func()) error {
	ctx, cancel := context.WithTimeout(ctx, hashWait)
	defer cancel()
	select {
	case s.hashSlots <- struct{}{}:
		defer func() { <-s.hashSlots }()
	case <-ctx.Done():
		e := apperr.Errorf(apperr.Unavailable, "the server is busy checking passwords; try again in a second")
		e.RetryAfter = time.Second
		return e
	}
	work()
	return nil
}

// hashWait bounds the wait for a place to run bcrypt.
const hashWait = 5 * time.Second

// lockedOut records that an account was locked, in the audit log and, for an account that
// exists, with a message to its owner. An unknown email costs the same write, so the
// answer takes as long either way.
func (s *Service) lockedOut(email, client string) error {
	note := fmt.Sprintf("%d failed logins in a row, the last from %s", s.throttle.policy.LockAfter, orUnknown(client))
	queued := false
	err := s.store.Update(func(tx *store.Tx) error {
		u, ok := getUser(tx, email)
		if !ok {
			return audit.Append(tx, audit.Record("system", "login.lockout", "login:"+email, nil, nil, note+"; no such account"))
		}
		if s.Mail != nil {
			body := fmt.Sprintf("Hello,\n\nYour account %s was locked for %d minutes after %s at %s UTC.\n\nIf this was not you, someone is guessing your password: tell an administrator.\n",
				u.Email, int(s.throttle.policy.LockFor.Minutes()), note, s.now().Format("2006-01-02 15:04"))
			if err := s.Mail.QueueTx(tx, u.Email, "Your account was locked after failed logins", body); err != nil {
				return err
			}
			queued = true
		}
		return audit.Append(tx, audit.Record("system", "login.lockout", "user:"+email, nil, nil, note))
	})
	if err == nil && queued {
		s.Mail.Wake()
	}
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown address"
	}
	return s
}

// NewSecret returns 256 random bits, URL-safe.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is the stored form of a secret: SHA-256 is enough for 256-bit random secrets.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets (or hashes) in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// TokenPrefix starts every API token, so that a leaked one is recognisable.
const TokenPrefix = "kbt_"

// CreateToken makes an API token for a user. The token is returned once; only its hash is
// kept.
func (s *Service) CreateToken(email, name, actor string) (string, TokenInfo, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	token := TokenPrefix + NewSecret()
	id := Hash(token)[:12]
	info := TokenInfo{ID: id, Email: email, Name: strings.TrimSpace(name), Created: s.now().Truncate(time.Second)}
	err := s.store.Update(func(tx *store.Tx) error {
		if _, ok := getUser(tx, email); !ok {
			return apperr.InvalidFields("no such user", map[string]string{"email": fmt.Sprintf("%q has no account; create it with kb user add", email)})
		}
		if err := store.PutJSON(tx.Tokens(), id, info); err != nil {
			return err
		}
		if err := tx.TokenIndex().Put([]byte(Hash(token)), []byte(id)); err != nil {
			return err
		}
		return audit.Append(tx, audit.Record(actor, "token.create", "token:"+id, nil, info, ""))
	})
	if err != nil {
		return "", TokenInfo{}, err
	}
	return token, info, nil
}

// Tokens lists the API tokens.
func (s *Service) Tokens() ([]TokenInfo, error) {
	out := []TokenInfo{}
	err := s.store.View(func(tx *store.Tx) error {
		return tx.Tokens().ForEach(func(k, v []byte) error {
			var t TokenInfo
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	})
	return out, err
}

// RevokeToken disables a token for good.
func (s *Service) RevokeToken(id, actor string) error {
	return s.store.Update(func(tx *store.Tx) error {
		b := tx.Tokens()
		v := b.Get([]byte(id))
		if v == nil {
			return apperr.Errorf(apperr.NotFound, "no token with id %q", id)
		}
		var t TokenInfo
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		before := t
		t.Revoked = true
		if err := store.PutJSON(b, id, t); err != nil {
			return err
		}
		return audit.Append(tx, audit.Record(actor, "token.revoke", "token:"+id, before, t, ""))
	})
}

// ByToken recognises the user of an API token.
func (s *Service) ByToken(token string) (*Principal, error) {
	unauthorized := apperr.Errorf(apperr.Unauthorized, "the API token is not valid")
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, unauthorized
	}
	h := Hash(token)
	var p *Principal
	err := s.store.View(func(tx *store.Tx) error {
		// Looked up by the hash of the token: the stored hash of a random 256-bit secret
		// reveals nothing through the lookup's timing.
		id := tx.TokenIndex().Get([]byte(h))
		if id == nil {
			return unauthorized
		}
		var t TokenInfo
		if err := json.Unmarshal(tx.Tokens().Get(id), &t); err != nil || t.Revoked {
			return unauthorized
		}
		u, ok := getUser(tx, t.Email)
		if !ok || u.Disabled {
			return unauthorized
		}
		p = u.principal("token")
		return nil
	})
	return p, err
}

// CreateSession starts a web session for a principal; the session id goes in a cookie.
// The session records the client (limit.Client of ctx) and its user agent.
func (s *Service) CreateSession(ctx context.Context, p *Principal, agent string) (id string, sess Principal, expires time.Time, err error) {
	id = NewSecret()
	now := s.now()
	expires = now.Add(s.sessionTTL)
	if len(agent) > 200 {
		agent = agent[:200]
	}
	rec := session{Email: p.Email, CSRF: NewSecret(), Expires: expires, Created: now.Truncate(time.Second), Address: limit.Client(ctx), Agent: strings.ToValidUTF8(agent, "")}
	err = s.store.Update(func(tx *store.Tx) error {
		b := tx.Sessions()
		// Drop expired sessions as new ones start, so the bucket stays small.
		var stale [][]byte
		b.ForEach(func(k, v []byte) error {
			var old session
			if json.Unmarshal(v, &old) != nil || now.After(old.Expires) {
				stale = append(stale, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return store.PutJSON(b, Hash(id), rec)
	})
	return id, Principal{Email: p.Email, Role: p.Role, Name: p.Name, Via: "session", CSRF: rec.CSRF, Session: sessionID([]byte(Hash(id)))}, expires, err
}

// BySession recognises the user of a live session.
func (s *Service) BySession(id string) (*Principal, error) {
	expired := apperr.Errorf(apperr.Unauthorized, "the session has expired; log in again")
	var p *Principal
	err := s.store.View(func(tx *store.Tx) error {
		v := tx.Sessions().Get([]byte(Hash(id)))
		var rec session
		if v == nil || json.Unmarshal(v, &rec) != nil || s.now().After(rec.Expires) {
			return expired
		}
		u, ok := getUser(tx, rec.Email)
		if !ok || u.Disabled {
			return expired
		}
		p = u.principal("session")
		p.CSRF, p.Session = rec.CSRF, sessionID([]byte(Hash(id)))
		return nil
	})
	return p, err
}

// EndSession logs a session out.
func (s *Service) EndSession(id string) error {
	return s.store.Update(func(tx *store.Tx) error {
		return tx.Sessions().Delete([]byte(Hash(id)))
	})
}

// Sessions lists a user's live sessions, newest first; current is the id of the
// session asking, marked as such.
func (s *Service) Sessions(email, current string) ([]SessionInfo, error) {
	out := []SessionInfo{}
	now := s.now()
	err := s.store.View(func(tx *store.Tx) error {
		return tx.Sessions().ForEach(func(k, v []byte) error {
			var rec session
			if json.Unmarshal(v, &rec) != nil || rec.Email != email || now.After(rec.Expires) {
				return nil
			}
			id := sessionID(k)
			out = append(out, SessionInfo{ID: id, Created: rec.Created, Expires: rec.Expires, Address: rec.Address, Agent: rec.Agent, Current: id == current})
			return nil
		})
	})
	slices.SortFunc(out, func(a, b SessionInfo) int { return b.Created.Compare(a.Created) })
	return out, err
}

// EndSessionOf logs out one of a user's sessions, by its id (from Sessions); another
// user's session is not found.
func (s *Service) EndSessionOf(email, id, actor string) error {
	return s.store.Update(func(tx *store.Tx) error {
		n, err := endSessions(tx, email, func(sid string) bool { return sid == id })
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.Errorf(apperr.NotFound, "no session %q of yours is open", id)
		}
		return audit.Append(tx, audit.Record(actor, "session.end", "user:"+email, nil, nil, "session "+id))
	})
}
