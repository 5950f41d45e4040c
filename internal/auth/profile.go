package auth

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/store"
)

// MaxName bounds the name an account shows on public pages.
const MaxName = 100

// SetProfile sets the name public pages show for an account (the author of the versions
// it writes) and the language of the mail it is sent. A name that holds an address is
// refused: public pages never show one.
func (s *Service) SetProfile(email, name, lang, actor string, langs []string) (UserInfo, error) {
	name = strings.Join(strings.Fields(name), " ")
	f := map[string]string{}
	switch {
	case utf8.RuneCountInString(name) > MaxName:
		f["name"] = "is too long (at most 100 characters)"
	case strings.Contains(name, "@"):
		f["name"] = "must be a name, not an email address: it is shown on public pages"
	}
	if lang != "" && !slices.Contains(langs, lang) {
		f["lang"] = "must be one of: " + strings.Join(langs, ", ")
	}
	if len(f) > 0 {
		return UserInfo{}, apperr.InvalidFields("the profile is not valid", f)
	}
	return s.changeUser(email, actor, func(_ *store.Tx, u *user) (string, string, error) {
		u.Name, u.Lang = name, lang
		return "user.profile", "", nil
	})
}
