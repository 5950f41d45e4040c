package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/auth"
)

// registerAccounts adds login and logout (session cookies, for the web pages), the
// current principal, and the admin's user and token management. The account service
// limits failed logins, for this door and the login page's alike.
func registerAccounts(api *gin.RouterGroup, svc *auth.Service, secure bool) {
	api.POST("/login", func(c *gin.Context) {
		var in struct {
			Email    string `json:"email"`
			Password string `json:"password"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		p, err := svc.Login(c.Request.Context(), in.Email, in.Password)
		if err != nil {
			writeError(c, err)
			return
		}
		id, sess, expires, err := svc.CreateSession(c.Request.Context(), p, c.Request.UserAgent())
		if err != nil {
			writeError(c, err)
			return
		}
		setSessionCookie(c, id, expires, secure)
		c.JSON(http.StatusOK, gin.H{"email": sess.Email, "role": sess.Role, "csrf_token": sess.CSRF, "expires": expires})
	})
	api.POST("/logout", func(c *gin.Context) {
		if id, err := c.Cookie(sessionCookie); err == nil {
			svc.EndSession(id)
		}
		setSessionCookie(c, "", time.Unix(0, 0), secure)
		c.Status(http.StatusNoContent)
	})
	api.GET("/me", requireRole(auth.RoleCoordinator), func(c *gin.Context) {
		c.JSON(http.StatusOK, principal(c))
	})
	// One's own web sessions, to end those one does not recognise.
	api.GET("/me/sessions", requireRole(auth.RoleCoordinator), func(c *gin.Context) {
		ss, err := svc.Sessions(principal(c).Email, principal(c).Session)
		respond(c, http.StatusOK, gin.H{"sessions": ss}, err)
	})
	api.DELETE("/me/sessions/:id", requireRole(auth.RoleCoordinator), func(c *gin.Context) {
		if err := svc.EndSessionOf(principal(c).Email, c.Param("id"), actor(c)); err != nil {
			writeError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})

	admin := api.Group("", requireRole(auth.RoleAdmin))
	admin.GET("/users", func(c *gin.Context) {
		us, err := svc.Users()
		respond(c, http.StatusOK, gin.H{"users": us}, err)
	})
	admin.POST("/users", func(c *gin.Context) {
		var in struct{ Email, Role, Password string }
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		u, err := svc.AddUser(in.Email, in.Role, in.Password, actor(c))
		respond(c, http.StatusCreated, u, err)
	})
	admin.POST("/users/:email/disable", func(c *gin.Context) {
		u, err := svc.SetDisabled(c.Param("email"), true, actor(c))
		respond(c, http.StatusOK, u, err)
	})
	admin.POST("/users/:email/enable", func(c *gin.Context) {
		u, err := svc.SetDisabled(c.Param("email"), false, actor(c))
		respond(c, http.StatusOK, u, err)
	})
	admin.DELETE("/users/:email", func(c *gin.Context) {
		if err := svc.RemoveUser(c.Param("email"), actor(c)); err != nil {
			writeError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
	admin.GET("/tokens", func(c *gin.Context) {
		ts, err := svc.Tokens()
		respond(c, http.StatusOK, gin.H{"tokens": ts}, err)
	})
	admin.POST("/tokens", func(c *gin.Context) {
		var in struct{ Email, Name string }
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		token, info, err := svc.CreateToken(in.Email, in.Name, actor(c))
		respond(c, http.StatusCreated, gin.H{"token": token, "info": info}, err)
	})
	admin.POST("/tokens/:id/revoke", func(c *gin.Context) {
		err := svc.RevokeToken(c.Param("id"), actor(c))
		respond(c, http.StatusOK, gin.H{"id": c.Param("id"), "revoked": true}, err)
	})
}

// setSessionCookie sets (or, with an empty id, clears) the session cookie: HttpOnly so
// scripts cannot read it, SameSite=Lax against cross-site posts, Secure under TLS.
func setSessionCookie(c *gin.Context, id string, expires time.Time, secure bool) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", Expires: expires,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}
