package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/review"
)

const (
	ctxPrincipal  = "kb.principal"
	sessionCookie = "kb_session"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf_token"
)

// principal returns who the request acts as, nil for anonymous.
func principal(c *gin.Context) *auth.Principal {
	if p, ok := c.Get(ctxPrincipal); ok {
		return p.(*auth.Principal)
	}
	return nil
}

// identify recognises a bearer token or a session cookie. A request that presents a bad
// token is refused; a stale cookie just leaves it anonymous. A cookie-authenticated
// request that changes something must carry the session's CSRF token (header or form
// field), since a browser sends cookies to forged requests too.
func identify(svc *auth.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		if h := c.GetHeader("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				writeError(c, apperr.Errorf(apperr.Unauthorized, "the Authorization header must be: Bearer TOKEN"))
				return
			}
			p, err := svc.ByToken(strings.TrimSpace(token))
			if err != nil {
				writeError(c, err)
				return
			}
			c.Set(ctxPrincipal, p)
			c.Next()
			return
		}
		if id, err := c.Cookie(sessionCookie); err == nil && id != "" {
			if p, err := svc.BySession(id); err == nil {
				if !safeMethod(c.Request.Method) && !auth.Equal(csrfToken(c), p.CSRF) {
					writeError(c, apperr.Errorf(apperr.Forbidden, "the form's CSRF token is missing or wrong; reload the page and try again"))
					return
				}
				c.Set(ctxPrincipal, p)
			}
		}
		c.Next()
	}
}

// crossOrigin refuses a state-changing request a browser sends from another origin
// (another site, a sibling subdomain, another port): the session cookie it carries proves
// nothing about who asked. Requests from outside browsers (no Sec-Fetch-Site or Origin
// header) pass, to be recognised by their bearer token.
func crossOrigin(cop *http.CrossOriginProtection) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			writeError(c, apperr.Errorf(apperr.Forbidden, "a change must come from this site's own pages: the request came from another origin"))
			return
		}
		c.Next()
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func csrfToken(c *gin.Context) string {
	if t := c.GetHeader(csrfHeader); t != "" {
		return t
	}
	if strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") || strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		return c.PostForm(csrfField)
	}
	return ""
}

// requireRole lets through principals with at least role: 401 for anonymous requests,
// 403 for a lesser role.
func requireRole(role string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		switch {
		case p == nil:
			c.Header("WWW-Authenticate", `Bearer realm="kb"`)
			writeError(c, apperr.Errorf(apperr.Unauthorized, "log in or give a coordinator's API token (Authorization: Bearer TOKEN)"))
		case !p.Can(role):
			writeError(c, apperr.Errorf(apperr.Forbidden, "this needs the %s role", role))
		default:
			// The versions the request writes record who made them, and the edit note
			// of ?note=, as the pages' do.
			c.Request = c.Request.WithContext(review.WithAuthor(c.Request.Context(), review.AuthorOf(p, c.Query("note"))))
			c.Next()
		}
	}
}

// asLocalAdmin makes every request on the owner-only admin socket an admin's: reaching
// the socket already proves the caller owns the data dir.
func asLocalAdmin() gin.HandlerFunc {
	p := &auth.Principal{Email: "cli", Role: auth.RoleAdmin, Via: "socket"}
	return func(c *gin.Context) {
		c.Set(ctxPrincipal, p)
		c.Next()
	}
}
