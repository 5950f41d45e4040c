package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/practices"
	"github.com/uclg-digital-cities/kb/internal/review"
)

// trackingHeader carries a contributor's tracking token.
const trackingHeader = "X-Tracking-Token"

// submissionJSON is what a contributor may send, and all: the case's own fields and the
// contact. What the knowledge base sets (origin, translations, the record of AI
// assistance, ids, versions, the source) has no field here, so it cannot ride along
// (screen refuses the first three by name and drops the others a read-back shows).
type submissionJSON struct {
	Practice         casePractice   `json:"practice"`
	Contact          review.Contact `json:"contact"`
	ConsentToPublish bool           `json:"consent_to_publish"`
	SessionID        string         `json:"session_id,omitempty"`
	Draft            bool           `json:"draft,omitempty"`
	Comment          string         `json:"comment,omitempty"`
}

// casePractice is the practice as a contributor writes it.
type casePractice struct {
	Title         string   `json:"title"`
	Summary       string   `json:"summary"`
	Body          string   `json:"body"`
	City          string   `json:"city"`
	Country       string   `json:"country"`
	Areas         []string `json:"areas"`
	Crises        []string `json:"crises"`
	Tags          []string `json:"tags"`
	TargetGroups  []string `json:"target_groups"`
	Results       []string `json:"results"`
	Prerequisites []string `json:"prerequisites"`
	Status        string   `json:"status"`
	Year          int      `json:"year"`
	Languages     []string `json:"languages"`
}

func (in submissionJSON) input() review.Input {
	p := in.Practice
	return review.Input{
		Practice: practices.Practice{Title: p.Title, Summary: p.Summary, Body: p.Body, City: p.City, Country: p.Country,
			Areas: p.Areas, Crises: p.Crises, Tags: p.Tags, TargetGroups: p.TargetGroups, Results: p.Results,
			Prerequisites: p.Prerequisites, Status: p.Status, Year: p.Year, Languages: p.Languages},
		Contact: in.Contact, ConsentToPublish: in.ConsentToPublish, SessionID: in.SessionID, Draft: in.Draft, Comment: in.Comment,
	}
}

// bindSubmission reads a submission strictly; a field a contributor may not set is a 400
// naming it where it stands (practice.origin).
func bindSubmission(c *gin.Context) (review.Input, error) {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return review.Input{}, err
	}
	if data, err = screen(data); err != nil {
		return review.Input{}, err
	}
	var in submissionJSON
	if err := decodeStrict(data, &in); err != nil {
		return review.Input{}, err
	}
	return in.input(), nil
}

var (
	// records are the knowledge base's own records of a practice: a case carrying one
	// is refused, since it would be published with it.
	records = []string{"origin", "translations", "assisted", "uri", "same_as", "replaced_by", "hidden", "local_note"}
	// readBack are the fields the knowledge base sets that a submission read back (GET)
	// shows: sent again (PUT), they are dropped, as they would be set anew anyway.
	readBack = []string{"id", "source", "session", "version", "updated_at", "archived", "region", "population_band"}
)

// screen refuses a submission whose practice carries one of the records, naming each,
// and drops the fields read back; any other field the types lack is left for the strict
// decoding to name. A body that is not an object is left to it too.
func screen(data []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	var practice map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || json.Unmarshal(top["practice"], &practice) != nil || practice == nil {
		return data, nil
	}
	f := map[string]string{}
	for _, k := range records {
		if v, ok := practice[k]; ok && string(bytes.TrimSpace(v)) != "null" {
			f["practice."+k] = "is set by the knowledge base, never by a contributor"
		}
		delete(practice, k)
	}
	if len(f) > 0 {
		return nil, apperr.InvalidFields("the submission carries what only the knowledge base sets", f)
	}
	for _, k := range readBack {
		delete(practice, k)
	}
	allowed := jsonFields(reflect.TypeFor[casePractice]())
	for k := range practice {
		if !allowed[k] {
			f["practice."+k] = "is not a field of a submitted practice"
		}
	}
	if len(f) > 0 {
		return nil, apperr.InvalidFields("the request body has an unknown field", f)
	}
	top["practice"], _ = json.Marshal(practice)
	return json.Marshal(top)
}

