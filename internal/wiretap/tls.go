package wiretap

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/streamfault/streamfault/internal/tlsca"
)

// TLS is how a tap terminates TLS on both sides to read the RTMP inside: the client handshakes
// with the tap (a certificate the client must trust), the tap with the upstream; the client
// gets no newer TLS version than the upstream spoke on that connection.
type TLS struct {
	// Client is the server-side configuration the client handshakes with (its certificate).
	Client *tls.Config
	// Upstream is the client-side configuration the tap handshakes with the upstream by; its
	// ServerName defaults to the upstream's host.
	Upstream *tls.Config
}

// handshake terminates TLS on both sides of the relay, the upstream's first: until the server
// has answered the tap, the client's own handshake waits, so that a route stalled in the
// middle of the handshake keeps the client waiting as it would without the tap. Both end
// when they are done, one fails, the client leaves or the tap closes. On success the relay's
// sides are the TLS connections and connected tells the version and the time taken; on
// failure the connection is reported (connect with the reason, then close) and false returned.
func (r *relay) handshake(upstream string, connected *Event) bool {
	t := r.tap
	r.mu.Lock()
	rawCli, rawSrv := r.client, r.server
	r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.whileHandshaking(ctx, cancel, rawCli)
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()

	begin := t.clk.Now()
	connected.Time = begin // the connection began when it was relayed, whatever its handshakes
	srv := tls.Client(rawSrv, tlsca.ForAddr(t.cfg.TLS.Upstream, upstream))
	if err := srv.HandshakeContext(ctx); err != nil {
		return r.handshakeFailed(ctx, begin, "TLS handshake with the server", err, ByServer)
	}
	ccfg := t.cfg.TLS.Client.Clone() // the program gets no newer TLS than the server spoke
	ccfg.MaxVersion = srv.ConnectionState().Version
	cli := tls.Server(rawCli, ccfg)
	if err := cli.HandshakeContext(ctx); err != nil {
		_ = srv.NetConn().Close()
		return r.handshakeFailed(ctx, begin, "TLS handshake with the client", err, ByClient)
	}
	r.mu.Lock()
	r.client, r.server = cli, srv
	gone := r.closedBy != ""
	r.mu.Unlock()
	if gone { // the tap closed meanwhile: its end closed the plain sides only
		closeSide(cli, true)
		closeSide(srv, true)
	}
	connected.TLS = tls.VersionName(srv.ConnectionState().Version)
	connected.Handshake = t.clk.Now().Sub(begin)
	return true
}

// handshakeFailed reports a connection that began at begin and whose handshake (what) failed
// — by the side that failed, unless the client left or the tap closed meanwhile — and closes it.
func (r *relay) handshakeFailed(ctx context.Context, begin time.Time, what string, err error, by string) bool {
	why := fmt.Sprintf("%s: %v", what, err)
	r.mu.Lock()
	prior := r.closedBy // the tap's close or a network change ended it meanwhile
	r.mu.Unlock()
	switch {
	case prior == ByTap || ctx.Err() != nil && r.tap.isClosed():
		by, why = ByTap, what+": the tap closed (the program or the run ended)"
	case prior != "":
		by, why = prior, fmt.Sprintf("%s: ended from the %s's side meanwhile", what, prior)
	case ctx.Err() != nil:
		by, why = ByClient, what+": the client left before it completed"
	}
	r.end(by)
	r.mu.Lock()
	by, at := r.closedBy, r.endedAt
	r.mu.Unlock()
	r.tap.emit(Event{Time: begin, Conn: r.n, Kind: KindConnect, Err: why})
	r.tap.emit(Event{Time: at, Conn: r.n, Kind: KindClose, ClosedBy: by, Err: why})
	return false
}

// handshakeCheck is how often a handshaking relay looks whether the client has left.
const handshakeCheck = 50 * time.Millisecond

// whileHandshaking cancels the handshakes when the client leaves (seen within handshakeCheck)
// or the tap closes; it returns when ctx ends.
func (r *relay) whileHandshaking(ctx context.Context, cancel context.CancelFunc, client net.Conn) {
	tick := time.NewTicker(handshakeCheck)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.tap.done:
			cancel()
			return
		case <-tick.C:
			if peerGone(client) {
				cancel()
				return
			}
		}
	}
}

// isClosed tells whether the tap is closing.
func (t *Tap) isClosed() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// writeTLS delivers p to a TLS side. A TLS connection cannot take write deadlines (a timed-out
// write breaks it for good), so the write blocks while a watch, every writeCheck, looks
// whether the side read from has ended meanwhile, and then ends the connection, which
// unblocks the write. It returns what write does.
func (r *relay) writeTLS(src, dst net.Conn, p []byte, fromServer bool) string {
	dir := 0
	if fromServer {
		dir = 1
	}
	r.writing[dir].Store(time.Now().UnixNano())
	_, err := dst.Write(p)
	r.writing[dir].Store(0)
	if err == nil {
		return ""
	}
	r.mu.Lock()
	by := r.closedBy
	r.mu.Unlock()
	if by != "" { // the watch ended the connection, or another side did
		return by
	}
	return side(!fromServer)
}

// watchWrites ends the connection when a write has been blocked for writeCheck and the side
// it copies from has ended meanwhile (writeTLS); it returns when done is closed.
func (r *relay) watchWrites(done <-chan struct{}, cli, srv net.Conn) {
	tick := time.NewTicker(writeCheck)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		for dir, src := range []net.Conn{cli, srv} {
			began := r.writing[dir].Load()
			if began != 0 && time.Since(time.Unix(0, began)) >= writeCheck && peerGone(src) {
				r.end(side(dir == 1))
			}
		}
	}
}

// closeSide closes one side of a relay. A TLS side is told first, with a close_notify alert,
// unless abrupt (a reset to relay, the tap's own end): that alert waits at most writeCheck
// for a stalled peer to take it.
func closeSide(c net.Conn, abrupt bool) {
	tc, ok := c.(*tls.Conn)
	if !ok {
		_ = c.Close()
		return
	}
	if abrupt {
		_ = tc.NetConn().Close()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = tc.Close()
	}()
	select {
	case <-done:
	case <-time.After(writeCheck):
		_ = tc.NetConn().Close()
		<-done
	}
}
