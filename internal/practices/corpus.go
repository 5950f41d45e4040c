package practices

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Problem is one thing wrong in a corpus file, located by line.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message) }

// CorpusError lists every problem found in a corpus, in file and line order.
type CorpusError struct{ Problems []Problem }

func (e *CorpusError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

const frontMatterFence = "---"

// ParsePractice reads one corpus file: YAML front matter between two "---" lines, then the
// Markdown body. Every problem is reported with its line; the practice is returned only
// when there is none. geo may be nil to skip the country check.
func ParsePractice(name string, data []byte, geo *Geography) (*Practice, []Problem) {
	body, lines, end, probs := frontMatter(name, data)
	if probs != nil {
		return nil, probs
	}
	const firstLine = 2 // the front matter's first line in the file
	var p Practice
	if err := decodeNode(body, &p); err != nil {
		return nil, yamlProblem(name, firstLine, err)
	}
	p.Body = strings.Join(lines[end+1:], "\n")
	p.Normalize()

	keyLines := frontMatterKeyLines(body, firstLine)
	var problems []Problem
	if want := strings.TrimSuffix(path.Base(name), ".md"); p.ID != "" && p.ID != want {
		problems = append(problems, Problem{name, keyLines["id"], fmt.Sprintf("id %q must match the file name %q", p.ID, want+".md")})
	}
	if err := p.Validate(geo); err != nil {
		problems = append(problems, fieldProblems(name, apperr.As(err).Fields, keyLines, end+2)...)
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return nil, problems
	}
	return &p, nil
}

// frontMatter splits a corpus file into its parsed YAML front matter, its lines and the
// index of the line closing the front matter (the body follows it).
func frontMatter(name string, data []byte) (ast.Node, []string, int, []Problem) {
	problem := func(line int, format string, args ...any) []Problem {
		return []Problem{{File: name, Line: line, Message: fmt.Sprintf(format, args...)}}
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != frontMatterFence {
		return nil, nil, 0, problem(1, "a corpus file must start with a %q line opening its YAML front matter", frontMatterFence)
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == frontMatterFence {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, nil, 0, problem(1, "the front matter opened here is never closed by a %q line", frontMatterFence)
	}
	const firstLine = 2 // the front matter's first line in the file
	file, err := parser.ParseBytes([]byte(strings.Join(lines[1:end], "\n")), 0)
	if err != nil {
		return nil, nil, 0, yamlProblem(name, firstLine, err)
	}
	var body ast.Node
	if len(file.Docs) > 0 {
		body = file.Docs[0].Body
	}
	if body == nil {
		return nil, nil, 0, problem(firstLine, "the front matter is empty")
	}
	return body, lines, end, nil
}

// frontMatterKeyLines maps each top-level key to its line in the file.
func frontMatterKeyLines(body ast.Node, firstLine int) map[string]int {
	out := map[string]int{}
	var values []*ast.MappingValueNode
	switch n := body.(type) {
	case *ast.MappingNode:
		values = n.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{n}
	}
	for _, v := range values {
		out[v.Key.String()] = v.Key.GetToken().Position.Line + firstLine - 1
	}
	return out
}

func fieldProblems(name string, fields map[string]string, keyLines map[string]int, bodyLine int) []Problem {
	var out []Problem
	for field, msg := range fields {
		line, ok := keyLines[field]
		switch {
		case field == "body":
			line = bodyLine
		case !ok:
			line = 1 // a missing key: point at the opening fence
		}
		out = append(out, Problem{File: name, Line: line, Message: field + " " + msg})
	}
	return out
}

func yamlProblem(name string, firstLine int, err error) []Problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return []Problem{{File: name, Line: ye.GetToken().Position.Line + firstLine - 1, Message: "front matter: " + ye.GetMessage()}}
	}
	return []Problem{{File: name, Line: firstLine, Message: "front matter: " + err.Error()}}
}

// ReadCorpus parses every *.md file of dir in fsys (not recursively), and attaches to
// each practice its translations, dir/translations/LANG/ID.md (see readTranslations). It
// returns the practices sorted by id, or a *CorpusError naming every problem in every file.
func ReadCorpus(fsys fs.FS, dir string, geo *Geography) ([]*Practice, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	var out []*Practice
	var problems []Problem
	seen := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") || strings.EqualFold(e.Name(), "README.md") {
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, Problem{File: name, Line: 1, Message: "cannot read: " + err.Error()})
			continue
		}
		p, probs := ParsePractice(name, data, geo)
		problems = append(problems, probs...)
		if p == nil {
			continue
		}
		if other, dup := seen[p.ID]; dup {
			problems = append(problems, Problem{File: name, Line: 2, Message: fmt.Sprintf("id %q is already used by %s", p.ID, other)})
			continue
		}
		seen[p.ID] = name
		out = append(out, p)
	}
	problems = append(problems, readTranslations(fsys, dir, out)...)
	if len(problems) > 0 {
		return nil, &CorpusError{Problems: problems}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// decodeNode decodes YAML into v. The YAML library panics on some malformed input (a
// custom tag on a list, found by fuzzing); that becomes an error naming the front matter,
// not a crash.
func decodeNode(node ast.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the front matter is not YAML that kb can read (check tags such as !x and list syntax): %v", r)
		}
	}()
	return yaml.NodeToValue(node, v, yaml.Strict())
}
