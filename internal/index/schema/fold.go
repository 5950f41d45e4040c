package schema

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/registry"
)

// foldName is a token filter that folds each term to ASCII ("Bogotá" → "bogota").
// Bleve's asciifolding is a char filter, which runs before tokenizing and shifts every
// offset after an accented letter, so highlights landed beside the words they marked;
// folding tokens instead changes the terms and keeps their offsets.
const foldName = "kb_fold"

type foldFilter struct {
	folder *asciifolding.AsciiFoldingFilter
}

func (f foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		t.Term = f.folder.Filter(t.Term)
	}
	return input
}

func init() {
	err := registry.RegisterTokenFilter(foldName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{folder: asciifolding.New()}, nil
	})
	if err != nil {
		panic(err)
	}
}
