package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
)

const (
	ctxUser       = "kb.web.user"
	ctxCSRF       = "kb.web.csrf"
	csrfCookie    = "kb_csrf"
	sessionCookie = "kb_session"
	csrfField     = "csrf_token"
)

func user(c *gin.Context) *auth.Principal {
	if u, ok := c.Get(ctxUser); ok {
		return u.(*auth.Principal)
	}
	return nil
}

// identify recognises a coordinator's session cookie.
func (p *Pages) identify() gin.HandlerFunc {
	return func(c *gin.Context) {
		if id, err := c.Cookie(sessionCookie); err == nil && id != "" {
			if u, err := p.cfg.Accounts.BySession(id); err == nil {
				c.Set(ctxUser, u)
			}
		}
		c.Next()
	}
}

// crossOrigin refuses a form a browser posts from another origin (another site, a sibling
// subdomain, another port), before anything else looks at it.
func (p *Pages) crossOrigin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := p.cfg.CrossOrigin.Check(c.Request); err != nil {
			p.fail(c, p.refusal(apperr.Forbidden, "error.crossorigin"))
			return
		}
		c.Next()
	}
}

// csrf protects every form with a token it must carry. A coordinator's forms carry the
// session's own token, kept with the session in the store and never in a cookie, so a
// cookie planted by a sibling subdomain or another port counts for nothing. A visitor
// without a session (submitting, tracking, logging in) gets a random token in an
// HttpOnly, SameSite=Strict cookie (host-only, __Host- under TLS) that the form must
// repeat; the check of origins above is what stands against forged posts there.
func (p *Pages) csrf() gin.HandlerFunc {
	name := csrfCookie
	if p.cfg.SecureCookies {
		name = "__Host-" + csrfCookie // cannot be set by another host, nor without TLS
	}
	return func(c *gin.Context) {
		var token string
		if u := user(c); u != nil {
			token = u.CSRF
		} else if t, err := c.Cookie(name); err == nil && len(t) >= 32 {
			token = t
		} else {
			token = auth.NewSecret()
			http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: token, Path: "/", HttpOnly: true,
				Secure: p.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
		}
		c.Set(ctxCSRF, token)
		if c.Request.Method == http.MethodPost && (token == "" || !auth.Equal(c.PostForm(csrfField), token)) {
			p.fail(c, p.refusal(apperr.Forbidden, "error.csrf"))
			return
		}
		c.Next()
	}
}

// requireLogin sends visitors without a coordinator's session to the login page.
func (p *Pages) requireLogin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !user(c).Can(auth.RoleCoordinator) {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		c.Next()
	}
}

// caching says what the pages depend on, and that only the browser may keep them: they
// carry the visitor's language and CSRF token, and a coordinator's controls, which are
// never kept at all.
func (p *Pages) caching() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Vary", "Accept-Language, Cookie")
		if user(c) != nil {
			c.Header("Cache-Control", "private, no-store")
		} else {
			c.Header("Cache-Control", "private, no-cache")
		}
		c.Next()
	}
}

// private marks the pages whose address or content is a secret (tracking pages, the
// coordinators' pages): kept by no cache, and their address sent to no other site.
func private(c *gin.Context) {
	c.Header("Cache-Control", "private, no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Next()
}
