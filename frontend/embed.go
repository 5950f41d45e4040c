// Package frontend embeds the web interface: HTML templates, static files (CSS and small
// scripts) and the message catalogues of the interface languages.
package frontend

import "embed"

// FS holds templates/, static/ and messages/.
//
//go:embed templates static messages
var FS embed.FS
