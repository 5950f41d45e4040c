package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/uclg-digital-cities/kb/internal/ai"
	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// runEmbed backfills the embeddings of semantic search: kb embed (with KB_OPENAI_BASE_URL
// and KB_EMBED_MODEL). A running server does the same in the background.
func runEmbed(ctx context.Context, e env, args []string) error {
	fs, data := newFlags(e, "embed")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, ok := ai.ConfigFromEnv(e.getenv)
	if !ok || cfg.EmbedModel == "" {
		return usagef("kb embed needs an AI endpoint with an embedding model: set KB_OPENAI_BASE_URL, KB_OPENAI_API_KEY and KB_EMBED_MODEL")
	}
	a, err := app.Open(ctx, app.Config{DataDir: *data, LockTimeout: lockWait, Progress: progressBar(e, "indexing")})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("a server holds %s and embeds new and changed practices in the background every minute; see its log", *data)
	}
	if err != nil {
		return err
	}
	defer a.Close()
	sem, err := ai.NewSemantic(a.Store, ai.New(cfg), nil)
	if err != nil {
		return err
	}
	n, err := sem.Sync(ctx, progressBar(e, "embedding"))
	if err != nil {
		return fmt.Errorf("embedded %d practices, then: %w", n, err)
	}
	fmt.Fprintf(e.stdout, "embedded %d practices with %s (the others were up to date)\n", n, cfg.EmbedModel)
	return nil
}
