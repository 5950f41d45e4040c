// Package corpus embeds the seed knowledge base from the Smart Cities Study 2021: practices
// (Markdown, with translations), cities and countries, findings, and the thesaurus.
package corpus

import "embed"

// FS holds the corpus files at its root, and their translations in translations/LANG/.
//
//go:embed *.md cities.yaml thesaurus.yaml findings.yaml translations/*/*.md
var FS embed.FS

// GeographyFile is the name of the cities and countries table in FS.
const GeographyFile = "cities.yaml"

// ThesaurusFile is the name of the concept thesaurus in FS.
const ThesaurusFile = "thesaurus.yaml"

// FindingsFile is the name of the study's findings as data in FS.
const FindingsFile = "findings.yaml"
