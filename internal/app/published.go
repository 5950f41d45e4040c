package app

import (
	"context"
	"errors"
	"time"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

var errStop = errors.New("stop")

// Published calls fn, in id order, for every practice whose page this node publishes as
// the canonical one: searchable (not archived or hidden), and not a harvested case whose
// page is its origin's; until fn returns false.
func (a *App) Published(ctx context.Context, fn func(id string, updated time.Time) bool) error {
	err := a.Store.Each(ctx, func(p *practices.Practice) error {
		if !p.Searchable() || a.ProvenanceOf(p).Canonical != "" {
			return nil
		}
		if !fn(p.ID, p.UpdatedAt) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}
