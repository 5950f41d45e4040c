package server

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index/schema"
	"github.com/uclg-digital-cities/kb/internal/search"
)

func registerSearch(api *gin.RouterGroup, svc *app.App, expensive gin.HandlerFunc) {
	api.GET("/search", expensive, func(c *gin.Context) {
		req, err := bindSearch(c)
		if err != nil {
			writeError(c, err)
			return
		}
		res, err := svc.Search(c.Request.Context(), req)
		if err != nil {
			writeError(c, err)
			return
		}
		inReadersLanguage(c, res.Hits)
		if lang, cat, err := apiCatalog(c); err == nil && lang != "en" { // English keeps the index's own sentences
			for i := range res.Hits {
				// A copy: the index's cache of recent answers shares the original.
				ex := slices.Clone(res.Hits[i].Explain)
				for j, r := range ex {
					ex[j].Text = r.In(cat, lang)
				}
				res.Hits[i].Explain = ex
			}
		}
		c.JSON(http.StatusOK, res)
	})
}

var searchParams = append([]string{"q", "page", "limit", "explain", "sort"}, schema.FacetNames...)

func bindSearch(c *gin.Context) (search.Request, error) {
	vals, err := queryParams(c, searchParams...)
	if err != nil {
		return search.Request{}, err
	}
	fields := map[string]string{}
	// Bounded here, so that no page or limit a client sends reaches the index out of
	// range; the index still refuses a page × limit past its window.
	req := search.Request{
		Query:   vals.Get("q"),
		Page:    intParamIn(vals, "page", 0, 1, search.MaxWindow, fields),
		Limit:   intParamIn(vals, "limit", 0, 1, search.MaxLimit, fields),
		Filters: map[string][]string{},
		Explain: boolParam(vals, "explain", fields),
		Sort:    vals.Get("sort"),
		Lang:    apiLanguage(c),
	}
	for _, name := range schema.FacetNames {
		for _, v := range vals[name] {
			if v != "" {
				req.Filters[name] = append(req.Filters[name], v)
			}
		}
	}
	if len(fields) > 0 {
		return req, apperr.InvalidFields("the search request is not valid", fields)
	}
	return req, nil
}

func registerSuggest(api *gin.RouterGroup, svc *app.App, expensive gin.HandlerFunc) {
	api.GET("/suggest", expensive, func(c *gin.Context) {
		vals, err := queryParams(c, "q", "limit")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		limit := intParamIn(vals, "limit", search.DefaultSuggestLimit, 1, search.MaxSuggestLimit, fields)
		if len(fields) > 0 {
			writeError(c, apperr.InvalidFields("the suggestion request is not valid", fields))
			return
		}
		res, err := svc.Suggest(c.Request.Context(), vals.Get("q"), limit)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, res)
	})
}
