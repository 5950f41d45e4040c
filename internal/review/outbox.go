package review

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/uclg-digital-cities/kb/internal/store"
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
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	// Link holds the tracking links the body's marks stand for, one a line, until the
	// mail is sent; the outbox never shows them.
	Link         string    `json:"link,omitempty"`
	SubmissionID string    `json:"submission_id,omitempty"`
	Status       string    `json:"status"`
	Attempts     int       `json:"attempts"`
	NextTry      time.Time `json:"next_try,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
}

// queue puts a message in the outbox, pending, with the next sequence number.
func (s *Service) queue(tx *store.Tx, n Notification) error {
	b := tx.Outbox()
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	n.Seq, n.Time, n.Status = seq, s.store.Now(), MailPending
	return store.PutJSON(b, string(seqKey(seq)), n)
}

// QueueTx puts a message to a user of the knowledge base (a coordinator, about their
// account) in the outbox, inside the transaction of the change it tells of.
func (s *Service) QueueTx(tx *store.Tx, to, subject, body string) error {
	return s.queue(tx, Notification{To: to, Subject: subject, Body: body})
}

// Wake tells the sender that the outbox has new mail, once it is committed.
func (s *Service) Wake() { s.wakeSender() }

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

// withheld is the notification as the outbox shows it: without its tracking links,
// which would let whoever reads it act as the contributor.
func (n Notification) withheld() Notification {
	n.Body, n.Link = strings.ReplaceAll(n.Body, linkMark, "(private tracking link, withheld)"), ""
	return n
}

// filled is the body as it is sent, each mark replaced by its link.
func (n Notification) filled() string {
	body := n.Body
	for _, link := range strings.Split(n.Link, "\n") {
		body = strings.Replace(body, linkMark, link, 1)
	}
	return body
}

// Outbox lists the notifications, newest first, without their tracking links.
func (s *Service) Outbox(ctx context.Context, limit int) ([]Notification, error) {
	out := []Notification{}
	err := s.store.View(func(tx *store.Tx) error {
		c := tx.Outbox().Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var n Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n.withheld())
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
	s.store.View(func(tx *store.Tx) error {
		return tx.Outbox().ForEach(func(k, v []byte) error {
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
			n.Status, n.LastError, n.Link = MailSent, "", "" // the links leave the store with the mail
		case n.Attempts >= maxAttempts:
			n.Status, n.LastError = MailFailed, err.Error()
		default:
			n.LastError = err.Error()
			n.NextTry = now.Add(time.Duration(1<<n.Attempts) * time.Minute)
		}
		if err != nil {
			s.log.Warn("notification not sent", "seq", n.Seq, "attempt", n.Attempts, "err", err)
		}
		s.store.Update(func(tx *store.Tx) error { return store.PutJSON(tx.Outbox(), string(seqKey(n.Seq)), n) })
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
	// The subject in the contributor's language may have accents: encoded as RFC 2047 says.
	msg := "From: " + cfg.From + "\r\nTo: " + n.To + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", n.Subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(n.filled(), "\n", "\r\n")
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
