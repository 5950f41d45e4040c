package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// A newcomer reads what each package is for in `go doc` or at the top of one file: the
// package doc comment says the job in at most two lines, in one file only, and what else
// is worth knowing stays in plain comments beside the code it is about.
func TestEveryPackageSaysItsJobInTwoLines(t *testing.T) {
	const root = "../.."
	type doc struct {
		file  string
		lines int
		text  string
	}
	docs := map[string][]doc{}   // directory → the doc comments of its files
	names := map[string]string{} // directory → package name
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		names[dir] = f.Name.Name
		if _, ok := docs[dir]; !ok {
			docs[dir] = nil
		}
		if f.Doc != nil {
			lines := fset.Position(f.Doc.End()).Line - fset.Position(f.Doc.Pos()).Line + 1
			docs[dir] = append(docs[dir], doc{name, lines, f.Doc.Text()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 10 {
		t.Fatalf("found %d packages under %s: is the walk reading the module?", len(docs), root)
	}
	for _, dir := range slices.Sorted(maps.Keys(docs)) {
		ds := docs[dir]
		switch {
		case len(ds) == 0:
			t.Errorf("%s: no package doc comment", dir)
			continue
		case len(ds) > 1:
			var files []string
			for _, d := range ds {
				files = append(files, d.file)
			}
			t.Errorf("%s: a package doc comment in %d files (%s): keep one", dir, len(ds), strings.Join(files, ", "))
		}
		for _, d := range ds {
			if d.lines > 2 {
				t.Errorf("%s/%s: the package doc comment has %d lines, more than two", dir, d.file, d.lines)
			}
			if want := openings(names[dir], filepath.Base(dir)); !slices.ContainsFunc(want, func(w string) bool {
				return strings.HasPrefix(d.text, w)
			}) {
				t.Errorf(`%s/%s: the package doc comment does not begin with "%s"`, dir, d.file, strings.Join(want, `" or "`))
			}
		}
	}
}

// openings are how Go style begins a package's doc comment: "Package name " for a
// library; for a command, named after its directory, "Command name " or the name
// capitalised ("Gofmt formats Go programs").
func openings(pkg, dir string) []string {
	if pkg != "main" {
		return []string{"Package " + pkg + " "}
	}
	r, n := utf8.DecodeRuneInString(dir)
	return []string{"Command " + dir + " ", string(unicode.ToUpper(r)) + dir[n:] + " "}
}
