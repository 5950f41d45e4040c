package practices

import "slices"

// Clone returns a copy of p that shares nothing a caller could change.
func (p *Practice) Clone() *Practice {
	c := *p
	for _, l := range []*[]string{&c.Areas, &c.Crises, &c.Tags, &c.TargetGroups, &c.Results, &c.Prerequisites, &c.Languages} {
		*l = slices.Clone(*l)
	}
	c.Translations = slices.Clone(c.Translations)
	for i := range c.Translations {
		c.Translations[i].Results = slices.Clone(c.Translations[i].Results)
	}
	c.SameAs, c.LocalSameAs = slices.Clone(c.SameAs), slices.Clone(c.LocalSameAs)
	if c.Origin != nil {
		o := *c.Origin
		o.Hops, o.Coverage, o.Missing = slices.Clone(o.Hops), slices.Clone(o.Coverage), slices.Clone(o.Missing)
		if o.Signature != nil {
			sig := *o.Signature
			o.Signature = &sig
		}
		c.Origin = &o
	}
	if c.Assisted != nil {
		a := *c.Assisted
		a.Fields, a.Edited = slices.Clone(a.Fields), slices.Clone(a.Edited)
		c.Assisted = &a
	}
	return &c
}
