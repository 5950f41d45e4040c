package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// A background loop that panics is logged with its stack and started again; it never
// takes the process down.
func TestABackgroundLoopThatPanicsStartsAgain(t *testing.T) {
	defer func(d time.Duration) { loopRestart = d }(loopRestart)
	loopRestart = time.Millisecond
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	again := make(chan struct{})
	var wg sync.WaitGroup
	background(ctx, &wg, log, "harvests", func(ctx context.Context) {
		runs++
		if runs == 1 {
			panic("a peer sent nonsense")
		}
		close(again)
		<-ctx.Done()
	})
	<-again
	cancel()
	wg.Wait()
	out := logs.String()
	if runs != 2 || !strings.Contains(out, "loop=harvests") || !strings.Contains(out, "a peer sent nonsense") || !strings.Contains(out, "serve_test.go") {
		t.Fatalf("runs %d, log:\n%s", runs, out)
	}
}
