package review

import (
	"reflect"
	"strings"
	"testing"
)

func TestWordsGiveTheTextBack(t *testing.T) {
	for _, s := range []string{"", "one", "Two words, and punctuation!", "  spaces\n\nand lines ", "àccents ñ and 中文 text", "a--b"} {
		if got := strings.Join(words(s), ""); got != s {
			t.Errorf("words(%q) joined: %q", s, got)
		}
	}
	if got := words("Hello, big world"); !reflect.DeepEqual(got, []string{"Hello", ",", " ", "big", " ", "world"}) {
		t.Errorf("tokens %q", got)
	}
}

func TestWordDiffMarksTheWordsThatChanged(t *testing.T) {
	got := wordDiff("The city installed solar kiosks in three markets.", "The city installed solar kiosks in five markets.")
	want := []Span{{"=", "The city installed solar kiosks in "}, {"-", "three"}, {"+", "five"}, {"=", " markets."}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("word diff\n got %q\nwant %q", got, want)
	}
	// Both sides come back whole from the spans.
	a, b := "Lessons on the radio.\n\nEvery morning at nine.", "Lessons on municipal radio.\n\nEvery morning at nine, and on Saturdays."
	var ra, rb strings.Builder
	for _, s := range wordDiff(a, b) {
		if s.Op != "+" {
			ra.WriteString(s.Text)
		}
		if s.Op != "-" {
			rb.WriteString(s.Text)
		}
	}
	if ra.String() != a || rb.String() != b {
		t.Errorf("spans do not rebuild the texts: %q / %q", ra.String(), rb.String())
	}
	if got := wordDiff("same", "same"); !reflect.DeepEqual(got, []Span{{"=", "same"}}) {
		t.Errorf("no change: %q", got)
	}
	if symbol(0xD800) < 0xE000 {
		t.Error("a token's symbol falls among the surrogates")
	}
}
