package findings

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Vocab is the controlled vocabularies a findings file refers to (the practices' own, so
// that a figure's area is an area a practice can have).
type Vocab struct {
	Areas, Crises, Groups, Resources []string
}

// Problem is one thing wrong in a findings file, located by line.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message) }

// Error lists every problem of a findings file in line order.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Parse reads and validates a findings file; name is the file's name for problems. It
// returns the findings with each distribution's parts filled in, or an *Error naming
// every problem with its line.
func Parse(name string, data []byte, v Vocab) (*Findings, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, &Error{Problems: []Problem{yamlProblem(name, err)}}
	}
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return nil, &Error{Problems: []Problem{{name, 1, "the findings file is empty"}}}
	}
	var f Findings
	if err := decodeNode(file.Docs[0].Body, &f); err != nil {
		return nil, &Error{Problems: []Problem{yamlProblem(name, err)}}
	}
	c := checker{f: &f, v: v}
	c.check()
	if len(c.problems) > 0 {
		out := make([]Problem, len(c.problems))
		for i, p := range c.problems {
			out[i] = Problem{File: name, Line: lineOf(file, p.path), Message: p.message}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
		return nil, &Error{Problems: out}
	}
	for i, d := range f.Distributions {
		for _, id := range d.PartIDs {
			p, _ := f.Figure(id)
			f.Distributions[i].Parts = append(f.Distributions[i].Parts, p)
		}
	}
	return &f, nil
}

// decodeNode decodes YAML into v, refusing unknown keys. The YAML library panics on some
// malformed input; that becomes an error, not a crash.
func decodeNode(node ast.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not YAML that kb can read (check tags such as !x and list syntax): %v", r)
		}
	}()
	return yaml.NodeToValue(node, v, yaml.Strict())
}

func yamlProblem(name string, err error) Problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return Problem{name, ye.GetToken().Position.Line, ye.GetMessage()}
	}
	return Problem{name, 1, err.Error()}
}

// lineOf is the line of the node at a YAML path such as $.figures[3].value, or of its
// nearest ancestor that exists (a missing key is reported where it belongs).
func lineOf(file *ast.File, path string) int {
	for path != "" && path != "$" {
		if p, err := yaml.PathString(path); err == nil {
			if n, err := p.FilterFile(file); err == nil && n != nil && n.GetToken() != nil {
				return n.GetToken().Position.Line
			}
		}
		cut := max(strings.LastIndexAny(path, ".["), 0)
		path = path[:cut]
	}
	return 1
}

type pathProblem struct{ path, message string }

type checker struct {
	f        *Findings
	v        Vocab
	problems []pathProblem
}

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, pathProblem{path, fmt.Sprintf(format, args...)})
}

var slug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ids checks that every item has a slug id unique among those seen records.
func ids[T any](c *checker, path string, items []T, idOf func(T) string, seen map[string]string) {
	for i, it := range items {
		p := fmt.Sprintf("%s[%d].id", path, i)
		id := idOf(it)
		switch {
		case id == "":
			c.add(p, "id is missing")
		case !slug.MatchString(id):
			c.add(p, "id %q must be lowercase letters, digits and single hyphens", id)
		case seen[id] != "":
			c.add(p, "id %q is already used at %s", id, seen[id])
		default:
			seen[id] = p
		}
	}
}

// text checks that t has a text in each of the file's languages and in no other.
func (c *checker) text(path string, t Text) {
	field := path[strings.LastIndex(path, ".")+1:]
	if len(t) == 0 {
		c.add(path, "%s is missing: give it in %s", field, strings.Join(c.f.Languages, ", "))
		return
	}
	for _, lang := range c.f.Languages {
		if strings.TrimSpace(t[lang]) == "" {
			c.add(path, "%s has no %s text", field, lang)
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		if !slices.Contains(c.f.Languages, lang) {
			c.add(path, "%s has a %q text but %q is not among the file's languages", field, lang, lang)
		}
	}
}

func (c *checker) oneOf(path, what, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		if value == "" {
			c.add(path, "%s is missing", what)
			return
		}
		c.add(path, "%s %q is not one of %s", what, value, strings.Join(allowed, ", "))
	}
}

