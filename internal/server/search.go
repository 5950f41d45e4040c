package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/index"
)

func registerSearch(api *gin.RouterGroup, svc Service, expensive gin.HandlerFunc) {
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
		c.JSON(http.StatusOK, res)
	})
}

var searchParams = append([]string{"q", "page", "limit", "explain"}, index.FacetNames...)

func bindSearch(c *gin.Context) (index.Request, error) {
	vals, err := queryParams(c, searchParams...)
	if err != nil {
		return index.Request{}, err
	}
	fields := map[string]string{}
	req := index.Request{
		Query:   vals.Get("q"),
		Page:    intParam(vals, "page", fields),
		Limit:   intParam(vals, "limit", fields),
		Filters: map[string][]string{},
		Explain: boolParam(vals, "explain", fields),
	}
	if _, ok := vals["page"]; ok && req.Page == 0 && fields["page"] == "" {
		fields["page"] = "must be 1 or more"
	}
	if _, ok := vals["limit"]; ok && req.Limit == 0 && fields["limit"] == "" {
		fields["limit"] = "must be between 1 and 100"
	}
	for _, name := range index.FacetNames {
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

func registerSuggest(api *gin.RouterGroup, svc Service, expensive gin.HandlerFunc) {
	api.GET("/suggest", expensive, func(c *gin.Context) {
		vals, err := queryParams(c, "q", "limit")
		if err != nil {
			writeError(c, err)
			return
		}
		fields := map[string]string{}
		limit := intParamOr(vals, "limit", index.DefaultSuggestLimit, fields)
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
