package engine

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The build has the versions of Bleve and zap the contract was checked against: an
// upgrade fails here until someone has read contract.go again. A test binary carries no
// module versions (debug.ReadBuildInfo lists no deps there), so they are asked of the
// go command, which selects the same versions the build used.
func TestContractVersions(t *testing.T) {
	var paths []string
	for p := range checkedVersions {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	cmd := exec.Command("go", append([]string{"list", "-m", "-f", "{{.Path}} {{.Version}}{{with .Replace}} replaced by {{.Path}} {{.Version}}{{end}}"}, paths...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -m: %v\n%s", err, out)
	}
	built := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, version, _ := strings.Cut(line, " ")
		built[path] = version
	}
	for _, path := range paths {
		if got, want := built[path], checkedVersions[path]; got != want {
			t.Errorf("%s is %q in the build, the contract was checked against %s: %s", path, got, want, contractNote)
		}
	}
}
