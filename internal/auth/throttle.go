package auth

import (
	"sync"
	"time"
)

// Backoff is how failed logins slow the next attempt: Free failures cost nothing, then
// the next attempt waits First, doubling with each further failure up to Max. Failures
// are forgotten after Forget without one.
type Backoff struct {
	Free       int
	First, Max time.Duration
	Forget     time.Duration
}

// LoginPolicy limits password guessing per client address and per account, whichever
// door the attempts come through. LockAfter failures on one account lock it for LockFor
// (and for LockFor after each further failure), and its owner is told.
type LoginPolicy struct {
	Address, Account Backoff
	LockAfter        int
	LockFor          time.Duration
}

// DefaultLoginPolicy: five free failures per address and per account, then 1 s, 2 s,
// 4 s … up to 15 minutes; twenty failures on an account lock it for an hour.
var DefaultLoginPolicy = LoginPolicy{
	Address:   Backoff{Free: 5, First: time.Second, Max: 15 * time.Minute, Forget: time.Hour},
	Account:   Backoff{Free: 5, First: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour},
	LockAfter: 20,
	LockFor:   time.Hour,
}

// withDefaults takes DefaultLoginPolicy for the zero policy, and its times to forget
// failures when none are given (zero would forget them at once).
func (p LoginPolicy) withDefaults() LoginPolicy {
	if p == (LoginPolicy{}) {
		return DefaultLoginPolicy
	}
	if p.Address.Forget == 0 {
		p.Address.Forget = DefaultLoginPolicy.Address.Forget
	}
	if p.Account.Forget == 0 {
		p.Account.Forget = DefaultLoginPolicy.Account.Forget
	}
	return p
}

// throttle counts failed logins. An attempt is counted as a failure when it starts, so
// that attempts in parallel cannot all pass before the first failure is known; one that
// turns out right (or never reaches the password check) is taken back.
type throttle struct {
	policy   LoginPolicy
	mu       sync.Mutex
	addrs    map[string]*failures
	accounts map[string]*failures
	pruned   time.Time
}

type failures struct {
	n    int
	last time.Time
}

func newThrottle(p LoginPolicy) *throttle {
	return &throttle{policy: p, addrs: map[string]*failures{}, accounts: map[string]*failures{}}
}

// wait is how long after the last of n failures the next attempt must wait.
func (b Backoff) wait(n int) time.Duration {
	if n < b.Free {
		return 0
	}
	d := b.First
	for i := b.Free; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

func (t *throttle) accountWait(n int) time.Duration {
	if t.policy.LockAfter > 0 && n >= t.policy.LockAfter {
		return t.policy.LockFor
	}
	return t.policy.Account.wait(n)
}

// attempt lets an attempt through, counted as a failure of the address (unless "": from
// inside) and of the account, or says how long to wait. locked is set when this failure,
// if it stays one, locks the account.
func (t *throttle) attempt(addr, account string, now time.Time) (locked bool, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	var a *failures
	if addr != "" {
		a = entry(t.addrs, addr, t.policy.Address.Forget, now)
		if d := a.last.Add(t.policy.Address.wait(a.n)).Sub(now); d > 0 {
			return false, d
		}
	}
	u := entry(t.accounts, account, t.policy.Account.Forget, now)
	if d := u.last.Add(t.accountWait(u.n)).Sub(now); d > 0 {
		return false, d
	}
	if a != nil {
		a.n, a.last = a.n+1, now
	}
	u.n, u.last = u.n+1, now
	return u.n == t.policy.LockAfter, 0
}

// entry returns the failures of key, forgotten when the last is older than forget.
func entry(m map[string]*failures, key string, forget time.Duration, now time.Time) *failures {
	f, ok := m[key]
	if !ok || now.Sub(f.last) > forget {
		f = &failures{}
		m[key] = f
	}
	return f
}

// takeBack uncounts an attempt that was not a failure: a right password clears the
// account; the address keeps its other failures, so that logging in to one's own account
// does not buy guesses at others'.
func (t *throttle) takeBack(addr, account string, succeeded bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f, ok := t.addrs[addr]; ok && f.n > 0 {
		f.n--
	}
	if succeeded {
		delete(t.accounts, account)
	} else if f, ok := t.accounts[account]; ok && f.n > 0 {
		f.n--
	}
}

// prune forgets what is past forgetting, once a minute. The caller holds t.mu.
func (t *throttle) prune(now time.Time) {
	if now.Sub(t.pruned) < time.Minute {
		return
	}
	for m, forget := range map[*map[string]*failures]time.Duration{&t.addrs: t.policy.Address.Forget, &t.accounts: t.policy.Account.Forget} {
		for k, f := range *m {
			if now.Sub(f.last) > forget {
				delete(*m, k)
			}
		}
	}
	t.pruned = now
}
