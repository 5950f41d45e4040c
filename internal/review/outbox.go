package review

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Notification states.
const (
	MailPending = "pending" // in the outbox: not sent (no SMTP configured, or not yet)
	MailSent    = "sent"
	MailFailed  = "failed" // gave up after maxAttempts
)

const maxAttempts = 5

// Notification is a message to a contributor about their submission.
type Notification struct {
	Seq          uint64    `json:"seq"`
	Time         time.Time `json:"time"`
	To           string    `json:"to"`
	Subject      string    `json:"subject"`
	Body         string    `json:"body"`
	SubmissionID string    `json:"submission_id,omitempty"`
	Status       string    `json:"status"`
	Attempts     int       `json:"attempts"`
	NextTry      time.Time `json:"next_try,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
}

var statusWords = map[string]string{
	StatusSubmitted:        "has been received and waits for review",
	StatusChangesRequested: "needs changes before it can be published",
	StatusAccepted:         "has been accepted and published",
	StatusRejected:         "has not been accepted",
	StatusWithdrawn:        "has been withdrawn",
}

// notify puts a message about the submission's new state in the outbox, inside the
// transaction of the change, when its contact confirmed their address; until then the
// one message is the request to confirm it. Sending happens later and never holds up the
// request. The caller stores sub.
func (s *Service) notify(tx *bolt.Tx, sub *Submission, comment string) error {
	if sub.Contact.Email == "" {
		return nil
	}
	if sub.Address.Confirmed.IsZero() {
		return s.askToConfirm(tx, sub)
	}
	title := sub.Practice.Title
	if title == "" {
		title = "your case"
	}
	body := fmt.Sprintf("Hello %s,\n\nYour submission %q %s.\n", sub.Contact.Name, title, statusWords[sub.Status])
	if comment != "" {
		body += "\nThe coordinators wrote:\n" + comment + "\n"
	}
	if sub.PracticeID != "" {
		body += "\nIt is published as practice " + sub.PracticeID + ".\n"
	}
	body += "\nFollow it, answer comments or withdraw it with your private tracking link (submission " + sub.ID + ").\n"
	return s.queue(tx, Notification{To: sub.Contact.Email, Subject: "Your case " + statusWordsShort(sub.Status), Body: body, SubmissionID: sub.ID})
}

// queue puts a message in the outbox, pending, with the next sequence number.
func (s *Service) queue(tx *bolt.Tx, n Notification) error {
	b := tx.Bucket(bucketOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	n.Seq, n.Time, n.Status = seq, s.store.Now(), MailPending
	return putJSON(b, string(seqKey(seq)), n)
}

// QueueTx puts a message to a user of the knowledge base (a coordinator, about their
// account) in the outbox, inside the transaction of the change it tells of.
func (s *Service) QueueTx(tx *bolt.Tx, to, subject, body string) error {
	return s.queue(tx, Notification{To: to, Subject: subject, Body: body})
}

// Wake tells the sender that the outbox has new mail, once it is committed.
func (s *Service) Wake() { s.wakeSender() }

func statusWordsShort(status string) string {
	return strings.ReplaceAll(status, "_", " ")
}

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

func (s *Service) wakeSender() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Outbox lists the notifications, newest first.
func (s *Service) Outbox(ctx context.Context, limit int) ([]Notification, error) {
	out := []Notification{}
	err := s.store.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var n Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// SMTP is where notifications are sent: smtp://user:password@host:port?from=address.
type SMTP struct {
	Addr, From, User, Password string
	Timeout                    time.Duration
}

// ParseSMTPURL reads KB_SMTP_URL.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
		return nil, fmt.Errorf("KB_SMTP_URL must look like smtp://user:password@host:587?from=kb@example.org")
	}
	cfg := &SMTP{Addr: u.Host, From: u.Query().Get("from"), Timeout: 10 * time.Second}
	if !strings.Contains(u.Host, ":") {
		cfg.Addr += ":587"
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("KB_SMTP_URL needs a from= address")
	}
	return cfg, nil
}

// RunSender delivers pending notifications until ctx ends: whenever new ones are queued,
// and every interval to retry failures with backoff.
func (s *Service) RunSender(ctx context.Context, cfg *SMTP, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.SendPending(ctx, cfg)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// SendPending tries every pending notification that is due once.
func (s *Service) SendPending(ctx context.Context, cfg *SMTP) {
	var due []Notification
	now := time.Now().UTC()
	s.store.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var n Notification
			if json.Unmarshal(v, &n) == nil && n.Status == MailPending && !n.NextTry.After(now) {
				due = append(due, n)
			}
			return nil
		})
	})
	for _, n := range due {
		if ctx.Err() != nil {
			return
		}
		err := send(cfg, n)
		n.Attempts++
		switch {
		case err == nil:
			n.Status, n.LastError = MailSent, ""
		case n.Attempts >= maxAttempts:
			n.Status, n.LastError = MailFailed, err.Error()
		default:
			n.LastError = err.Error()
			n.NextTry = now.Add(time.Duration(1<<n.Attempts) * time.Minute)
		}
		if err != nil {
			s.log.Warn("notification not sent", "seq", n.Seq, "attempt", n.Attempts, "err", err)
		}
		s.store.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketOutbox), string(seqKey(n.Seq)), n) })
	}
}

func send(cfg *SMTP, n Notification) error {
	conn, err := net.DialTimeout("tcp", cfg.Addr, cfg.Timeout)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(cfg.Timeout))
	host, _, _ := net.SplitHostPort(cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.User, cfg.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(cfg.From); err != nil {
		return err
	}
	if err := c.Rcpt(n.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	msg := "From: " + cfg.From + "\r\nTo: " + n.To + "\r\nSubject: " + n.Subject + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(n.Body, "\n", "\r\n")
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
