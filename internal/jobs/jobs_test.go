package jobs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

func TestJobRunsAndTellsItsProgressAndResult(t *testing.T) {
	r := New(nil)
	defer r.Close(context.Background())
	step, release := make(chan struct{}), make(chan struct{})
	id, err := r.Start("import", func(ctx context.Context, progress func(int, int)) (any, error) {
		progress(3, 10)
		close(step)
		<-release
		progress(10, 10)
		return 42, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-step
	info, err := r.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != Running || info.Done != 3 || info.Total != 10 || info.Kind != "import" || !info.Ended.IsZero() {
		t.Fatalf("while running: %+v", info)
	}
	close(release)
	info, err = r.Wait(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != Done || info.Result != 42 || info.Err != nil || info.Done != 10 || info.Ended.Before(info.Started) {
		t.Fatalf("when done: %+v", info)
	}
}

func TestFailedJobKeepsItsErrorAndPartialResult(t *testing.T) {
	r := New(nil)
	defer r.Close(context.Background())
	boom := apperr.Errorf(apperr.Invalid, "bad record")
	id, _ := r.Start("import", func(context.Context, func(int, int)) (any, error) { return "half", boom })
	info, _ := r.Wait(context.Background(), id)
	if info.State != Failed || !errors.Is(info.Err, boom) || info.Result != "half" {
		t.Fatalf("%+v", info)
	}
}

func TestPanicBecomesTheJobsError(t *testing.T) {
	r := New(nil)
	defer r.Close(context.Background())
	id, _ := r.Start("reindex", func(context.Context, func(int, int)) (any, error) {
		var m map[string]int
		//lint:ignore SA5000 a runtime panic is what this test needs
		m["x"] = 1
		return nil, nil
	})
	info, _ := r.Wait(context.Background(), id)
	if info.State != Failed || apperr.Code(info.Err) != apperr.Internal {
		t.Fatalf("%+v", info)
	}
	if msg := info.Err.Error(); !strings.Contains(msg, "assignment to entry in nil map") || !strings.Contains(msg, "jobs_test.go") {
		t.Fatalf("the error should carry the panic and its stack: %s", msg)
	}
}

func TestUnknownJobIsNotFound(t *testing.T) {
	r := New(nil)
	defer r.Close(context.Background())
	if _, err := r.Get("nope"); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("Get: %v", err)
	}
	if _, err := r.Wait(context.Background(), "nope"); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("Wait: %v", err)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	r := New(nil)
	defer r.Close(context.Background())
	var ids []string
	for range History + 5 {
		id, _ := r.Start("x", func(context.Context, func(int, int)) (any, error) { return nil, nil })
		r.Wait(context.Background(), id)
		ids = append(ids, id)
	}
	for _, id := range ids[:5] {
		if _, err := r.Get(id); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("job %s should be forgotten: %v", id, err)
		}
	}
	for _, id := range ids[5:] {
		if _, err := r.Get(id); err != nil {
			t.Fatalf("job %s should be remembered: %v", id, err)
		}
	}
}

func TestRunningJobsAreNeverForgotten(t *testing.T) {
	r := New(nil)
	defer r.Close(context.Background())
	release := make(chan struct{})
	long, _ := r.Start("long", func(context.Context, func(int, int)) (any, error) { <-release; return nil, nil })
	for range History + 5 {
		id, _ := r.Start("x", func(context.Context, func(int, int)) (any, error) { return nil, nil })
		r.Wait(context.Background(), id)
	}
	if info, err := r.Get(long); err != nil || info.State != Running {
		t.Fatalf("%+v %v", info, err)
	}
	close(release)
}

func TestConcurrentUse(t *testing.T) {
	r := New(nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				id, err := r.Start("x", func(_ context.Context, progress func(int, int)) (any, error) {
					for i := range 5 {
						progress(i, 5)
					}
					return nil, nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				r.Get(id)
				r.Wait(context.Background(), id)
			}
		})
	}
	wg.Wait()
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCloseWaitsForRunningJobsThenRefusesNewOnes(t *testing.T) {
	r := New(nil)
	started := make(chan struct{})
	finished := false
	r.Start("slow", func(ctx context.Context, _ func(int, int)) (any, error) {
		close(started)
		time.Sleep(20 * time.Millisecond)
		finished = true
		return nil, nil
	})
	<-started
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !finished {
		t.Fatal("Close returned before the running job ended")
	}
	if _, err := r.Start("late", func(context.Context, func(int, int)) (any, error) { return nil, nil }); apperr.Code(err) != apperr.Unavailable {
		t.Fatalf("Start after Close: %v", err)
	}
}

func TestCloseCancelsJobsWhenItsContextEnds(t *testing.T) {
	r := New(nil)
	started := make(chan struct{})
	id, _ := r.Start("stuck", func(ctx context.Context, _ func(int, int)) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: %v", err)
	}
	if info, _ := r.Get(id); info.State != Failed || !errors.Is(info.Err, context.Canceled) {
		t.Fatalf("%+v", info)
	}
}
