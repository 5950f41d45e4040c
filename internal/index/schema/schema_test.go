package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/thesaurus"
)

// fakeConcepts names "elderly" once in a text that has the word, one step below "vulnerable-groups".
type fakeConcepts struct{}

func (fakeConcepts) Match(lang, text string) []thesaurus.Hit {
	if i := strings.Index(text, "elderly"); i >= 0 {
		return []thesaurus.Hit{{Concept: "elderly", Start: i, End: i + len("elderly")}}
	}
	return nil
}

func (fakeConcepts) Above(c string) []string {
	if c == "elderly" {
		return []string{"1:vulnerable-groups"}
	}
	return nil
}

func practice() *practices.Practice {
	return &practices.Practice{
		ID: "p1", Title: "Mapas para Bogotá", Summary: "Un resumen.", Body: "Texto.\n",
		City: "Bogotá", Country: "CO", Region: "latin-america", Languages: []string{"es"},
		Tags: []string{"open-data"}, Status: "operational",
		Translations: []practices.Translation{{Language: "en", Title: "Maps for elderly people", Summary: "A summary.", Body: "Text.\n"}},
	}
}

func TestDocumentSearchesATranslationInItsLanguage(t *testing.T) {
	doc := Document(practice(), fakeConcepts{}, nil)
	if got := doc[LangField]; !slices.Equal(got.([]string), []string{"es", "en"}) {
		t.Errorf("languages %v, want [es en]", got)
	}
	if doc["title_es"] != "Mapas para Bogotá" || doc["title_en"] != "Maps for elderly people" {
		t.Errorf("titles %q and %q", doc["title_es"], doc["title_en"])
	}
	if kw := doc["keywords_es"].(string); !strings.Contains(kw, "open data") || !strings.Contains(kw, "Bogotá") {
		t.Errorf("keywords %q lack the tag's words or the city", kw)
	}
	// The translation's concepts are not the authors' text's: none here.
	if c := doc[ConceptsField].([]string); len(c) != 0 {
		t.Errorf("concepts %v, want none", c)
	}

	p := practice()
	p.Languages, p.Translations = []string{"xx"}, nil
	if doc := Document(p, fakeConcepts{}, nil); doc["title_en"] != p.Title {
		t.Errorf("a practice in a language the index does not analyse is not read as English: %v", doc[LangField])
	}
}

func TestDocumentNamesConceptsAndThoseAbove(t *testing.T) {
	p := practice()
	p.Languages, p.Translations = []string{"en"}, nil
	p.Title, p.Body = "Care for elderly people", "Volunteers visit the elderly.\n"
	doc := Document(p, fakeConcepts{}, nil)
	if c := doc[ConceptsField].([]string); !slices.Equal(c, []string{"elderly", "elderly"}) {
		t.Errorf("concepts %v, want one per mention", c)
	}
	if c := doc[LeadConceptsField].([]string); !slices.Equal(c, []string{"elderly"}) {
		t.Errorf("lead concepts %v, want the title's", c)
	}
	if c := doc[BroaderConceptsField].([]string); !slices.Equal(c, []string{"1:vulnerable-groups", "1:vulnerable-groups"}) {
		t.Errorf("broader concepts %v", c)
	}
}

func TestNetworkIsThePeersOrLocal(t *testing.T) {
	for _, tc := range []struct {
		origin *practices.Origin
		want   string
	}{
		{nil, LocalNetwork},
		{&practices.Origin{Peer: "relay"}, "relay"},
		{&practices.Origin{Peer: "relay", Network: "metropolis"}, "metropolis"},
	} {
		if got := Network(&practices.Practice{Origin: tc.origin}); got != tc.want {
			t.Errorf("origin %+v: network %q, want %q", tc.origin, got, tc.want)
		}
	}
}

// The mapping indexes what Document writes: facets as keywords, text folded to ASCII.
func TestMappingFindsWhatTheDocumentHolds(t *testing.T) {
	m, err := Mapping()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Index("p1", Document(practice(), fakeConcepts{}, nil)); err != nil {
		t.Fatal(err)
	}
	a := NewAnalysis(m)
	if stem := a.Analyzer("es").Analyze([]byte("Bogotá")); len(stem) != 1 || strings.ContainsRune(string(stem[0].Term), 'á') {
		t.Fatalf("the Spanish analyzer reads Bogotá as %v, want one term folded to ASCII", stem)
	}
	if w := a.Words("Bogotá, bogotá! Ñandú"); !slices.Equal(w, []string{"bogota", "nandu"}) {
		t.Errorf("words %v, want [bogota nandu]", w)
	}
	for field, term := range map[string]string{
		FacetFields["country"]: "CO",
		FacetFields["tag"]:     "open-data",
		FacetFields["network"]: LocalNetwork,
		AllFacetsField:         "region:latin-america",
		ExactField("es"):       a.Fold("Bogotá"),
		"title_es":             string(a.Analyzer("es").Analyze([]byte("Bogotá"))[0].Term),
		TitleSuggestField:      "bog",
		StatusField:            "operational",
	} {
		q := bleve.NewTermQuery(term)
		q.SetField(field)
		res, err := idx.Search(bleve.NewSearchRequest(q))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 {
			t.Errorf("%s:%s finds %d practices, want 1", field, term, res.Total)
		}
	}
}
