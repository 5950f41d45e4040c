package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/bench"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// runBench measures the knowledge base at scale: kb bench [--n 10000,100000].
func runBench(ctx context.Context, e env, args []string) error {
	fs, _ := newFlags(e, "bench")
	sizes := fs.String("n", "10000,100000", "numbers of synthetic practices, comma-separated")
	seed := fs.Uint64("seed", 1, "random seed of the synthetic corpus")
	dir := fs.String("dir", "", "where to build the data dirs (a temporary dir if empty)")
	keep := fs.Bool("keep", false, "keep the data dirs")
	secs := fs.Duration("time", 5*time.Second, "how long each throughput run lasts")
	noHTTP := fs.Bool("no-http", false, "skip the measurements over HTTP")
	profiles := fs.String("cpuprofile-dir", "", "write a CPU profile of each size's import and harvest into this dir")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return usagef("--n takes whole numbers, e.g. 10000,100000")
		}
		ns = append(ns, n)
	}
	model, err := newSynthModel()
	if err != nil {
		return err
	}
	self := ""
	if !*noHTTP {
		if self, err = os.Executable(); err != nil {
			return err
		}
	}
	_, err = bench.Run(ctx, bench.Config{
		Sizes: ns, Dir: *dir, Keep: *keep, Time: *secs, Server: self, Out: e.stdout, ProfileDir: *profiles,
		Generate: func(i int) *practices.Practice { return model.Practice(*seed, i) },
	})
	if err != nil {
		return err
	}
	real, err := bench.RealMatched(ctx)
	if err != nil {
		return err
	}
	bench.PrintMatched(e.stdout, real)
	return nil
}
