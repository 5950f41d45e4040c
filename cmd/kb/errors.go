package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// printError writes what went wrong in a form a person can act on: every corpus problem
// as FILE:LINE: message, every bad field on its own line.
func printError(w io.Writer, cmd string, err error) {
	var ce *practices.CorpusError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintln(w, p.String())
		}
		fmt.Fprintf(w, "kb %s: %d problems\n", cmd, len(ce.Problems))
		return
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		fmt.Fprintf(w, "kb %s: %s\n", cmd, ae.Message)
		for _, k := range sortedKeys(ae.Fields) {
			fmt.Fprintf(w, "  %s: %s\n", k, ae.Fields[k])
		}
		if ae.Err != nil {
			fmt.Fprintf(w, "  cause: %v\n", ae.Err)
		}
		return
	}
	fmt.Fprintf(w, "kb %s: %v\n", cmd, err)
}
