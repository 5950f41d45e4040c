package oai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/uclg-digital-cities/kb/internal/store"
)

// listState is what a resumption token carries: the request's selection, where the next
// page starts and how far the list has come. Tokens are stateless, so a restart of the
// server does not break a harvest in progress.
type listState struct {
	Prefix   string `json:"m"`
	From     int64  `json:"f,omitempty"`
	Until    int64  `json:"u,omitempty"`
	Set      string `json:"s,omitempty"`
	After    []byte `json:"a"`
	Cursor   int    `json:"c"`
	Complete int    `json:"n"`
	Expires  int64  `json:"x"`
}

func encodeToken(s listState) string {
	b, _ := json.Marshal(s)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok string, now time.Time) (listState, error) {
	var s listState
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil || s.After == nil || knownFormat(s.Prefix) != nil || s.Cursor < 0 || s.Complete < max(s.Cursor, 1) {
		return s, perr("badResumptionToken", "the resumption token is not one this repository issued")
	}
	if now.Unix() > s.Expires {
		return s, perr("badResumptionToken", "the resumption token expired at %s; start the list again", FormatStamp(time.Unix(s.Expires, 0)))
	}
	return s, nil
}

// parseStamp reads a from or until argument, at either granularity; until a day means
// to the end of that day.
func parseStamp(name, v string, end bool) (time.Time, bool, error) {
	if v == "" {
		return time.Time{}, false, nil
	}
	if t, err := time.Parse(stampLayout, v); err == nil {
		return t, false, nil
	}
	if t, err := time.Parse(dayLayout, v); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Second)
		}
		return t, true, nil
	}
	return time.Time{}, false, perr("badArgument", "%s %q is not a date: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", name, v)
}

// isStamp reports whether v is exactly a day or a second in UTC, as from and until must
// be: time.Parse alone takes fractional seconds, and years XML Schema has not (0000).
func isStamp(v string) bool {
	for _, layout := range []string{stampLayout, dayLayout} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format(layout) == v && t.Year() >= 1
		}
	}
	return false
}

// argumentStamp reads a from or until argument.
func argumentStamp(name, v string, end bool) (time.Time, bool, error) {
	if v != "" && !isStamp(v) {
		return time.Time{}, false, perr("badArgument", "%s %q is not a datestamp: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, in UTC and without fractions of a second", name, v)
	}
	return parseStamp(name, v, end)
}

func (p *Provider) selection(args map[string]string, now time.Time) (listState, error) {
	if tok := args["resumptionToken"]; tok != "" {
		return decodeToken(tok, now)
	}
	s := listState{Prefix: args["metadataPrefix"], Set: args["set"]}
	from, fromDay, err := argumentStamp("from", args["from"], false)
	if err != nil {
		return s, err
	}
	until, untilDay, err := argumentStamp("until", args["until"], true)
	if err != nil {
		return s, err
	}
	if args["from"] != "" && args["until"] != "" {
		if fromDay != untilDay {
			return s, perr("badArgument", "from and until must have the same granularity")
		}
		if from.After(until) {
			return s, perr("badArgument", "from %s is later than until %s", args["from"], args["until"])
		}
	}
	if err := knownFormat(s.Prefix); err != nil {
		return s, err
	}
	if s.Set != "" && !knownSet(s.Set) {
		return s, perr("noRecordsMatch", "there is no set %q; ListSets lists them", s.Set)
	}
	// Datestamps are seconds since 1970 and zero stands for an open end, so a from before
	// then selects from the start, and an until before then matches nothing.
	if from.Unix() > 0 {
		s.From = from.Unix()
	}
	if !until.IsZero() {
		if until.Unix() <= 0 {
			return s, perr("noRecordsMatch", "no record is stamped before 1970")
		}
		s.Until = until.Unix()
	}
	return s, nil
}

func unixOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

func inSet(st store.Stamp, set string) bool {
	listed, _ := st.InSet(set)
	return listed
}

func (p *Provider) list(ctx context.Context, env *envelope, verb string, args map[string]string, now time.Time) error {
	s, err := p.selection(args, now)
	if err != nil {
		return err
	}
	from, until := unixOrZero(s.From), unixOrZero(s.Until)
	first := s.After == nil
	if first {
		err = p.cfg.Source.Datestamps(from, until, nil, func(st store.Stamp) bool {
			if inSet(st, s.Set) {
				s.Complete++
			}
			return true
		})
		if err != nil {
			return err
		}
		if s.Complete == 0 {
			return perr("noRecordsMatch", "no record matches the request")
		}
	}
	var page []store.Stamp
	var more bool
	err = p.cfg.Source.Datestamps(from, until, s.After, func(st store.Stamp) bool {
		if !inSet(st, s.Set) {
			return true
		}
		if len(page) == p.cfg.PageSize {
			more = true
			return false
		}
		page = append(page, st)
		return true
	})
	if err != nil {
		return err
	}
	// The rest of a list can empty when its records change past its until; a list element
	// holds at least one record, so that is said as for a list that matches nothing.
	if len(page) == 0 {
		return perr("noRecordsMatch", "no record is left in the rest of the list")
	}
	var tok *resumptionToken
	if more || !first {
		tok = &resumptionToken{CompleteListSize: s.Complete, Cursor: s.Cursor}
		if more {
			next := s
			next.After = page[len(page)-1].Key
			next.Cursor += len(page)
			// Records changed during the harvest move to the end of the list, so the list
			// can grow; the size announced stays the one counted at its start.
			if next.Complete < next.Cursor {
				next.Complete = next.Cursor
			}
			next.Expires = now.Add(p.cfg.TokenTTL).Unix()
			tok.Value = encodeToken(next)
			tok.ExpirationDate = FormatStamp(time.Unix(next.Expires, 0))
		}
	}
	if verb == "ListIdentifiers" {
		out := &headerList{Token: tok}
		for _, st := range page {
			h := p.header(st)
			if _, deleted := st.InSet(s.Set); deleted {
				h.Status = "deleted"
			}
			out.Headers = append(out.Headers, h)
		}
		env.ListIdentifiers = out
		return nil
	}
	out := &recordList{Token: tok}
	for _, st := range page {
		rec, err := p.record(ctx, st, s.Prefix, s.Set)
		if err != nil {
			return err
		}
		out.Records = append(out.Records, rec)
	}
	env.ListRecords = out
	return nil
}
