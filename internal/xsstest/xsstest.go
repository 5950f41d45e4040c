// Package xsstest helps the tests of several packages check that user text never runs as
// script: OWASP XSS filter evasion payloads, and a checker that parses HTML as browsers do.
package xsstest

import (
	"strings"

	"golang.org/x/net/html"
)

// Payloads from the OWASP XSS filter evasion cheat sheet, and a few more.
var Payloads = []string{
	`<script>alert('XSS')</script>`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`<IMG SRC=javascript:alert('XSS')>`,
	`<IMG SRC=JaVaScRiPt:alert('XSS')>`,
	"<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
	`<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\>`,
	`<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>`,
	`<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">`,
	`<SVG/onload=alert('XSS')>`,
	`<BODY ONLOAD=alert('XSS')>`,
	`<IFRAME SRC="javascript:alert('XSS');"></IFRAME>`,
	`<a href="javascript:alert(1)">click</a>`,
	`[click](javascript:alert(1))`,
	`[click](JaVaScRiPt:alert(1))`,
	`![x](javascript:alert(1))`,
	`<div style="background-image: url(javascript:alert('XSS'))">`,
	`<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">`,
	`<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>`,
	`"><script>alert(document.cookie)</script>`,
	`<details open ontoggle=alert(1)>`,
	`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
}

// Dangerous reports the first element or attribute of html that could run script, as
// a browser would parse it: script-capable elements, event handlers, style, and URLs with
// a javascript: or data: scheme.
func Dangerous(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "script", "iframe", "object", "embed", "svg", "math", "meta", "body", "style", "link", "base", "form", "details":
				return "<" + string(name) + ">"
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key, val := string(k), strings.ToLower(strings.TrimSpace(string(v)))
				if strings.HasPrefix(key, "on") || key == "style" || key == "formaction" {
					return key + "="
				}
				if (key == "href" || key == "src" || key == "xlink:href" || key == "action") &&
					(strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "vbscript:")) {
					return key + "=" + val
				}
			}
		}
	}
}
