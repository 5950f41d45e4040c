package web

import (
	"github.com/uclg-digital-cities/kb/internal/review"
)

// Byline names the author of a version for any reader: their name and role, or their
// role alone; never an address.
func (pg *page) Byline(n *review.VersionNote) string {
	if n == nil {
		return pg.T("version.by.import")
	}
	if n.Name == "" {
		return pg.T("version.by." + n.Role)
	}
	return pg.T("version.by.named", n.Name, pg.T("role."+n.Role))
}

// versionActions are the actions a version records, each with its label
// (version.what.ACTION).
var versionActions = []string{"practice.edit", "practice.revert", "practice.publish", "practice.merge", "practice.merge_submission",
	"practice.archive", "practice.unarchive", "practice.repair"}

// VersionWhat says what made a version: "Edited", "Restored version 3", "Accepted from
// submission X" …
func (pg *page) VersionWhat(n *review.VersionNote) string {
	switch {
	case n == nil:
		return pg.T("version.what.import")
	case n.Restored > 0:
		return pg.T("version.what.practice.revert", n.Restored)
	case n.Action == "practice.merge":
		return pg.T("version.what.practice.merge", n.Into)
	case n.Action == "practice.publish", n.Action == "practice.merge_submission":
		return pg.T("version.what."+n.Action, n.Submission)
	}
	return pg.T("version.what." + n.Action)
}

// spanClass is the class of a word diff's run: kept, removed or added text.
func spanClass(op string) string {
	switch op {
	case "-":
		return "del"
	case "+":
		return "ins"
	}
	return ""
}
