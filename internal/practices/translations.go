package practices

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

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

// keyStudyTranslated records that the held study cases were given the corpus's
// translations (a data dir seeded before they existed is never seeded again).
var keyStudyTranslated = []byte("study_translations")

// TranslationsAdded is one study case given the corpus's translations it lacked.
type TranslationsAdded struct {
	Before, After *Practice
	Languages     []string
}

// AdoptStudyTranslations gives each study case this store holds as its own copy (not
// harvested) the translations of the corpus it lacks, as a new version; a language
// it already has a translation in (a coordinator's) is kept. It runs once per store;
// onAdd records each change in the same transaction (the audit log).
func (s *Store) AdoptStudyTranslations(study []*Practice, onAdd func(*bolt.Tx, TranslationsAdded) error) (added []TranslationsAdded, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		added = nil
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyStudyTranslated) != nil {
			return nil
		}
		for _, c := range study {
			p, err := GetTx(tx, c.ID)
			if apperr.Code(err) == apperr.NotFound {
				continue
			}
			if err != nil {
				return s.seen(err)
			}
			if !p.Study() || p.Origin != nil || p.URI != c.URI || len(c.Translations) == 0 {
				continue
			}
			next := p.Clone()
			var langs []string
			for _, t := range c.Translations {
				if !slices.ContainsFunc(next.Translations, func(x Translation) bool { return x.Language == t.Language }) {
					t.Results = slices.Clone(t.Results)
					next.Translations = append(next.Translations, t)
					langs = append(langs, t.Language)
				}
			}
			if len(langs) == 0 {
				continue
			}
			sort.SliceStable(next.Translations, func(i, j int) bool { return next.Translations[i].Language < next.Translations[j].Language })
			if p.Version == 1 {
				// The case as seeded, never edited: it becomes, as version 1, what a node
				// seeded today holds, so that every node holds the same version 1 and a
				// version 2 of the study's authority is newer everywhere.
				if err := s.rewrite(tx, next); err != nil {
					return fmt.Errorf("translations of %s: %w", p.ID, err)
				}
			} else {
				res, err := s.PutTx(tx, next, NewVersion)
				if err != nil {
					return fmt.Errorf("translations of %s: %w", p.ID, err)
				}
				next.Version = res.Version
			}
			a := TranslationsAdded{Before: p, After: next, Languages: langs}
			if onAdd != nil {
				if err := onAdd(tx, a); err != nil {
					return err
				}
			}
			added = append(added, a)
		}
		return meta.Put(keyStudyTranslated, []byte(s.now().Format(time.RFC3339)))
	})
	return added, err
}
