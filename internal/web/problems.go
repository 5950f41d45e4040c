package web

import (
	"maps"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// formErrors says what is wrong with each field of a form in the visitor's language,
// under the form's names of the fields (practice.contact.name is contact_name).
func (p *Pages) formErrors(c *gin.Context, err error) map[string]string {
	return p.fieldErrors(negotiate(c), apperr.As(err))
}

func (p *Pages) fieldErrors(lang string, e *apperr.Error) map[string]string {
	out := map[string]string{}
	for k, english := range e.Fields {
		field := strings.ReplaceAll(strings.TrimPrefix(k, "practice."), ".", "_")
		out[field] = english
		if pr, ok := e.Problems[k]; ok {
			out[field] = p.catalog.Problem(lang, k, pr.Code, pr.Args)
		}
	}
	return out
}

// fieldList says every wrong field of a request in one line: "Label: problem; …", in
// the order of the fields' names.
func (p *Pages) fieldList(lang string, e *apperr.Error) string {
	errs := p.fieldErrors(lang, e)
	var parts []string
	for _, f := range slices.Sorted(maps.Keys(errs)) {
		parts = append(parts, p.fieldLabel(lang, f)+": "+errs[f])
	}
	return strings.Join(parts, "; ")
}

// fieldLabel names a field as its form or facet does; a field of the assistant's
// suggestions (apply_title) as the suggestion for that field.
func (p *Pages) fieldLabel(lang, f string) string {
	label := f // a filter is named as its facet
	for _, key := range []string{"facet." + f, "field." + f} {
		if p.catalog.Has("en", key) {
			label = p.catalog.T(lang, key)
		}
	}
	if of, ok := strings.CutPrefix(f, "apply_"); ok && label == f {
		return p.catalog.T(lang, "assist.field", p.fieldLabel(lang, of))
	}
	return label
}
