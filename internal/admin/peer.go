package admin

import (
	"fmt"
	"log/slog"
	"net"
	"os"
)

// Whoever speaks on the admin socket acts as the local admin, so both ends check who is
// at the other one (SO_PEERCRED) before trusting it: the socket's mode (0600) keeps other
// users out only as long as nobody changes it, or the data dir around it.

// trusted says whether a process of user peer may speak with one of user self: the same
// user, or root.
func trusted(peer, self uint32) bool { return peer == self || peer == 0 }

// peerListener accepts only connections from trusted users; others are closed at once
// and logged.
type peerListener struct {
	*net.UnixListener
	log *slog.Logger
	// trust decides; tests replace it to see a refusal without a second user.
	trust func(uid uint32) bool
}

func newPeerListener(l *net.UnixListener, log *slog.Logger) *peerListener {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	self := uint32(os.Getuid())
	return &peerListener{UnixListener: l, log: log, trust: func(uid uint32) bool { return trusted(uid, self) }}
}

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.AcceptUnix()
		if err != nil {
			return nil, err
		}
		p, err := peerOf(conn)
		switch {
		case err != nil:
			l.log.Warn("admin socket: refused a connection whose peer cannot be known", "err", err)
		case !p.known || l.trust(p.uid):
			return conn, nil
		default:
			l.log.Warn("admin socket: refused a connection from another user", "uid", p.uid, "pid", p.pid)
		}
		conn.Close()
	}
}

// checkServer refuses a socket that a process of another user serves: it could be
// anyone's, answering anything.
func checkServer(conn net.Conn, path string) error {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return nil
	}
	p, err := peerOf(uc)
	if err != nil {
		return fmt.Errorf("admin socket %s: cannot tell who serves it: %w", path, err)
	}
	if p.known && !trusted(p.uid, uint32(os.Getuid())) {
		return fmt.Errorf("admin socket %s is served by user %d (pid %d), neither you nor root: kb will not speak to it", path, p.uid, p.pid)
	}
	return nil
}

// peer is the process at the other end of a Unix socket; known is false where the
// system cannot say (then the socket's mode is the only guard).
type peer struct {
	uid   uint32
	pid   int32
	known bool
}
