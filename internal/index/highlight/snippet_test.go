package highlight

import "testing"

func TestCleanSnippet(t *testing.T) {
	for in, want := range map[string]string{
		"…hools closed, <mark>students</mark> could not\n\n## What was done\nThe city…":       "…closed, <mark>students</mark> could not The…",
		"…000 <mark>students</mark> in 17 173 connection points (April 2021), each allow…":    "…<mark>students</mark> in 17 173 connection points (April 2021), each…",
		"**Bold** <mark>wifi</mark> and a [link text](https://example.org/x) and `code`":      "Bold <mark>wifi</mark> and a link text and code",
		"…5% of the <mark>budget</mark> reached 12,000 people and 3.5…":                       "…of the <mark>budget</mark> reached 12,000 people and…",
		"…ed by &gt; quote <mark>drones</mark> _flying_ over ![map](m.png) the ](half) city…": "…by &gt; quote <mark>drones</mark> flying over map the…",
		"- a list <mark>item</mark>\n1. and another":                                          "a list <mark>item</mark> and another",
		"…de <mark>COVID</mark>-1…":                                                           "…<mark>COVID</mark>…",
		"…done\n## <mark>Results</mark>\nThe city…":                                           "…<mark>Results</mark> The…",
		"&#39;Ruta 100K&#39; <mark>devices</mark>":                                            "&#39;Ruta 100K&#39; <mark>devices</mark>",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
