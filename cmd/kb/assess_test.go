package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const assessLevels = "mobility=high,public-services=low,internal-operations=high,coordination=high,citizen-participation=high,economy=high,education=low"

// kb assess answers from flags on a data dir of its own, and through a running server's
// admin socket, where --save gives the private link and --token opens it again.
func TestAssessCommand(t *testing.T) {
	data := seeded(t)
	r := kb(t, "assess", "--data", data, "--country", "AR", "--population", "60000", "--level", assessLevels, "--tools", "broadband,4g-coverage", "--groups", "students")
	if r.code != 0 || !strings.Contains(r.stdout, "education") || !strings.Contains(r.stdout, "[montevideo-wifi-abc]") || !strings.Contains(r.stdout, "40% of them stated a higher level") {
		t.Fatalf("assess: %+v", r)
	}
	if r := kb(t, "assess", "--data", data, "--country", "AR", "--population", "60000", "--level", "education=medium"); r.code != 1 || !strings.Contains(r.stderr, "levels.mobility") {
		t.Errorf("missing levels: %+v", r)
	}
	if r := kb(t, "assess", "--data", data, "--level", "education"); r.code != 2 || !strings.Contains(r.stderr, "QUESTION=LEVEL") {
		t.Errorf("a level without its question: %+v", r)
	}

	c := startChild(t, data, "--network", "Test network")
	defer c.kill()
	r = kb(t, "assess", "--data", data, "--country", "UY", "--population", "300000", "--level", assessLevels, "--save")
	link := regexp.MustCompile(`http://\S+/assess/(kba_\S+)`).FindStringSubmatch(r.stdout)
	if r.code != 0 || link == nil {
		t.Fatalf("assess --save through the server: %+v", r)
	}
	if r := kb(t, "assess", "--data", data, "--token", link[1], "--json"); r.code != 0 || !strings.Contains(r.stdout, `"country": "UY"`) || strings.Contains(r.stdout, link[1]) {
		t.Errorf("assess --token: %+v", r)
	}
	file := filepath.Join(t.TempDir(), "answers.json")
	os.WriteFile(file, []byte(`{"country":"ES","population":45000,"levels":{"mobility":"low","public-services":"medium","internal-operations":"medium","coordination":"low","citizen-participation":"medium","economy":"low","education":"medium"}}`), 0o644)
	if r := kb(t, "assess", "--data", data, "--file", file); r.code != 0 || !strings.Contains(r.stdout, "Self-assessment of ES (45,000 inhabitants)") {
		t.Errorf("assess --file: %+v", r)
	}
	os.WriteFile(file, []byte(`{"country":"ES","wishes":[]}`), 0o644)
	if r := kb(t, "assess", "--data", data, "--file", file); r.code != 2 || !strings.Contains(r.stderr, "wishes") {
		t.Errorf("a file with an unknown field: %+v", r)
	}
}
