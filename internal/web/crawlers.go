package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// robots keeps crawlers off the pages that are private or useless to index, and points
// them to the sitemap.
func (p *Pages) robots(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.String(http.StatusOK, "User-agent: *\nDisallow: /review\nDisallow: /track\nDisallow: /login\n\nSitemap: %s\n", p.abs("/sitemap.xml"))
}

// sitemapSize is the protocol's limit of URLs in one sitemap file (a variable for tests).
var sitemapSize = 50000

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// sitemap lists the home page and every practice whose page here is the canonical one,
// with the time of its last change; past the protocol's limit, /sitemap.xml is an index of pages
// /sitemap.xml?page=N.
func (p *Pages) sitemap(c *gin.Context) {
	page, paged := 1, c.Query("page") != ""
	if paged {
		n, err := strconv.Atoi(c.Query("page"))
		if err != nil || n < 1 {
			p.fail(c, apperr.InvalidFields("no such sitemap", map[string]string{"page": "must be a number from 1"}))
			return
		}
		page = n
	}
	// URL number i (0 is the home page) is on page i/sitemapSize + 1.
	first := (page - 1) * sitemapSize
	set := sitemapURLSet{}
	if first == 0 {
		set.URLs = append(set.URLs, sitemapURL{Loc: p.abs("/")})
	}
	n := 1
	err := p.cfg.Service.Published(c, func(id string, updated time.Time) bool {
		if n >= first && n < first+sitemapSize {
			set.URLs = append(set.URLs, sitemapURL{Loc: p.abs("/practices/" + id), LastMod: updated.UTC().Format(time.RFC3339)})
		}
		n++
		return true
	})
	if err != nil {
		p.fail(c, err)
		return
	}
	pages := (n + sitemapSize - 1) / sitemapSize
	var doc any = set
	switch {
	case !paged && pages > 1:
		index := sitemapIndex{}
		for i := 1; i <= pages; i++ {
			index.Sitemaps = append(index.Sitemaps, sitemapURL{Loc: p.abs("/sitemap.xml?page=" + strconv.Itoa(i))})
		}
		doc = index
	case page > pages:
		p.fail(c, apperr.Errorf(apperr.NotFound, "the sitemap has %d pages", pages))
		return
	}
	c.Header("Content-Type", "application/xml; charset=utf-8")
	c.Status(http.StatusOK)
	fmt.Fprint(c.Writer, xml.Header)
	xml.NewEncoder(c.Writer).Encode(doc)
}
