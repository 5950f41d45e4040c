package practices

// SetSpecs lists the OAI-PMH sets a practice belongs to: its areas and its region.
func SetSpecs(p *Practice) []string {
	out := make([]string, 0, len(p.Areas)+1)
	for _, a := range p.Areas {
		out = append(out, "area:"+a)
	}
	if p.Region != "" {
		out = append(out, "region:"+p.Region)
	}
	return out
}
