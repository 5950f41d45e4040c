package index

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/search"
)

// requestKey is a request in one canonical form: filters and ids in order.
func requestKey(r search.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "search|%q|%d|%d|%t|%t|%t|%s|%s", r.Query, r.Page, r.Limit, r.Explain, r.Latest, r.HitsOnly, r.Sort, r.Lang)
	names := make([]string, 0, len(r.Filters))
	for name := range r.Filters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		vs := slices.Clone(r.Filters[name])
		sort.Strings(vs)
		fmt.Fprintf(&b, "|%s=%q", name, vs)
	}
	if len(r.IDs) > 0 {
		ids := slices.Clone(r.IDs)
		sort.Strings(ids)
		fmt.Fprintf(&b, "|ids=%q", ids)
	}
	return b.String()
}
