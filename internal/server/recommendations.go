package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/recommend"
)

func registerRecommendations(api *gin.RouterGroup, svc *app.App, expensive gin.HandlerFunc) {
	api.POST("/recommendations", expensive, func(c *gin.Context) {
		var p recommend.Profile
		if err := bindJSON(c, &p); err != nil {
			writeError(c, err)
			return
		}
		res, err := svc.Recommend(c.Request.Context(), p)
		if err != nil {
			writeError(c, err)
			return
		}
		if lang, cat, err := apiCatalog(c); err == nil {
			res.SayIn(cat, lang)
		}
		c.JSON(http.StatusOK, res)
	})
}
