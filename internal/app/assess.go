package app

import (
	"context"
	"fmt"
	"sync"

	"github.com/uclg-digital-cities/kb/corpus"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/assess"
	"github.com/uclg-digital-cities/kb/internal/practices"
)

// studyIDs are the ids of the study's cases, as the embedded corpus names them.
var studyIDs = sync.OnceValues(func() ([]string, error) {
	geo, err := LoadGeography()
	if err != nil {
		return nil, err
	}
	ps, err := practices.ReadCorpus(corpus.FS, ".", geo)
	if err != nil {
		return nil, fmt.Errorf("embedded corpus: %w", err)
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids, nil
})

// StudyCases are the study's cases as the store holds them now (edits by the study's
// authority included), leaving out those archived or hidden here.
func (a *App) StudyCases(ctx context.Context) ([]*practices.Practice, error) {
	ids, err := studyIDs()
	if err != nil {
		return nil, err
	}
	var out []*practices.Practice
	for _, id := range ids {
		p, err := a.Store.Get(ctx, id)
		if apperr.Code(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if p.Searchable() {
			out = append(out, p)
		}
	}
	return out, nil
}

// Assess answers a city's self-assessment against the study's cities.
func (a *App) Assess(ctx context.Context, in assess.Answers) (*assess.Result, error) {
	return a.Assessments.Assess(ctx, in)
}

// SavedAssessment answers the self-assessment a private link opens.
func (a *App) SavedAssessment(ctx context.Context, token string) (*assess.Result, error) {
	return a.Assessments.Saved(ctx, token)
}

// AssessForm is the self-assessment's questionnaire.
func (a *App) AssessForm() assess.Form { return a.Assessments.Form() }

// openAssessments sets up self-assessments over the study's findings.
func (a *App) openAssessments() error {
	var err error
	a.Assessments, err = assess.New(a.Findings, a.Geo, a.recommend, a, a.Store)
	return err
}