// list checks that each of values is allowed and given once.
func (c *checker) list(path, what string, values, allowed []string) {
	for i, v := range values {
		q := fmt.Sprintf("%s[%d]", path, i)
		c.oneOf(q, what, v, allowed)
		if slices.Index(values, v) < i {
			c.add(q, "%s %q is given twice", what, v)
		}
	}
}

func (c *checker) check() {
	f := c.f
	if len(f.Languages) == 0 || !slices.Contains(f.Languages, "en") {
		c.add("$.languages", "languages must list the file's languages, en among them")
	}
	if f.Study.Title == "" || f.Study.Cities <= 0 || f.Study.Countries <= 0 {
		c.add("$.study", "study needs its title and its numbers of cities and countries")
	}
	ids(c, "$.sections", f.Sections, func(s Section) string { return s.ID }, map[string]string{})
	for i, s := range f.Sections {
		if s.Chapter <= 0 || s.Page <= 0 {
			c.add(fmt.Sprintf("$.sections[%d]", i), "section %q needs its chapter and page", s.ID)
		}
		c.text(fmt.Sprintf("$.sections[%d].title", i), s.Title)
	}
	ids(c, "$.bases", f.Bases, func(b Base) string { return b.ID }, map[string]string{})
	for i, b := range f.Bases {
		c.text(fmt.Sprintf("$.bases[%d].text", i), b.Text)
	}
	ids(c, "$.scales", f.Scales, func(s Scale) string { return s.ID }, map[string]string{})
	for i, s := range f.Scales {
		p := fmt.Sprintf("$.scales[%d].answers", i)
		if len(s.Answers) == 0 {
			c.add(p, "scale %q has no answers", s.ID)
		}
		ids(c, p, s.Answers, func(a Answer) string { return a.ID }, map[string]string{})
		for j, a := range s.Answers {
			c.text(fmt.Sprintf("%s[%d].label", p, j), a.Label)
		}
	}
	c.figures()
	c.distributions()
	c.lists()
}

func (c *checker) areas() []string { return append([]string{General}, c.v.Areas...) }

func (c *checker) sectionIDs() []string {
	out := make([]string, len(c.f.Sections))
	for i, s := range c.f.Sections {
		out[i] = s.ID
	}
	return out
}

func (c *checker) figures() {
	f := c.f
	if len(f.Figures) == 0 {
		c.add("$.figures", "the file has no figures")
	}
	ids(c, "$.figures", f.Figures, func(x Figure) string { return x.ID }, map[string]string{})
	bases := make([]string, len(f.Bases))
	for i, b := range f.Bases {
		bases[i] = b.ID
	}
	sections := c.sectionIDs()
	for i, x := range f.Figures {
		p := fmt.Sprintf("$.figures[%d]", i)
		c.oneOf(p+".area", "area", x.Area, c.areas())
		c.oneOf(p+".topic", "topic", x.Topic, Topics)
		c.oneOf(p+".base", "base", x.Base, bases)
		c.oneOf(p+".section", "section", x.Section, sections)
		if x.Crisis != "" {
			c.oneOf(p+".crisis", "crisis", x.Crisis, c.v.Crises)
		}
		if x.Subject != "" && !slug.MatchString(x.Subject) {
			c.add(p+".subject", "subject %q must be lowercase letters, digits and single hyphens", x.Subject)
		}
		if x.Value <= 0 || x.Value > 100 {
			c.add(p+".value", "value %v must be a percentage above 0 and at most 100", x.Value)
		}
		c.list(p+".also_in", "section", x.AlsoIn, sections)
		if slices.Contains(x.AlsoIn, x.Section) {
			c.add(p+".also_in", "section %q is the figure's own section", x.Section)
		}
		c.answers(p, x)
		c.text(p+".measures", x.Measures)
	}
}

