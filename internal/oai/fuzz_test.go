package oai_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uclg-digital-cities/kb/internal/oai"
)

// Any request to the provider gets a well-formed OAI-PMH answer, never a server error.
func FuzzOAIRequest(f *testing.F) {
	for _, q := range []string{"verb=Identify", "verb=ListRecords&metadataPrefix=kb&from=2020-01-01&until=2030-01-01T00:00:00Z",
		"verb=ListIdentifiers&resumptionToken=eyJtIjoia2IiLCJhIjoiQUFBQSIsImMiOjAsIm4iOjEsIngiOjk5OTk5OTk5OTl9",
		"verb=GetRecord&identifier=oai:kb.example.org:x&metadataPrefix=oai_dc", "verb=ListSets&set=area:mobility", "verb=%ZZ", "a=b&a=c"} {
		f.Add(q)
	}
	n := newNode(f)
	f.Fuzz(func(t *testing.T, query string) {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/oai", nil)
		req.URL.RawQuery = query // as the client sent it, however malformed
		n.handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("%q: status %d", query, w.Code)
		}
		var r struct {
			XMLName xml.Name `xml:"http://www.openarchives.org/OAI/2.0/ OAI-PMH"`
		}
		if err := xml.Unmarshal(w.Body.Bytes(), &r); err != nil {
			t.Fatalf("%q: not OAI-PMH XML: %v", query, err)
		}
	})
}

// Any answer of a peer is read or refused with an error, never a panic, within bounds.
func FuzzHarvestResponse(f *testing.F) {
	f.Add(`<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate><ListRecords><record><header><identifier>oai:x.org:a</identifier><datestamp>2026-01-01</datestamp></header><metadata><practice xmlns="https://github.com/uclg-digital-cities/kb/oai/practice/1"><id>a</id></practice></metadata></record><resumptionToken>t</resumptionToken></ListRecords></OAI-PMH>`)
	f.Add(`<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="noRecordsMatch">none</error></OAI-PMH>`)
	f.Add(`<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>x</responseDate><ListRecords><record><header status="deleted"><identifier>i</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header></record></ListRecords></OAI-PMH>`)
	f.Add(`<html>`)
	f.Fuzz(func(t *testing.T, body string) {
		peer := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
		})}
		c := &oai.Client{HTTP: peer, MaxPages: 3, Timeout: time.Second, MaxBytes: 1 << 20}
		pages := 0
		err := c.ListRecords(context.Background(), "http://peer.example.org/oai", time.Time{}, "", func(p oai.Page) error {
			pages++
			for _, r := range p.Records {
				if r.Header.Identifier == "" || (!r.Header.Deleted() && r.Practice == nil) {
					t.Fatalf("an incomplete record passed: %+v", r)
				}
			}
			return nil
		})
		if pages > 3 {
			t.Fatalf("%d pages read past the bound of 3 (err %v)", pages, err)
		}
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
