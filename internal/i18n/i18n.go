// Package i18n holds the message catalogues and says numbers, dates and countries as each
// interface language writes them.
package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/uclg-digital-cities/kb/frontend"
)

// Language is one language of the interface.
type Language struct{ Code, Name string }

// Languages of the interface: the network's working languages and Portuguese, spoken
// by a good part of its cities; English first, as the fallback for any missing message.
var Languages = []Language{{"en", "English"}, {"es", "Español"}, {"fr", "Français"}, {"pt", "Português"}}

// Codes lists the languages' codes.
func Codes() []string {
	out := make([]string, len(Languages))
	for i, l := range Languages {
		out[i] = l.Code
	}
	return out
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish, language.French, language.Portuguese})

// Accepted is the interface language that best fits an Accept-Language header; English
// when none does.
func Accepted(header string) string {
	tags, _, _ := language.ParseAcceptLanguage(header)
	_, i, _ := matcher.Match(tags...)
	return Languages[i].Code
}

// IsLanguage reports whether l is the code of an interface language.
func IsLanguage(l string) bool { return slices.Contains(Codes(), l) }

// Message is one message of a catalogue. In the files it is a string, or for a sentence
// about a count an object giving the sentence for each plural form of the language
// (CLDR's "one", "few", "many", "other", or "=N" for an exact number), chosen by the
// message's first argument, or by the one "arg" names:
// {"one": "%d practice found", "other": "%d practices found"}.
type Message struct {
	Forms map[string]string
	Arg   int // the argument the form depends on, from 1
}

// pluralForms are the forms a message may give, in the order golang.org/x/text tries them.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// UnmarshalJSON reads a message as a string or as its plural forms.
func (m *Message) UnmarshalJSON(data []byte) error {
	var text string
	if json.Unmarshal(data, &text) == nil {
		*m = Message{Forms: map[string]string{"other": text}, Arg: 1}
		return nil
	}
	forms := map[string]string{}
	if err := json.Unmarshal(data, &forms); err != nil {
		return errors.New("a message is a string or an object of plural forms")
	}
	arg := 1
	if a, ok := forms["arg"]; ok {
		var err error
		if arg, err = strconv.Atoi(a); err != nil || arg < 1 {
			return fmt.Errorf("arg %q is not an argument's number (1, 2…)", a)
		}
		delete(forms, "arg")
	}
	if _, ok := forms["other"]; !ok {
		return errors.New("a message with plural forms needs the form \"other\"")
	}
	for f := range forms {
		if !slices.Contains(pluralForms, f) && !exactForm.MatchString(f) {
			return fmt.Errorf("%q is not a plural form (%s, or =N)", f, strings.Join(pluralForms, ", "))
		}
	}
	*m = Message{Forms: forms, Arg: arg}
	return nil
}

var exactForm = regexp.MustCompile(`^=[0-9]+$`)

// plain reports whether the message is one text, whatever the numbers.
func (m Message) plain() bool { return len(m.Forms) == 1 }

// selector is the golang.org/x/text message: the text, or the choice among its plural
// forms.
func (m Message) selector() catalog.Message {
	if m.plain() {
		return catalog.String(m.Forms["other"])
	}
	var cases []any
	for f, text := range m.Forms { // exact numbers first: they win over the categories
		if exactForm.MatchString(f) {
			cases = append(cases, f, text)
		}
	}
	for _, f := range pluralForms {
		if text, ok := m.Forms[f]; ok {
			cases = append(cases, f, text)
		}
	}
	return plural.Selectf(m.Arg, "%d", cases...)
}

// Catalog holds the messages of every language, and says numbers, dates and countries as
// each language writes them (golang.org/x/text: CLDR's plural rules, digit grouping and
// decimal marks, and region names).
type Catalog struct {
	messages map[string]map[string]Message
	printers map[string]*message.Printer
	regions  map[string]display.Namer
	langs    map[string]display.Namer
}

// Embedded is the catalogues kb is built with (frontend/messages), read once.
var Embedded = sync.OnceValues(func() (*Catalog, error) { return LoadCatalog(frontend.FS) })

// LoadCatalog reads messages/LANG/*.json for every interface language. A language's
// messages are split by concern (core.json, one file per feature) so that work on two
// features does not meet in one file; a key defined in two files is an error.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{messages: map[string]map[string]Message{}, printers: map[string]*message.Printer{}, regions: map[string]display.Namer{}, langs: map[string]display.Namer{}}
	b := catalog.NewBuilder()
	for _, l := range Languages {
		files, err := fs.Glob(fsys, "messages/"+l.Code+"/*.json")
		if err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("messages/%s: no catalogue", l.Code)
		}
		tag := language.MustParse(l.Code)
		m := map[string]Message{}
		from := map[string]string{}
		for _, f := range files {
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("messages: %w", err)
			}
			part := map[string]Message{}
			if err := json.Unmarshal(data, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for k, v := range part {
				if prev, dup := from[k]; dup {
					return nil, fmt.Errorf("%s: key %q already in %s", f, k, prev)
				}
				m[k], from[k] = v, f
				if err := b.Set(tag, k, v.selector()); err != nil {
					return nil, fmt.Errorf("%s: %q: %w", f, k, err)
				}
			}
		}
		c.messages[l.Code], c.regions[l.Code], c.langs[l.Code] = m, display.Regions(tag), display.Languages(tag)
		c.printers[l.Code] = message.NewPrinter(tag, message.Catalog(b))
	}
	return c, nil
}

