package web

// SetSitemapSize sets the URLs per sitemap file, for a test of the index; it returns a
// function that puts it back.
func SetSitemapSize(n int) func() {
	old := sitemapSize
	sitemapSize = n
	return func() { sitemapSize = old }
}
