package review

import (
	"context"
	"slices"
	"strings"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/audit"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// Suggester proposes metadata (and an English translation) for a case.
type Suggester interface {
	Suggest(ctx context.Context, p practices.Practice) (*practices.Suggestions, error)
}

// AssistantAvailable reports whether an assistant is configured and may be used now, so
// that pages offer it only then.
func (s *Service) AssistantAvailable() bool {
	if s.Assistant == nil {
		return false
	}
	if a, ok := s.Assistant.(interface{ Available() bool }); ok {
		return a.Available()
	}
	return true
}

// Suggestion fields a coordinator can take.
const (
	FieldAreas        = "areas"
	FieldTags         = "tags"
	FieldCrises       = "crises"
	FieldTargetGroups = "target_groups"
	FieldSummary      = "summary"
	FieldTranslation  = "translation"
)

// SuggestionFields lists them in the order pages show them.
var SuggestionFields = []string{FieldAreas, FieldTags, FieldCrises, FieldTargetGroups, FieldSummary, FieldTranslation}

// Applied is what a coordinator takes from the suggestions: the fields named in Fields,
// with the values given here (the suggestion itself when a value is left empty).
type Applied struct {
	Fields       []string               `json:"fields"`
	Areas        []string               `json:"areas,omitempty"`
	Tags         []string               `json:"tags,omitempty"`
	Crises       []string               `json:"crises,omitempty"`
	TargetGroups []string               `json:"target_groups,omitempty"`
	Summary      string                 `json:"summary,omitempty"`
	Translation  *practices.Translation `json:"translation,omitempty"`
}

// Assist asks the assistant for suggestions on a submitted case and keeps them on the
// submission, marked machine-generated. Only the case's text is sent, never the
// contributor's contact; nothing is sent unless a coordinator calls this.
func (s *Service) Assist(ctx context.Context, id string, who *auth.Principal) (*Submission, error) {
	sg := s.Assistant
	switch {
	case sg == nil:
		return nil, apperr.Said(apperr.NotFound, "no AI assistant is configured (KB_OPENAI_BASE_URL)", i18n.Say("assist.error.none"))
	case !s.AssistantAvailable():
		return nil, apperr.Said(apperr.Unavailable, "the AI assistant is unavailable for now; decide without it or try later", i18n.Say("assist.error.unavailable"))
	case !who.Can(auth.RoleCoordinator):
		return nil, apperr.Said(apperr.Forbidden, "only coordinators ask the assistant about a submission", i18n.Say("assist.error.role"))
	}
	sub, err := s.Get(ctx, id, Access{Principal: who})
	if err != nil {
		return nil, err
	}
	if sub.Status != StatusSubmitted {
		return nil, apperr.Said(apperr.Conflict, "the assistant helps with submissions waiting for a decision; this one is "+humanState(sub.Status),
			i18n.Say("assist.error.state", i18n.Term("state", sub.Status)))
	}
	sugg, err := sg.Suggest(ctx, sub.Practice)
	if err != nil {
		return nil, err
	}
	sugg.RequestedBy = who.Email
	var out *Submission
	err = s.store.Update(func(tx *store.Tx) error {
		cur, err := load(tx, id, Access{Principal: who})
		if err != nil {
			return err
		}
		if !cur.Updated.Equal(sub.Updated) || cur.Status != sub.Status {
			return apperr.Said(apperr.Conflict, "the submission changed while the assistant was reading it; ask again", i18n.Say("assist.error.changed"))
		}
		before := cur.view()
		cur.Suggestions = sugg
		if err := store.PutJSON(tx.Submissions(), id, cur); err != nil {
			return err
		}
		out = cur.view()
		return audit.Append(tx, audit.Record(who.Email, "submission.assist", "submission:"+id, before, out, "machine-generated suggestions by "+sugg.Model))
	})
	return out, err
}

// applied is apply followed by validation, naming what is wrong in the coordinator's
// values as apply.FIELD.
func applied(p *practices.Practice, sugg *practices.Suggestions, a *Applied, geo *practices.Geography) error {
	if err := apply(p, sugg, a); err != nil {
		return err
	}
	p.Normalize()
	err := p.Validate(geo)
	if err == nil {
		return nil
	}
	var f apperr.FieldErrors
	f.TakeAs(err, func(k string) string {
		if strings.HasPrefix(k, "translations[") {
			k = FieldTranslation + k[strings.Index(k, "]")+1:]
		}
		return "apply." + k
	})
	return f.Err("the suggestions as edited cannot be published")
}

// apply takes the fields a coordinator chose from the suggestions into the practice to
// publish, and records which were taken as suggested and which edited.
func apply(p *practices.Practice, sugg *practices.Suggestions, a *Applied) error {
	if sugg == nil {
		return fieldErr("apply", "there are no suggestions to apply: ask the assistant first", apperr.Unknown)
	}
	var f apperr.FieldErrors
	rec := &practices.Assisted{Model: sugg.Model, Generated: sugg.Generated}
	take := func(field string, edited bool) {
		rec.Fields = append(rec.Fields, field)
		if edited {
			rec.Edited = append(rec.Edited, field)
		}
	}
	list := func(field string, given, suggested []string, dst *[]string) {
		v := suggested
		if given != nil {
			v = given
		}
		*dst = v
		take(field, given != nil && !slices.Equal(given, suggested))
	}
	for _, field := range a.Fields {
		if slices.Contains(rec.Fields, field) {
			continue
		}
		switch field {
		case FieldAreas:
			list(field, a.Areas, sugg.Areas, &p.Areas)
		case FieldTags:
			list(field, a.Tags, sugg.Tags, &p.Tags)
		case FieldCrises:
			list(field, a.Crises, sugg.Crises, &p.Crises)
		case FieldTargetGroups:
			list(field, a.TargetGroups, sugg.TargetGroups, &p.TargetGroups)
		case FieldSummary:
			p.Summary = sugg.Summary
			if v := plain(a.Summary); v != "" {
				p.Summary = v
			}
			take(field, plain(p.Summary) != plain(sugg.Summary))
		case FieldTranslation:
			if sugg.Translation == nil {
				f.Add("apply.translation", "there is no suggested translation: the case is in English", apperr.Unknown)
				continue
			}
			t := *sugg.Translation
			edited := false
			if e := a.Translation; e != nil {
				title, summary, body := plain(e.Title), plain(e.Summary), plain(e.Body)
				edited = title != plain(t.Title) || summary != plain(t.Summary) || body != plain(t.Body)
				t.Title, t.Summary, t.Body = title, summary, body
			}
			t.Reviewed = true
			p.Translations = append(slices.DeleteFunc(p.Translations, func(x practices.Translation) bool { return x.Language == t.Language }), t)
			take(field, edited)
		default:
			f.Add("apply.fields", "unknown field "+field+"; fields are: "+strings.Join(SuggestionFields, ", "), apperr.NotAChoice, field)
		}
	}
	if len(rec.Fields) == 0 && f.Err("") == nil { // nothing taken, and nothing wrong said
		f.Add("apply.fields", "name at least one of: "+strings.Join(SuggestionFields, ", "), apperr.Required)
	}
	if err := f.Err("the suggestions cannot be applied"); err != nil {
		return err
	}
	p.Assisted = rec
	return nil
}

// plain is text as typed, without the line endings browsers add to a form's text areas.
func plain(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