// answers checks a figure's scale and answers: both or neither, each answer once and on
// the scale.
func (c *checker) answers(p string, x Figure) {
	if x.Scale == "" {
		if len(x.Answers) > 0 {
			c.add(p+".answers", "answers need a scale")
		}
		return
	}
	s, ok := c.f.Scale(x.Scale)
	if !ok {
		c.add(p+".scale", "scale %q is not one of the file's scales", x.Scale)
		return
	}
	if len(x.Answers) == 0 {
		c.add(p+".answers", "a figure on the %q scale needs the answers it counts", x.Scale)
	}
	for j, a := range x.Answers {
		q := fmt.Sprintf("%s.answers[%d]", p, j)
		switch {
		case s.Index(a) < 0:
			c.add(q, "answer %q is not on the %q scale", a, x.Scale)
		case slices.Index(x.Answers, a) < j:
			c.add(q, "answer %q is given twice", a)
		}
	}
}

// roundingSlack is how far above 100% the stated parts of a distribution may add up:
// each is rounded to a whole percent.
const roundingSlack = 1.5

func (c *checker) distributions() {
	f := c.f
	ids(c, "$.distributions", f.Distributions, func(d Distribution) string { return d.ID }, map[string]string{})
	inDistribution := map[string]string{}
	for i, d := range f.Distributions {
		p := fmt.Sprintf("$.distributions[%d]", i)
		c.oneOf(p+".area", "area", d.Area, c.areas())
		c.oneOf(p+".topic", "topic", d.Topic, Topics)
		s, ok := f.Scale(d.Scale)
		if !ok {
			c.add(p+".scale", "scale %q is not one of the file's scales", d.Scale)
			continue
		}
		if len(d.PartIDs) == 0 {
			c.add(p+".parts", "distribution %q has no parts", d.ID)
		}
		var sum float64
		last := -1
		for j, id := range d.PartIDs {
			q := fmt.Sprintf("%s.parts[%d]", p, j)
			x, ok := f.Figure(id)
			if !ok {
				c.add(q, "part %q is not a figure of the file", id)
				continue
			}
			if other, dup := inDistribution[id]; dup {
				c.add(q, "figure %q is already a part of %s", id, other)
				continue
			}
			inDistribution[id] = d.ID
			if x.Area != d.Area || x.Subject != d.Subject || x.Topic != d.Topic || x.Crisis != d.Crisis || x.Scale != d.Scale {
				c.add(q, "figure %q answers another question (area, subject, topic, crisis or scale differ from the distribution's)", id)
				continue
			}
			sum += x.Value
			for _, a := range x.Answers {
				// Parts in scale order and never sharing an answer: each answer's index
				// is past every answer of the parts before.
				k := s.Index(a)
				if k <= last {
					c.add(q, "part %q is out of the scale's order or repeats an answer of an earlier part", id)
					break
				}
				last = k
			}
		}
		if sum > 100+roundingSlack {
			c.add(p+".parts", "the parts of %q add up to %v%%, more than 100%%", d.ID, sum)
		}
	}
}

func (c *checker) lists() {
	f := c.f
	sections := c.sectionIDs()
	c.oneOf("$.vulnerable_groups.section", "section", f.VulnerableGroups.Section, sections)
	c.list("$.vulnerable_groups.groups", "group", f.VulnerableGroups.Groups, c.v.Groups)
	c.oneOf("$.priorities.section", "section", f.Priorities.Section, sections)
	c.list("$.priorities.areas", "area", f.Priorities.Areas, c.v.Areas)
	ids(c, "$.tools", f.Tools, func(l ToolList) string { return l.ID }, map[string]string{})
	tools := map[string]string{}
	for i, l := range f.Tools {
		p := fmt.Sprintf("$.tools[%d]", i)
		c.oneOf(p+".area", "area", l.Area, c.areas())
		c.oneOf(p+".section", "section", l.Section, sections)
		c.text(p+".title", l.Title)
		if len(l.Items) == 0 {
			c.add(p+".items", "tool list %q has no items", l.ID)
		}
		ids(c, p+".items", l.Items, func(t Tool) string { return t.ID }, tools)
		for j, t := range l.Items {
			q := fmt.Sprintf("%s.items[%d]", p, j)
			if t.Resource != "" {
				c.oneOf(q+".resource", "resource", t.Resource, c.v.Resources)
			}
			c.text(q+".text", t.Text)
		}
	}
}
