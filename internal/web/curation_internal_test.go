package web

import (
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/frontend"
	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// The messages the coordinators' pages choose in code exist in every language, and an
// audit sentence takes its arguments by index, so that one that leaves some out says
// nothing of the rest.
func TestCoordinatorMessagesChosenInCodeExist(t *testing.T) {
	cat, err := i18n.LoadCatalog(frontend.FS)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range auditActions {
		keys = append(keys, "audit.s."+a)
	}
	for _, k := range auditKinds {
		keys = append(keys, "audit.what."+k)
	}
	for _, a := range versionActions {
		keys = append(keys, "version.what."+a)
	}
	keys = append(keys, sessionColumns...)
	for _, r := range []string{"coordinator", "admin"} {
		keys = append(keys, "role."+r, "version.by."+r)
	}
	for _, k := range keys {
		for _, l := range i18n.Languages {
			msg, ok := cat.Message(l.Code, k).Forms["other"], cat.Has(l.Code, k)
			if !ok {
				t.Errorf("%s lacks %q", l.Code, k)
			}
			if strings.HasPrefix(k, "audit.s.") && !strings.Contains(msg, "%[1]s") {
				t.Errorf("%s %q does not take its arguments by index: %q", l.Code, k, msg)
			}
		}
	}
}
