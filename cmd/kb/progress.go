package main

import (
	"github.com/schollz/progressbar/v3"

	"github.com/uclg-digital-cities/kb/internal/index"
)

// progressBar draws a bar on stderr when it is a terminal, and nothing otherwise.
func progressBar(e env, what string) index.Progress {
	if !isTerminal(e.stderr) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(e.stderr),
				progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish(),
			)
		}
		bar.ChangeMax(total)
		bar.Set(done)
		if done >= total {
			bar.Finish()
		}
	}
}
