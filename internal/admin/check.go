package admin

import (
	"context"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// Check asks the server to check the whole store it holds.
func (c *Client) Check(ctx context.Context) (store.CheckReport, error) {
	var r store.CheckReport
	err := c.getJSON(ctx, "/admin/v1/check", &r)
	return r, err
}
