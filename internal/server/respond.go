package server

import "github.com/gin-gonic/gin"

// respond renders v with a status, or the error.
func respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(status, v)
}

// actor names the principal of a request in the audit log.
func actor(c *gin.Context) string {
	if p := principal(c); p != nil {
		return p.Email
	}
	return "anonymous"
}
