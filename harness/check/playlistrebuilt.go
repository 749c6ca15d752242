package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NamePlaylistRebuilt is the playlistRebuilt checker's YAML key.
const NamePlaylistRebuilt = "playlistRebuilt"

// PlaylistRebuilt parameterises the playlistRebuilt checker: the client rebuilt its playlist after each drop.
type PlaylistRebuilt struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the checker's parameters with ClientRef's schema.
func (PlaylistRebuilt) JSONSchemaAlias() any { return spec.ClientRef{} }

// Default leaves the parameters as they are.
func (c *PlaylistRebuilt) Default(*Scope) {}

// Validate has nothing to check beyond the client.
func (c *PlaylistRebuilt) Validate(spec.Problems, *Scope) {}

// Judge applies the checker.
func (c *PlaylistRebuilt) Judge(h *history.History) Verdict { return playlistRebuilt(h, c.Client) }

// playlistRebuilt checks Stream Reconnect for playlists: at every resume the server's
// playlist equals the client's (same items, same order), the client re-added the earlier
// items with appendAndWait, and the server streamed nothing on that session before the resume.
func playlistRebuilt(h *history.History, client string) Verdict {
	v := Verdict{Checker: NamePlaylistRebuilt, Subject: client}
	resumes := Resumes(h, client)
	if len(resumes) == 0 {
		v.Status, v.Message = Fail, client+" never resumed, so no playlist was rebuilt"
		return v
	}
	if srv := serverOf(h, routeAt(h, client, resumes[0].Request.At)); !hasAccessLog(h, srv) {
		v.Status, v.Message = Unknown, fmt.Sprintf("the server's playlist is known only from the reference server's access log; %s keeps none", srv)
		return v
	}
	var problems, evidence []string
	for i, rs := range resumes {
		rq := rs.Request
		if rs.Served == nil && retried(resumes, i) {
			evidence = append(evidence, fmt.Sprintf("rebuild on connection %d at %s was lost with its connection; a later one was served", rq.Conn, sec(rq.At)))
			continue
		}
		var calls []string
		for _, e := range h.Of(client, history.KindClientPlay) {
			if e.Conn != rq.Conn || e.At > rq.At {
				continue
			}
			calls = append(calls, e.Transition+" "+e.Stream)
			if e.Seq != rq.Seq && e.Transition != "appendAndWait" {
				problems = append(problems, fmt.Sprintf("rebuild on connection %d re-added %s with %s at %s (appendAndWait streams nothing; %s streams at once)",
					rq.Conn, e.Stream, e.Transition, sec(e.At), e.Transition))
			}
		}
		if rs.Served == nil {
			problems = append(problems, fmt.Sprintf("resume at %s never reached a server", sec(rq.At)))
			continue
		}
		srv := *rs.Served
		evidence = append(evidence, fmt.Sprintf("connection %d at %s: %s -> %s session %s playlist [%s], client [%s]",
			rq.Conn, sec(rq.At), strings.Join(calls, ", "), srv.Source, srv.Session, strings.Join(srv.Playlist, " "), strings.Join(rq.Playlist, " ")))
		if !slices.Equal(srv.Playlist, rq.Playlist) {
			problems = append(problems, fmt.Sprintf("after the rebuild at %s the server's playlist is [%s] but the client's is [%s]",
				sec(rq.At), strings.Join(srv.Playlist, " "), strings.Join(rq.Playlist, " ")))
		}
		for _, e := range h.Declared(client, history.KindServerPlay) {
			if e.Source == srv.Source && e.Session == srv.Session && e.Seq != srv.Seq && e.At <= srv.At {
				problems = append(problems, fmt.Sprintf("%s started streaming %s (%s) at %s on session %s before the resume at %s",
					srv.Source, e.Stream, e.Transition, sec(e.At), e.Session, sec(srv.At)))
			}
		}
		dropped := 0
		for _, e := range h.Of(client, history.KindClientDropped) {
			if e.Conn == rq.Conn && e.Frames != nil {
				dropped += e.Frames.Last - e.Frames.First + 1
			}
		}
		if dropped > 0 {
			evidence = append(evidence, fmt.Sprintf("connection %d: %d frames arrived again and were dropped by the splice", rq.Conn, dropped))
		}
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d rebuild(s): the server's playlist matched the client's and nothing streamed before the resume", len(resumes)))
}
