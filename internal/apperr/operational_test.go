package apperr_test

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// A full disk and a damaged store say what they are even behind the generic wrappers
// of an import or a transaction, and map to their own statuses.
func TestOperationalConditionsSurviveWrapping(t *testing.T) {
	enospc := &os.PathError{Op: "write", Path: "kb.db", Err: syscall.ENOSPC}
	damaged := apperr.Errorf(apperr.Damaged, "the store is damaged: practice %q", "x")
	for name, c := range map[string]struct {
		err  error
		code string
	}{
		"enospc":              {enospc, apperr.DiskFull},
		"edquot":              {fmt.Errorf("commit: %w", syscall.EDQUOT), apperr.DiskFull},
		"enospc behind Wrap":  {apperr.Wrap(fmt.Errorf("put: %w", enospc), "import failed after 0 of 3 practices"), apperr.DiskFull},
		"bbolt's grow, %s":    {fmt.Errorf("put: %w", fmt.Errorf("file resize error: %s", enospc)), apperr.DiskFull},
		"enospc in a join":    {errors.Join(errors.New("other"), enospc), apperr.DiskFull},
		"damage behind Wrap":  {apperr.Wrap(fmt.Errorf("export: %w", damaged), "import failed"), apperr.Damaged},
		"damage":              {fmt.Errorf("export: %w", damaged), apperr.Damaged},
		"invalid stays":       {apperr.InvalidFields("bad", map[string]string{"x": "no space left on device"}), apperr.Invalid},
		"plain stays":         {errors.New("boom"), apperr.Internal},
		"quoted text stays":   {fmt.Errorf("no practice %q", "x: no space left on device"), apperr.Internal},
		"internal stays":      {apperr.Wrap(errors.New("boom"), "x"), apperr.Internal},
		"not found over disk": {fmt.Errorf("%w: %w", apperr.Errorf(apperr.NotFound, "no"), enospc), apperr.NotFound},
	} {
		if got := apperr.Code(c.err); got != c.code {
			t.Errorf("%s: code %q, want %q", name, got, c.code)
		}
	}
	if e := apperr.As(enospc); e.Message != apperr.DiskFullMessage || !errors.Is(e, syscall.ENOSPC) {
		t.Errorf("disk full: %+v", e)
	}
	if s := apperr.HTTPStatus(apperr.DiskFull); s != 507 {
		t.Errorf("disk full is %d", s)
	}
	if s := apperr.HTTPStatus(apperr.Damaged); s != 500 {
		t.Errorf("damage is %d", s)
	}
}
