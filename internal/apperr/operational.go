package apperr

import (
	"errors"
	"strings"
	"syscall"
)

// DiskFullMessage is what a writer is told when the disk is full.
const DiskFullMessage = "the server's disk is full: nothing was saved; try again once space has been freed"

// IsDiskFull reports whether err comes from a file system out of space or over quota.
// bbolt wraps the errors of growing its file with %s, not %w: those (and only those,
// so that a message quoting a user's text cannot pass for a full disk) are matched by
// their text.
func IsDiskFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	return walk(err, func(e error) bool {
		msg := e.Error()
		for _, prefix := range boltGrowErrors {
			if strings.HasPrefix(msg, prefix) && (strings.HasSuffix(msg, syscall.ENOSPC.Error()) || strings.HasSuffix(msg, syscall.EDQUOT.Error())) {
				return true
			}
		}
		return false
	})
}

// boltGrowErrors begin the messages of bbolt's errors that lose their cause.
var boltGrowErrors = []string{"file resize error: ", "file sync error: ", "mmap allocate error: "}

// operational finds, behind generic wrappers (an import's "import failed", an Internal
// Wrap), the conditions an operator must hear about as what they are: a full disk or a
// damaged store. nil when err holds neither.
func operational(err error) *Error {
	var found *Error
	walk(err, func(e error) bool {
		if x, ok := e.(*Error); ok && x.Code == Damaged {
			found = x
			return true
		}
		return false
	})
	if found != nil {
		return found
	}
	if IsDiskFull(err) {
		return &Error{Code: DiskFull, Message: DiskFullMessage, Err: err}
	}
	return nil
}

// walk visits err's tree, depth first, until visit returns true.
func walk(err error, visit func(error) bool) bool {
	for err != nil {
		if visit(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walk(e, visit) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return false
		}
	}
	return false
}
