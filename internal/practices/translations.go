package practices

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// TranslationsDir is the folder of a corpus holding its translations, one folder per
// language: translations/es/ID.md is the Spanish text of practice ID.
const TranslationsDir = "translations"

// translationFile is the front matter of a translation file.
type translationFile struct {
	ID       string   `yaml:"id"`
	Language string   `yaml:"language"`
	Title    string   `yaml:"title"`
	Summary  string   `yaml:"summary"`
	Results  []string `yaml:"results"`
}

// readTranslations reads dir/translations/LANG/*.md of fsys and attaches each file to its
// practice in ps as a translation made by the knowledge base's team (By TranslatedByKB),
// not yet checked by the network (Reviewed false). A corpus without translations is
// fine; every problem in a translation file is returned with its line.
func readTranslations(fsys fs.FS, dir string, ps []*Practice) []Problem {
	root := path.Join(dir, TranslationsDir)
	langs, err := fs.ReadDir(fsys, root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []Problem{{File: root, Line: 1, Message: "cannot read: " + err.Error()}}
	}
	byID := make(map[string]*Practice, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	var problems []Problem
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		folder := path.Join(root, l.Name())
		if !Languages.Has(l.Name()) || l.Name() == "en" {
			problems = append(problems, Problem{File: folder, Line: 1, Message: fmt.Sprintf("%q is not a language the corpus is translated into (%s, except en)", l.Name(), strings.Join(Languages.IDs(), ", "))})
			continue
		}
		files, err := fs.ReadDir(fsys, folder)
		if err != nil {
			problems = append(problems, Problem{File: folder, Line: 1, Message: "cannot read: " + err.Error()})
			continue
		}
		for _, f := range files {
			if f.IsDir() || !strings.HasSuffix(f.Name(), ".md") {
				continue
			}
			name := path.Join(folder, f.Name())
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				problems = append(problems, Problem{File: name, Line: 1, Message: "cannot read: " + err.Error()})
				continue
			}
			t, id, probs := ParseTranslation(name, data, l.Name(), byID)
			problems = append(problems, probs...)
			if probs == nil {
				p := byID[id]
				p.Translations = append(p.Translations, t)
			}
		}
	}
	for _, p := range ps {
		sort.SliceStable(p.Translations, func(i, j int) bool { return p.Translations[i].Language < p.Translations[j].Language })
	}
	return problems
}

// ParseTranslation reads one translation file of the corpus, in the folder of language
// lang: front matter id, language, title, summary and results (as many as the
// original's), then the translated Markdown body. byID holds the corpus's practices.
func ParseTranslation(name string, data []byte, lang string, byID map[string]*Practice) (Translation, string, []Problem) {
	node, lines, end, probs := frontMatter(name, data)
	if probs != nil {
		return Translation{}, "", probs
	}
	const firstLine = 2
	var f translationFile
	if err := decodeNode(node, &f); err != nil {
		return Translation{}, "", yamlProblem(name, firstLine, err)
	}
	keyLines := frontMatterKeyLines(node, firstLine)
	line := func(key string) int {
		if n, ok := keyLines[key]; ok {
			return n
		}
		return 1 // a missing key: point at the opening fence
	}
	var problems []Problem
	add := func(n int, format string, args ...any) {
		problems = append(problems, Problem{File: name, Line: n, Message: fmt.Sprintf(format, args...)})
	}
	body := strings.TrimSpace(strings.Join(lines[end+1:], "\n"))
	want := strings.TrimSuffix(path.Base(name), ".md")
	p := byID[f.ID]
	switch {
	case f.ID == "":
		add(line("id"), "id is required")
	case f.ID != want:
		add(line("id"), "id %q must match the file name %q", f.ID, want+".md")
	case p == nil:
		add(line("id"), "id %q is no practice of the corpus", f.ID)
	}
	if f.Language != lang {
		add(line("language"), "language %q must be that of its folder, %q", f.Language, lang)
	}
	if strings.TrimSpace(f.Title) == "" {
		add(line("title"), "title is required")
	}
	if strings.TrimSpace(f.Summary) == "" {
		add(line("summary"), "summary is required")
	}
	if body == "" {
		add(end+2, "body is required: the translated text follows the front matter")
	}
	for i, r := range f.Results {
		if strings.TrimSpace(r) == "" {
			add(line("results"), "results[%d] is empty", i)
		}
	}
	if p != nil && len(f.Results) != len(p.Results) {
		add(line("results"), "results has %d entries, the original %d: translate each, in its order", len(f.Results), len(p.Results))
	}
	t := Translation{Language: f.Language, Title: strings.TrimSpace(f.Title), Summary: strings.TrimSpace(f.Summary),
		Body: body, Results: f.Results, By: TranslatedByKB}
	if p != nil && len(problems) == 0 {
		var fields apperr.FieldErrors
		validateTranslations(&fields, []Translation{t})
		for field, msg := range apperr.As(fields.Err("")).Fields {
			key := strings.TrimPrefix(field, "translations[0].")
			n := line(key)
			if key == "body" {
				n = end + 2
			}
			add(n, "%s %s", key, msg)
		}
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return Translation{}, "", problems
	}
	return t, f.ID, nil
}
