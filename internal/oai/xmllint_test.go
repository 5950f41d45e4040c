package oai_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needXmllint finds xmllint, from Debian's libxml2-utils: .ci/run installs it; without it
// a test fails in CI and is skipped elsewhere.
func needXmllint(t testing.TB) string {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is missing; .ci/run installs libxml2-utils")
		}
		t.Skip("no xmllint here: apt-get install -y libxml2-utils to run this test")
	}
	return xmllint
}

// document is an XML text to validate, named by what produced it.
type document struct {
	name string
	body []byte
}

// validate checks every document against schema in one run of xmllint, which never
// reaches the network: the schemas import each other by relative paths.
func validate(t *testing.T, schema string, docs []document) {
	t.Helper()
	xmllint := needXmllint(t)
	dir := t.TempDir()
	args := []string{"--noout", "--nonet", "--schema", schema}
	for i, d := range docs {
		file := filepath.Join(dir, fmt.Sprintf("%03d.xml", i))
		if err := os.WriteFile(file, d.body, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, file)
	}
	out, err := exec.Command(xmllint, args...).CombinedOutput()
	if err == nil {
		return
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if !strings.HasSuffix(l, " validates") && l != "" {
			lines = append(lines, l)
		}
	}
	for i, d := range docs {
		file := filepath.Join(dir, fmt.Sprintf("%03d.xml", i))
		var errs []string
		for _, l := range lines {
			if strings.HasPrefix(l, file) {
				errs = append(errs, strings.TrimPrefix(l, file))
			}
		}
		if len(errs) > 0 {
			t.Errorf("%s does not validate against %s:\n%s\n%.600s", d.name, filepath.Base(schema), strings.Join(errs, "\n"), d.body)
		}
	}
	if !t.Failed() {
		t.Fatalf("xmllint failed: %v\n%s", err, out)
	}
}
