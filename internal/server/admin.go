package server

import (
	"bufio"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// maxImportBody caps an import sent over the admin socket.
const maxImportBody = 1 << 30

// Import modes on the wire.
const (
	ModeKeep = "keep" // keep the versions and dates of the records (restoring an export)
	ModeNew  = "new"  // stamp new versions (importing a corpus)
)

// registerAdmin adds the routes the CLI reaches over the admin socket while a server
// holds the store. They are never registered on the public engine.
func registerAdmin(g *gin.RouterGroup, svc AdminService) {
	g.POST("/import", func(c *gin.Context) {
		mode := practices.NewVersion
		switch c.Query("mode") {
		case ModeKeep:
			mode = practices.KeepVersion
		case ModeNew, "":
		default:
			writeError(c, apperr.InvalidFields("bad import mode", map[string]string{"mode": "must be keep or new"}))
			return
		}
		ps, err := practices.ReadJSONL("request", c.Request.Body)
		if err != nil {
			writeError(c, apperr.InvalidFields("the import is not valid", map[string]string{"body": err.Error()}))
			return
		}
		report, err := svc.Import(c.Request.Context(), ps, mode)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, report)
	})
	g.GET("/export", func(c *gin.Context) {
		c.Status(http.StatusOK)
		if err := svc.Export(c.Request.Context(), c.Writer, c.Query("format")); err != nil {
			writeError(c, err)
		}
	})
	g.GET("/backup", func(c *gin.Context) {
		c.Header("Content-Type", "application/octet-stream")
		c.Status(http.StatusOK)
		if err := svc.Backup(c.Request.Context(), c.Writer); err != nil {
			logger(c).Error("backup failed", "err", err)
			c.Abort() // the client sees a short body and fails
		}
	})
	// Reindex streams "done total" lines as it goes, then "ok" or "error: message".
	g.POST("/reindex", func(c *gin.Context) {
		c.Header("Content-Type", "text/plain; charset=utf-8")
		w := bufio.NewWriter(c.Writer)
		err := svc.Reindex(c.Request.Context(), func(done, total int) {
			fmt.Fprintf(w, "%d %d\n", done, total)
			w.Flush()
			c.Writer.Flush()
		})
		if err != nil {
			logger(c).Error("reindex failed", "err", err)
			fmt.Fprintf(w, "error: %s\n", apperr.As(err).Message)
		} else {
			fmt.Fprintln(w, "ok")
		}
		w.Flush()
	})
}
