// Package mailtest is an SMTP server for tests: it accepts every message on a loopback
// port and keeps it, so that a test reads what the knowledge base sent.
package mailtest

import (
	"bufio"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is a message the sink received.
type Message struct {
	// Raw is the message as sent, headers and body.
	Raw string
	// To and Subject are its headers, the subject decoded (RFC 2047).
	To, Subject string
	// Body is its text.
	Body string
}

// Sink is the server.
type Sink struct {
	// Addr is its host:port.
	Addr string

	mu     sync.Mutex
	mail   []Message
	landed chan struct{}
}

// Start listens on a loopback port until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &Sink{Addr: ln.Addr().String(), landed: make(chan struct{}, 1)}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(conn)
		}
	}()
	return s
}

// Messages returns what was received so far, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.mail...)
}

// Wait returns the messages once there are at least n, failing the test if they do not
// come within a minute.
func (s *Sink) Wait(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		if got := s.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-s.landed:
		case <-deadline:
			t.Fatalf("the SMTP sink received %d messages, want %d: %+v", len(s.Messages()), n, s.Messages())
		}
	}
}

func (s *Sink) session(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { conn.Write([]byte(line + "\r\n")) }
	say("220 mailtest")
	var data strings.Builder
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if inData {
			if line == ".\r\n" {
				inData = false
				s.keep(data.String())
				data.Reset()
				say("250 queued")
				continue
			}
			data.WriteString(strings.TrimPrefix(line, ".")) // dot-stuffing
			continue
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 mailtest")
		case cmd == "DATA":
			inData = true
			say("354 go on")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *Sink) keep(raw string) {
	m := Message{Raw: raw}
	if msg, err := mail.ReadMessage(strings.NewReader(raw)); err == nil {
		m.To = msg.Header.Get("To")
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		var body strings.Builder
		b := bufio.NewScanner(msg.Body)
		for b.Scan() {
			body.WriteString(b.Text() + "\n")
		}
		m.Body = body.String()
	}
	s.mu.Lock()
	s.mail = append(s.mail, m)
	s.mu.Unlock()
	select {
	case s.landed <- struct{}{}:
	default:
	}
}
