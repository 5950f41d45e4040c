package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (p *Pages) registerAbout(g *gin.RouterGroup) {
	g.GET("/about", p.about)
}

// about says what the knowledge base is, where its cases come from, who runs this node,
// what may be done with the data and how to take it.
func (p *Pages) about(c *gin.Context) {
	p.render(c, http.StatusOK, "about", map[string]any{
		"NetworkEmail": p.cfg.NetworkEmail, "OAI": p.abs("/oai"), "API": p.abs("/api/v1/openapi.json"),
		"Feed": p.abs("/feed.atom"), "Base": p.cfg.BaseURL,
	})
}

// Rights is the rights statement of the records, in every interface language: the
// about page shows it and OAI-PMH gives it as dc:rights, so both say the same.
func (p *Pages) Rights() map[string]string {
	out := make(map[string]string, len(Languages))
	for _, l := range Languages {
		out[l.Code] = p.catalog.T(l.Code, "about.rights.statement", p.cfg.NetworkName)
	}
	return out
}
