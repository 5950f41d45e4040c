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

// csrf protects every form: each visitor gets a random token in an HttpOnly,
// SameSite=Strict cookie, every form carries it in a hidden field, and a POST is
// accepted only when the two match. Another site can neither read the cookie nor make
// the browser send it.
func (p *Pages) csrf() gin.HandlerFunc {
	return func(c *gin.Context) {
		token, err := c.Cookie(csrfCookie)
		if err != nil || len(token) < 32 {
			token = auth.NewSecret()
			http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
				Secure: p.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
		}
		c.Set(ctxCSRF, token)
		if c.Request.Method == http.MethodPost && !auth.Equal(c.PostForm(csrfField), token) {
			p.fail(c, apperr.Errorf(apperr.Forbidden, "the form has expired or did not come from this site; go back, reload the page and send it again"))
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
