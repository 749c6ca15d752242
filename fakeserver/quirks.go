package fakeserver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// Quirks are deliberate departures from what the reference server does, each modelled on
// servers in the wild, so that the harness's verdicts can be tried on a server that behaves
// like someone else's (a subject condition, the server's counterpart of a client mutant).
const (
	// QuirkStrictNames: a publish or play on a connection whose application name holds '?',
	// '&' or '=' gets its Start status, then the session is closed ("invalid stream path
	// characters"), as servers that validate the application name do.
	QuirkStrictNames = "strict-names"
	// QuirkLateBadName: a publish of a name another session holds gets Publish.Start, then,
	// LateBadNameAfter later, Publish.BadName and a closed session — servers that register a
	// publisher after accepting it and revoke a second one.
	QuirkLateBadName = "late-badname"
	// QuirkNoPlay2: play2 is an unknown command (_error, Method not found), as in servers that
	// do not implement it.
	QuirkNoPlay2 = "no-play2"
)

// Quirks lists every quirk.
var Quirks = []string{QuirkStrictNames, QuirkLateBadName, QuirkNoPlay2}

// LateBadNameAfter is how long QuirkLateBadName lets a revoked publisher believe it publishes.
const LateBadNameAfter = time.Second

// validQuirks refuses unknown quirks.
func validQuirks(qs []string) error {
	for _, q := range qs {
		if !slices.Contains(Quirks, q) {
			return fmt.Errorf("fakeserver: %q is not a quirk (known: %s)", q, strings.Join(Quirks, ", "))
		}
	}
	return nil
}

// quirk tells whether the server has quirk q.
func (s *Server) quirk(q string) bool { return slices.Contains(s.cfg.Quirks, q) }

// strictRefusal is QuirkStrictNames for a publish or play: after the Start status the
// session ends (an error the caller returns) when the connection's application name holds
// '?', '&' or '='; nil otherwise.
func (ss *session) strictRefusal(ctx context.Context, sid uint32, start map[string]any, stream string) error {
	if !ss.srv.quirk(QuirkStrictNames) || !strings.ContainsAny(ss.rawApp, "?&=") {
		return nil
	}
	_ = ss.conn.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, start)
	reason := fmt.Sprintf("invalid stream path characters in application %q", ss.rawApp)
	ss.srv.emit(Event{Kind: EventError, Session: ss.id, Stream: stream, StreamID: sid, Reason: reason})
	return fmt.Errorf("%s", reason)
}

// lateBadName is QuirkLateBadName for a publish of a name another session holds: it accepts,
// then revokes the publish and closes the session.
func (ss *session) lateBadName(ctx context.Context, sid uint32, name string) error {
	ss.srv.emit(Event{Kind: EventError, Session: ss.id, Stream: name, StreamID: sid, Command: "publish",
		Reason: fmt.Sprintf("already published: accepted, revoked in %v", LateBadNameAfter)})
	ss.players.Add(1)
	go func() {
		defer ss.players.Done()
		select {
		case <-ctx.Done():
			return
		case <-ss.srv.clk.After(LateBadNameAfter):
		}
		_ = ss.conn.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
			info("error", status.PublishBadName, name+" is already being published."))
		_ = ss.conn.Close()
	}()
	return ss.conn.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
		info("status", status.PublishStart, name+" is now published."))
}
