package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/synth"
)

// runGen writes a synthetic corpus: kb gen --n 100000 --seed 1 --out FILE.jsonl.
func runGen(ctx context.Context, e env, args []string) error {
	fs, _ := newFlags(e, "gen")
	n := fs.Int("n", 10000, "number of practices")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same corpus")
	out := fs.String("out", "", "the JSON Lines file to write (standard output if empty)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return usagef("--n must be 1 or more")
	}
	model, err := newSynthModel()
	if err != nil {
		return err
	}
	w := e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	exp, _ := practices.NewExporter(bw, practices.FormatJSONL)
	for i := 0; i < *n; i++ {
		if err := exp.Write(model.Practice(*seed, i)); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(e.stderr, "wrote %d synthetic practices to %s\n", *n, *out)
	}
	return nil
}

// newSynthModel learns the generator's distributions from the embedded corpus.
func newSynthModel() (*synth.Model, error) {
	geo, err := app.LoadGeography()
	if err != nil {
		return nil, err
	}
	thes, err := app.LoadThesaurus()
	if err != nil {
		return nil, err
	}
	ps, err := practices.ReadCorpus(corpus.FS, ".", geo)
	if err != nil {
		return nil, err
	}
	var labels []string
	for _, c := range thes.Concepts {
		labels = append(labels, c.Labels["en"]...)
	}
	return synth.NewModel(ps, geo, labels), nil
}