// T returns the message key in lang, formatted with args as lang writes numbers and
// choosing the plural form the first argument asks for; English when lang lacks it, and
// the key itself (visible, so tests catch it) when English lacks it too.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.messages[lang][key]
	if !ok {
		if msg, ok = c.messages["en"][key]; !ok {
			return key
		}
		lang = "en"
	}
	if len(args) == 0 && msg.plain() {
		return msg.Forms["other"] // as written, its % signs too
	}
	return c.printers[lang].Sprintf(key, args...)
}

// Has reports whether lang has the message key.
func (c *Catalog) Has(lang, key string) bool { _, ok := c.messages[lang][key]; return ok }

// Keys lists lang's message keys.
func (c *Catalog) Keys(lang string) []string { return slices.Sorted(maps.Keys(c.messages[lang])) }

// Message returns lang's message key.
func (c *Catalog) Message(lang, key string) Message { return c.messages[lang][key] }

// Number writes n as lang does: 60,000 in English, 60.000 in Spanish, 60 000 in French.
func (c *Catalog) Number(lang string, n any) string { return c.printer(lang).Sprint(n) }

func (c *Catalog) printer(lang string) *message.Printer {
	if p, ok := c.printers[lang]; ok {
		return p
	}
	return c.printers["en"]
}

// Date writes a day as lang does ("12 March 2026", "12 de marzo de 2026"), from the
// catalogue's pattern and month names; the year is passed as text, never grouped.
func (c *Catalog) Date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return c.T(lang, "format.date", t.Day(), c.T(lang, "month."+strconv.Itoa(int(t.Month()))), strconv.Itoa(t.Year()))
}

// DateTime writes a day and its time of day as lang does.
func (c *Catalog) DateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return c.T(lang, "format.datetime", c.Date(lang, t), t.Format("15:04"))
}

// Country names a country (ISO 3166-1 alpha-2) in lang, CLDR's name; "" when the code
// names no region CLDR knows.
func (c *Catalog) Country(lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return ""
	}
	n, ok := c.regions[lang]
	if !ok {
		n = c.regions["en"]
	}
	return n.Name(r)
}

// Language names a language (ISO 639-1) in lang, CLDR's name; the code when CLDR has none.
func (c *Catalog) Language(lang, code string) string {
	b, err := language.ParseBase(code)
	n, ok := c.langs[lang]
	if !ok {
		n = c.langs["en"]
	}
	if err != nil || n.Name(b) == "" {
		return code
	}
	return n.Name(b)
}

// Problem says what is wrong with a field (its code and arguments: apperr.Problem) in
// lang: the field's own sentence for it when the catalogue has one
// (problem.country.required), else that of the field it holds a value for (apply.areas,
// the areas a coordinator edited, is said as areas), else the problem's
// (problem.required). A field is named as forms name it: practice.contact.name is
// contact_name.
func (c *Catalog) Problem(lang, field, code string, args []any) string {
	field = strings.TrimPrefix(field, "practice.")
	key := "problem." + code
	for _, f := range []string{strings.ReplaceAll(field, ".", "_"), field[strings.Index(field, ".")+1:]} {
		if k := "problem." + f + "." + code; c.Has("en", k) {
			key = k
			break
		}
	}
	return c.T(lang, key, args...)
}

// Text is a sentence kb says to a person, as a catalogue key and the values it says, so
// that each page and API answer says it in its reader's language: a sentence travels as a
// Text and is said in a language only where it is shown.
type Text struct {
	Key  string `json:"key"`
	Args []Arg  `json:"args,omitempty"`
}

// Arg is a value a sentence says. One of a vocabulary is said by its label in the
// catalogue (Term "area", Value "mobility": the message "area.mobility"), a country by
// its name, anything else as it is, a number as the language writes it.
type Arg struct {
	Term  string `json:"term,omitempty"`
	Value any    `json:"value"`
}

// UnmarshalJSON reads an argument stored as JSON, a whole number as the int it was (which
// %d says), not as JSON's float64.
func (a *Arg) UnmarshalJSON(data []byte) error {
	var raw struct {
		Term  string          `json:"term"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	v, err := DecodeValue(raw.Value)
	*a = Arg{Term: raw.Term, Value: v}
	return err
}

// DecodeValue reads a value a sentence says from JSON: a whole number as an int, another
// number as a float64, anything else as encoding/json reads it.
func DecodeValue(data []byte) (any, error) {
	if len(data) == 0 {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return int(i), nil
		}
		return n.Float64()
	}
	return v, nil
}

// Arguments named by CLDR rather than by the catalogue: a country's code (ISO 3166-1),
// a language's (ISO 639-1), Arabic as much as the interface's own.
const (
	CountryTerm  = "country"
	LanguageTerm = "language_name"
)

// Say is the sentence key with args.
func Say(key string, args ...Arg) Text { return Text{Key: key, Args: args} }

// Term is a value of a vocabulary, said by its label.
func Term(vocabulary, id string) Arg { return Arg{Term: vocabulary, Value: id} }

// Value is a value said as it is.
func Value(v any) Arg { return Arg{Value: v} }

// Say says t in lang.
func (c *Catalog) Say(lang string, t Text) string {
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		switch id := fmt.Sprint(a.Value); {
		case a.Term == CountryTerm:
			if args[i] = c.Country(lang, id); args[i] == "" {
				args[i] = id
			}
		case a.Term == LanguageTerm:
			args[i] = c.Language(lang, id)
		case a.Term != "":
			args[i] = c.T(lang, a.Term+"."+id)
		default:
			args[i] = a.Value
		}
	}
	return c.T(lang, t.Key, args...)
}