// jsonFields are the JSON names of a struct type's fields.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		out[strings.Split(t.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	return out
}

// idempotencyHeader lets a client retry a submission it is not sure arrived: the same
// key with the same body is answered with the first submission's receipt.
const idempotencyHeader = "Idempotency-Key"

// idempotency reads the request's Idempotency-Key, with a fingerprint of the submission
// it came with (its fields, not their spacing).
func idempotency(c *gin.Context, in review.Input) (*review.Once, error) {
	key := c.GetHeader(idempotencyHeader)
	if key == "" {
		return nil, nil
	}
	if len(key) > 255 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return nil, apperr.InvalidFields("the request is not valid", map[string]string{idempotencyHeader: "must be 1 to 255 visible ASCII characters, such as a random UUID"})
	}
	data, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return &review.Once{Key: key, Fingerprint: hex.EncodeToString(sum[:])}, nil
}

func access(c *gin.Context) review.Access {
	return review.Access{Principal: principal(c), Token: c.GetHeader(trackingHeader)}
}

// receipt adds to the service's receipt the contributor's tracking page, when the pages
// are served.
type receipt struct {
	*review.Receipt
	TrackingURL string `json:"tracking_url,omitempty"`
}

// registerSubmissions adds the contributors' routes; trackBase, when set, is the base
// URL of the tracking pages (BASE/track/). The service limits new submissions per
// client, for this door and the pages' alike.
func registerSubmissions(api *gin.RouterGroup, svc *review.Service, expensive gin.HandlerFunc, trackBase string) {
	api.POST("/submissions", expensive, func(c *gin.Context) {
		in, err := bindSubmission(c)
		if err == nil {
			in.Once, err = idempotency(c, in)
		}
		if err != nil {
			writeError(c, err)
			return
		}
		in.Lang = c.GetHeader("Accept-Language") // the language of the mails to the contributor
		r, err := svc.Create(c.Request.Context(), in)
		if err != nil {
			writeError(c, err)
			return
		}
		if r.Replayed {
			c.Header("Idempotent-Replayed", "true")
		}
		out := receipt{Receipt: r}
		if trackBase != "" {
			out.TrackingURL = trackBase + r.TrackingToken
		}
		c.JSON(http.StatusCreated, out)
	})
	api.POST("/submissions/duplicates", expensive, func(c *gin.Context) {
		in, err := bindSubmission(c)
		if err != nil {
			writeError(c, err)
			return
		}
		d, err := svc.Duplicates(c.Request.Context(), in)
		respond(c, http.StatusOK, gin.H{"duplicates": d}, err)
	})
	// The link of the mail asking a contributor to confirm their address.
	api.POST("/submissions/confirm", func(c *gin.Context) {
		var in struct {
			Token string `json:"token"`
		}
		if err := bindJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		s, err := svc.ConfirmAddress(c.Request.Context(), in.Token)
		respond(c, http.StatusOK, s, err)
	})
	api.GET("/submissions/:id", func(c *gin.Context) {
		s, err := svc.Get(c.Request.Context(), c.Param("id"), access(c))
		respond(c, http.StatusOK, s, err)
	})
	api.PUT("/submissions/:id", func(c *gin.Context) {
		in, err := bindSubmission(c)
		if err != nil {
			writeError(c, err)
			return
		}
		s, err := svc.Update(c.Request.Context(), c.Param("id"), access(c), in)
		respond(c, http.StatusOK, s, err)
	})
	api.POST("/submissions/:id/withdraw", func(c *gin.Context) {
		s, err := svc.Withdraw(c.Request.Context(), c.Param("id"), access(c))
		respond(c, http.StatusOK, s, err)
	})
}
