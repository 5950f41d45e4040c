package web

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
	"github.com/uclg-digital-cities/kb/internal/i18n"
	"github.com/uclg-digital-cities/kb/internal/lru"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// MailMessages are the catalogues as the workflow writes its mails to contributors from
// them.
func MailMessages(c *i18n.Catalog) review.Messages { return mailMessages{c} }

type mailMessages struct{ *i18n.Catalog }

func (m mailMessages) Languages() []string {
	out := make([]string, len(Languages))
	for i, l := range Languages {
		out[i] = l.Code
	}
	return out
}

// A receipt is shown on the page the form redirects to (post/redirect/get: reloading it
// sends nothing again), kept here under a code in its address, for the browser that sent
// the form only, and for an hour at most: the tracking link is in it.
type keptReceipt struct {
	visitor string // hash of the browser's CSRF token
	at      time.Time
	receipt review.Receipt
}

const (
	maxReceipts = 256
	receiptKept = time.Hour
)

func newReceipts() *lru.Cache[string, keptReceipt] { return lru.New[string, keptReceipt](maxReceipts) }

// keepReceipt keeps the receipt for the page that shows it and returns that page.
func (p *Pages) keepReceipt(c *gin.Context, r *review.Receipt) string {
	code := auth.NewSecret()
	p.mu.Lock()
	p.receipts.Put(code, keptReceipt{visitor: auth.Hash(c.GetString(ctxCSRF)), at: time.Now(), receipt: *r})
	p.mu.Unlock()
	return "/submitted/" + code
}

// submitted shows a receipt kept by keepReceipt; to another browser, or once it is
// forgotten, a page that says how to get the link again, never a second submission.
func (p *Pages) submitted(c *gin.Context) {
	p.mu.Lock()
	k, ok := p.receipts.Get(c.Param("code"))
	p.mu.Unlock()
	if !ok || time.Since(k.at) > receiptKept || !auth.Equal(k.visitor, auth.Hash(c.GetString(ctxCSRF))) {
		p.render(c, http.StatusNotFound, "submitted", map[string]any{"Gone": true})
		return
	}
	p.render(c, http.StatusOK, "submitted", map[string]any{"Receipt": k.receipt, "Link": p.abs("/track/" + k.receipt.TrackingToken)})
}

// trackToken finds the tracking code in what a contributor pasted: the code itself or
// the whole private link, with whatever a mail program added around it.
var trackToken = regexp.MustCompile(review.TrackingPrefix + `[A-Za-z0-9_-]{20,}`)

// trackOpen opens the tracking page of a pasted link or code.
func (p *Pages) trackOpen(c *gin.Context) {
	typed := c.PostForm("token")
	if typed == "" {
		typed = c.Query("token")
	}
	token := trackToken.FindString(typed)
	if token == "" {
		p.render(c, http.StatusBadRequest, "trackform", map[string]any{"Typed": typed, "Errors": map[string]string{"token": p.catalog.T(negotiate(c), "track.token.invalid")}})
		return
	}
	c.Redirect(http.StatusSeeOther, "/track/"+token)
}

// resend mails the links of the cases sent with an address to it; the answer is the
// same whether there are any.
func (p *Pages) resend(c *gin.Context) {
	email := c.PostForm("email")
	err := p.cfg.Review.ResendLinks(c.Request.Context(), email, negotiate(c))
	if apperr.Code(err) == apperr.Invalid {
		p.render(c, http.StatusBadRequest, "trackform", map[string]any{"Email": email, "Errors": p.formErrors(c, err)})
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "trackform", map[string]any{"Resent": true, "Errors": map[string]string{}})
}

// withdrawForm asks before a case is withdrawn, and says what it means.
func (p *Pages) withdrawForm(c *gin.Context) {
	sub, err := p.cfg.Review.ByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "withdraw", map[string]any{"Sub": sub, "Token": c.Param("token")})
}

// formOrder is the order of the fields in the submission form, for the summary of its
// errors; a field of another form comes after them, by name.
var formOrder = []string{"token", "email", "session_id", "title", "summary", "city", "country", "population", "areas", "crises",
	"target_groups", "prerequisites", "tags", "results", "status", "year", "language", "body",
	"contact_name", "contact_role", "contact_email", "consent_to_publish", "comment"}

// fieldError is one line of a form's error summary.
type fieldError struct{ Field, Message string }

// ordered lists a form's errors in the order of its fields.
func ordered(errs map[string]string) []fieldError {
	out := make([]fieldError, 0, len(errs))
	for f, m := range errs {
		out = append(out, fieldError{f, m})
	}
	rank := func(f string) int {
		if i := slices.Index(formOrder, f); i >= 0 {
			return i
		}
		return len(formOrder)
	}
	slices.SortFunc(out, func(a, b fieldError) int {
		if d := rank(a.Field) - rank(b.Field); d != 0 {
			return d
		}
		return strings.Compare(a.Field, b.Field)
	})
	return out
}

// caseErrors says what is wrong with each field of a submission form in the visitor's
// language, under the form's names of the fields: the problems the API answers with, said
// by the same messages of the catalogues (problem.FIELD.CODE), so that a form and a client
// are told one thing.
func (p *Pages) caseErrors(c *gin.Context, err error) map[string]string {
	out := p.formErrors(c, err)
	if msg, ok := out["languages"]; ok { // the form asks for the text's one language
		delete(out, "languages")
		out["language"] = msg
	}
	return out
}

// population reads a number of inhabitants as people write it ("250 000", "250,000").
func population(s string) (int, bool) {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(" ,.'’\u00a0\u202f_", r) {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}
