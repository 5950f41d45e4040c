package practices

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// ExportFormats lists the formats Exporter accepts.
var ExportFormats = []string{FormatJSONL, FormatCSV}

// Exporter writes practices one by one in a format.
type Exporter struct {
	format string
	w      io.Writer
	csv    *csv.Writer
	enc    *json.Encoder
}

// NewExporter starts an export; for CSV it writes the header row.
func NewExporter(w io.Writer, format string) (*Exporter, error) {
	e := &Exporter{format: format, w: w}
	switch format {
	case FormatJSONL:
		e.enc = json.NewEncoder(w)
		e.enc.SetEscapeHTML(false)
	case FormatCSV:
		e.csv = csv.NewWriter(w)
		if err := e.csv.Write(csvHeader); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown export format %q (want %s)", format, strings.Join(ExportFormats, " or "))
	}
	return e, nil
}

var csvHeader = []string{"id", "title", "summary", "city", "country", "region", "population_band", "areas", "crises", "tags", "target_groups", "results", "prerequisites", "year", "status", "source", "languages", "session", "archived", "version", "updated_at", "body"}

// listSep joins list fields in CSV cells.
const listSep = "; "

// Write writes one practice.
func (e *Exporter) Write(p *Practice) error {
	if e.enc != nil {
		return e.enc.Encode(p)
	}
	year := ""
	if p.Year != 0 {
		year = strconv.Itoa(p.Year)
	}
	row := []string{
		p.ID, p.Title, p.Summary, p.City, p.Country, p.Region, p.PopulationBand,
		strings.Join(p.Areas, listSep), strings.Join(p.Crises, listSep), strings.Join(p.Tags, listSep),
		strings.Join(p.TargetGroups, listSep), strings.Join(p.Results, listSep), strings.Join(p.Prerequisites, listSep),
		year, p.Status, p.Source, strings.Join(p.Languages, listSep), p.Session, strconv.FormatBool(p.Archived), strconv.Itoa(p.Version),
		p.UpdatedAt.UTC().Format(time.RFC3339), p.Body,
	}
	for i := range row {
		row[i] = csvCell(row[i])
	}
	return e.csv.Write(row)
}

// Note ends a CSV export with a row that says something of it (that it was cut), its
// text in the first cell; a JSON Lines export takes no such row.
func (e *Exporter) Note(text string) error {
	if e.csv == nil {
		return nil
	}
	row := make([]string, len(csvHeader))
	row[0] = csvCell(text)
	return e.csv.Write(row)
}

// csvCell keeps a spreadsheet from reading a cell as a formula: text that starts with
// =, +, -, @, a tab or a carriage return (anyone may submit a case titled
// =HYPERLINK(...)) gets a single quote before it, as OWASP recommends, and shows as the
// text it is.
func csvCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// SafeCSVCell is a cell as every CSV export of kb writes it: never read as a formula.
func SafeCSVCell(s string) string { return csvCell(s) }

// Close flushes what is buffered.
func (e *Exporter) Close() error {
	if e.csv != nil {
		e.csv.Flush()
		return e.csv.Error()
	}
	return nil
}

// MaxJSONLLine bounds one record of a JSON Lines import.
const MaxJSONLLine = 4 << 20

// ReadJSONL reads a JSON Lines export: one practice per line, unknown fields refused.
// Problems are reported as NAME:LINE: message; blank lines are skipped.
func ReadJSONL(name string, r io.Reader) ([]*Practice, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxJSONLLine)
	var out []*Practice
	var problems []Problem
	line := 0
	for sc.Scan() {
		line++
		data := bytes.TrimSpace(sc.Bytes())
		if len(data) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var p Practice
		if err := dec.Decode(&p); err != nil {
			problems = append(problems, Problem{File: name, Line: line, Message: "not a practice record: " + err.Error()})
			continue
		}
		out = append(out, &p)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, Problem{File: name, Line: line + 1, Message: "cannot read: " + err.Error()})
	}
	if len(problems) > 0 {
		return nil, &CorpusError{Problems: problems}
	}
	return out, nil
}
