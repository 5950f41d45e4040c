// Package render turns the Markdown that contributors and coordinators write into HTML that
// is safe to show.
package render

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer renders Markdown safely: goldmark renders it (raw HTML is escaped, not passed
// through) and bluemonday keeps only the elements and attributes of ordinary text. It is
// safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a renderer: GitHub-flavoured tables, lists and links; no raw HTML.
func New() *Renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return &Renderer{
		md:     goldmark.New(goldmark.WithExtensions(extension.GFM)),
		policy: p,
	}
}

// Markdown renders text to sanitised HTML. Rendering errors cannot leak markup: on one,
// the text is shown escaped.
func (r *Renderer) Markdown(text string) template.HTML {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(text), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(text))
	}
	return template.HTML(r.policy.SanitizeBytes(buf.Bytes()))
}
