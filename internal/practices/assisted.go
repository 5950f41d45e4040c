package practices

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
)

// Suggestions are what an AI assistant proposes for a submitted case, for a coordinator
// to take, edit or leave. They are machine-generated and always stored marked so.
type Suggestions struct {
	MachineGenerated bool      `json:"machine_generated"`
	Model            string    `json:"model"`
	Generated        time.Time `json:"generated"`
	// RequestedBy is the coordinator who asked for them.
	RequestedBy string `json:"requested_by"`
	// Language is the language the assistant read the case in.
	Language     string   `json:"language"`
	Areas        []string `json:"areas"`
	Tags         []string `json:"tags"`
	Crises       []string `json:"crises"`
	TargetGroups []string `json:"target_groups"`
	// Summary is a two-sentence summary in the case's language.
	Summary string `json:"summary"`
	// Translation is an English translation, when the case is written in another language.
	Translation *Translation `json:"translation,omitempty"`
}

// Translation is a practice's text in another language. It is kept apart from the text
// the case's authors wrote, which stays the authoritative one.
type Translation struct {
	Language string `json:"language" yaml:"language"`
	Title    string `json:"title" yaml:"title"`
	Summary  string `json:"summary" yaml:"summary"`
	Body     string `json:"body" yaml:"body"`
	// Results are the practice's results in this language, in the order of the original's.
	Results []string `json:"results,omitempty" yaml:"results,omitempty"`
	// By says who translated it by hand: TranslatedByKB for the knowledge base's team,
	// empty for the case's authors (machine translations have Machine instead).
	By string `json:"by,omitempty" yaml:"by,omitempty"`
	// Machine translations name their model; Reviewed is set when a coordinator checked
	// one before publishing it (who did is in the audit log, not on the public record).
	Machine   bool      `json:"machine" yaml:"machine"`
	Model     string    `json:"model,omitempty" yaml:"model,omitempty"`
	Generated time.Time `json:"generated,omitzero" yaml:"generated,omitempty"`
	Reviewed  bool      `json:"reviewed,omitempty" yaml:"reviewed,omitempty"`
	// Partial is set when only the beginning of a long body was translated.
	Partial bool `json:"partial,omitempty" yaml:"partial,omitempty"`
}

// TranslatedByKB marks a translation made by the knowledge base's team (the corpus's).
const TranslatedByKB = "kb"

// Assisted records which of a practice's fields a coordinator took from an assistant's
// suggestions, so that pages can say so (who took them is in the audit log).
type Assisted struct {
	Model     string    `json:"model" yaml:"model"`
	Generated time.Time `json:"generated" yaml:"generated"`
	// Fields taken as suggested; Edited ones were changed by the coordinator first.
	Fields []string `json:"fields" yaml:"fields"`
	Edited []string `json:"edited,omitempty" yaml:"edited,omitempty"`
}

// validateTranslations names what is wrong in a practice's translations.
func validateTranslations(f *apperr.FieldErrors, ts []Translation) {
	seen := map[string]bool{}
	for i, t := range ts {
		name := fmt.Sprintf("translations[%d]", i)
		switch {
		case !Languages.Has(t.Language):
			f.Add(name+".language", unknownTerm(t.Language, Languages), apperr.NotAChoice, t.Language)
		case seen[t.Language]:
			f.Add(name+".language", fmt.Sprintf("%q is translated twice", t.Language), apperr.Twice, t.Language)
		}
		seen[t.Language] = true
		requireText(f, name+".title", t.Title, MaxTitle)
		requireText(f, name+".summary", t.Summary, MaxSummary)
		if utf8.RuneCountInString(t.Body) > MaxBody {
			f.Add(name+".body", fmt.Sprintf("is too long (at most %d characters)", MaxBody), apperr.TooLong, MaxBody)
		}
	}
}
