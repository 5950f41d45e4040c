package explain

import (
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/uclg-digital-cities/kb/frontend"
	"github.com/uclg-digital-cities/kb/internal/i18n"
)

// words reads as a tiny English analyzer: lower case, "the" dropped, a plural's ending
// stemmed.
type words struct{}

func (words) Analyze(_, text string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if w != "the" {
			if s, ok := strings.CutSuffix(w, "es"); ok {
				w = s
			}
			out = append(out, strings.TrimSuffix(w, "s"))
		}
	}
	return out
}

func (words) Fold(w string) string { return strings.ToLower(w) }

// concepts names "occupancy" crowds and "older people" elderly, a vulnerable group.
type concepts struct{}

func (concepts) Find(_, text string) []Span {
	var out []Span
	for label, c := range map[string]string{"occupancy": "crowds", "older people": "elderly"} {
		if i := strings.Index(strings.ToLower(text), label); i >= 0 {
			out = append(out, Span{Concept: c, Start: i, End: i + len(label)})
		}
	}
	return out
}

func (concepts) Names(c string) map[string]string {
	return map[string]string{"en": c, "es": map[string]string{"crowds": "aglomeraciones", "elderly": "personas mayores"}[c]}
}

func (concepts) IsBelow(c, ancestor string) bool {
	return c == "elderly" && ancestor == "vulnerable-groups"
}

// at locates term at the first occurrence of surface in text.
func at(text, surface string) []*search.Location {
	i := strings.Index(text, surface)
	return []*search.Location{{Start: uint64(i), End: uint64(i + len(surface))}}
}

// A typed word matches as typed, as a form of it, through a concept (also a narrower
// one) or as a typo, strongest first, each quoting the words matched and the fields.
func TestReasonsSayHowEachTypedWordMatched(t *testing.T) {
	title := "Beaches occupancy"
	summary := "A beach for older people"
	body := "Telemedicine at the beach"
	fields := []Field{
		{Name: "title", Lang: "en", Text: title, Terms: search.TermLocationMap{"beach": at(title, "Beaches")}},
		{Name: "summary", Lang: "en", Text: summary, Terms: search.TermLocationMap{"beach": at(summary, "beach")}},
		{Name: "body", Lang: "en", Text: body, Terms: search.TermLocationMap{"telemedicine": at(body, "Telemedicine"), "beach": at(body, "beach"), "nothing": nil}},
	}
	e := New(words{}, concepts{}, []string{"beaches", "aforo", "vulnerable", "telemedicne"},
		map[string][]string{"aforo": {"crowds"}, "vulnerable": {"vulnerable-groups"}})
	got := e.Explain(fields)
	want := []Reason{
		{Via: ViaWord, Typed: "beaches", Matched: []string{"beaches"}, Fields: []string{"title"}, Text: "matched 'beaches'; title"},
		{Via: ViaStem, Typed: "beaches", Matched: []string{"beach"}, Fields: []string{"summary", "body"}, Text: "matched 'beach', a form of 'beaches'; summary, text"},
		{Via: ViaConcept, Typed: "aforo", Concept: "crowds", ConceptNames: map[string]string{"en": "crowds", "es": "aglomeraciones"}, Matched: []string{"occupancy"}, Fields: []string{"title"}, Text: "matched 'occupancy' via concept crowds (from 'aforo'); title"},
		{Via: ViaConcept, Typed: "vulnerable", Concept: "elderly", ConceptNames: map[string]string{"en": "elderly", "es": "personas mayores"}, Matched: []string{"older people"}, Fields: []string{"summary"}, Text: "matched 'older people' via concept elderly (from 'vulnerable'); summary"},
		{Via: ViaTypo, Typed: "telemedicne", Matched: []string{"telemedicine"}, Fields: []string{"body"}, Text: "matched 'telemedicine', read as a typo of 'telemedicne'; text"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons\n got %+v\nwant %+v", got, want)
	}
}

// A concept's label that is itself a typed word is explained as the word, not again as
// the concept; a term no typed word is near is no reason; a location past the stored
// text is skipped.
func TestNoReasonWithoutATypedWord(t *testing.T) {
	text := "occupancy of parks"
	fields := []Field{{Name: "body", Lang: "en", Text: text, Terms: search.TermLocationMap{
		"occupancy": at(text, "occupancy"),
		"park":      at(text, "parks"),
		"gone":      {{Start: 40, End: 44}},
	}}}
	got := New(words{}, concepts{}, []string{"occupancy"}, map[string][]string{"occupancy": {"crowds"}}).Explain(fields)
	if len(got) != 1 || got[0].Via != ViaWord || got[0].Typed != "occupancy" {
		t.Errorf("reasons %+v", got)
	}
}

// A reason quotes at most three words, then says how many more, in English and in the
// catalogues' languages, the concept by its name in the reader's language.
func TestReasonInWordsQuotesThreeWords(t *testing.T) {
	r := Reason{Via: ViaConcept, Typed: "aforo", Concept: "crowds", ConceptNames: map[string]string{"es": "aglomeraciones"},
		Matched: []string{"occupancy", "crowding", "capacity", "queues", "crowd"}, Fields: []string{"title", "keywords"}}
	if got, want := sentence(r), "matched 'occupancy', 'crowding', 'capacity' and 2 more via concept crowds (from 'aforo'); title, tags and place"; got != want {
		t.Errorf("sentence %q, want %q", got, want)
	}
	cat, err := i18n.LoadCatalog(frontend.FS)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.In(cat, "es"), "coincide «occupancy», «crowding», «capacity» y 2 más por el concepto «aglomeraciones» (de «aforo»); título, etiquetas y lugar"; got != want {
		t.Errorf("in Spanish %q, want %q", got, want)
	}
	if got := r.In(cat, "en"); !strings.Contains(got, "“crowds”") {
		t.Errorf("a concept without an English name is not named by its id: %q", got)
	}
}
