package admin

import (
	"context"

	"github.com/uclg-digital-cities/kb/internal/practices"
)

// Check asks the server to check the whole store it holds.
func (c *Client) Check(ctx context.Context) (practices.CheckReport, error) {
	var r practices.CheckReport
	err := c.getJSON(ctx, "/admin/v1/check", &r)
	return r, err
}
