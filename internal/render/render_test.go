package render_test

import (
	"strings"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/xsstest"

	"github.com/uclg-digital-cities/kb/internal/render"
)

func TestMarkdownNeverLetsScriptThrough(t *testing.T) {
	r := render.New()
	for _, p := range xsstest.Payloads {
		for _, text := range []string{p, "Text before.\n\n" + p + "\n\nand after", "- item " + p} {
			if bad := xsstest.Dangerous(string(r.Markdown(text))); bad != "" {
				t.Errorf("%q rendered with %q: %s", text, bad, r.Markdown(text))
			}
		}
	}
}

// The checker itself catches what a browser would run.
func TestCheckerCatchesRawPayloads(t *testing.T) {
	for _, raw := range []string{`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href=" JavaScript:alert(1)">x</a>`, `<p style="x">`, `<svg/onload=alert(1)>`} {
		if xsstest.Dangerous(raw) == "" {
			t.Errorf("the checker misses %q", raw)
		}
	}
	if bad := xsstest.Dangerous(`<p>&lt;script&gt;alert(1)&lt;/script&gt; <a href="https://x.org" rel="nofollow">x</a></p>`); bad != "" {
		t.Errorf("escaped text flagged: %s", bad)
	}
}

func TestMarkdownKeepsOrdinaryText(t *testing.T) {
	out := string(render.New().Markdown("## The problem\n\nSome **bold** text, a [link](https://example.org) and a list:\n\n- one\n- two\n\n| a | b |\n| - | - |\n| 1 | 2 |\n"))
	for _, want := range []string{"<h2", "The problem", "<strong>bold</strong>", `href="https://example.org"`, `rel="nofollow"`, "<li>one</li>", "<table>"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered Markdown lacks %q:\n%s", want, out)
		}
	}
}
