package oai

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// DC is a record in simple Dublin Core (oai_dc), as any repository serves it (DSpace,
// EPrints, a kb node): every element may repeat, and none is required.
type DC struct {
	Title       []string `xml:"http://purl.org/dc/elements/1.1/ title"`
	Creator     []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Subject     []string `xml:"http://purl.org/dc/elements/1.1/ subject"`
	Description []string `xml:"http://purl.org/dc/elements/1.1/ description"`
	Publisher   []string `xml:"http://purl.org/dc/elements/1.1/ publisher"`
	Contributor []string `xml:"http://purl.org/dc/elements/1.1/ contributor"`
	Date        []string `xml:"http://purl.org/dc/elements/1.1/ date"`
	Type        []string `xml:"http://purl.org/dc/elements/1.1/ type"`
	Format      []string `xml:"http://purl.org/dc/elements/1.1/ format"`
	Identifier  []string `xml:"http://purl.org/dc/elements/1.1/ identifier"`
	Source      []string `xml:"http://purl.org/dc/elements/1.1/ source"`
	Language    []string `xml:"http://purl.org/dc/elements/1.1/ language"`
	Relation    []string `xml:"http://purl.org/dc/elements/1.1/ relation"`
	Coverage    []string `xml:"http://purl.org/dc/elements/1.1/ coverage"`
	Rights      []string `xml:"http://purl.org/dc/elements/1.1/ rights"`
}

// ListMetadataFormats asks a repository which metadata prefixes it serves.
func (c *Client) ListMetadataFormats(ctx context.Context, base string) ([]string, error) {
	w, err := c.fetch(ctx, base, url.Values{"verb": {"ListMetadataFormats"}})
	if err != nil {
		return nil, err
	}
	if w.Formats == nil {
		return nil, errors.New("the ListMetadataFormats response has no ListMetadataFormats element")
	}
	var out []string
	for _, f := range w.Formats.Formats {
		out = append(out, f.Prefix)
	}
	return out, nil
}

// ListDCRecords harvests the oai_dc records stamped from `from` (zero: all) in set (empty:
// all), with the bounds of ListRecords. `from` is sent as a day, the granularity every
// repository supports: a harvest lists again the records of that day, which are then
// found unchanged.
func (c *Client) ListDCRecords(ctx context.Context, base string, from time.Time, set string, fn func(Page) error) error {
	args := url.Values{"verb": {"ListRecords"}, "metadataPrefix": {PrefixDC}}
	if !from.IsZero() {
		args.Set("from", from.UTC().Format(dayLayout))
	}
	if set != "" {
		args.Set("set", set)
	}
	return c.list(ctx, base, args, readDCPage, fn)
}

func readDCPage(w *wire) (Page, string, error) {
	page, err := pageOf(w)
	if err != nil {
		return Page{}, "", err
	}
	for i, r := range w.ListRecords.Records {
		if err := checkHeader(i, r.Header); err != nil {
			return Page{}, "", err
		}
		if !r.Header.Deleted() && r.Metadata.DC == nil {
			return Page{}, "", fmt.Errorf("record %s has no oai_dc metadata (%s)", r.Header.Identifier, NamespaceDC)
		}
		page.Records = append(page.Records, Record{Header: r.Header, DC: r.Metadata.DC})
	}
	var token string
	if t := w.ListRecords.Token; t != nil {
		token = t.Value
		page.ListSize = t.CompleteListSize
	}
	return page, token, nil
}
