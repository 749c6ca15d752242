package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/role"
)

const liveBase = `name: live
server: {streams: [{name: s, duration: 1s}], idlePublisherTimeout: 2s, pingInterval: 500ms}
routes: [{name: up}, {name: down}]
clients:
  - {name: cam, role: publisher, route: up, stream: cam, bitrateCheck: {}, restore: {backoff: {}}, pings: {}}
  - {name: w, role: viewer, route: down, stream: cam}
expect:
  - republishesAfterZeroBitrate: {client: cam, viewer: w}
  - restorePolicy: {client: cam}
  - liveResumes: {client: w}
`

func TestLiveClientsParseWithDefaults(t *testing.T) {
	s, err := Parse("live.yaml", []byte(liveBase))
	if err != nil {
		t.Fatal(err)
	}
	c := s.Clients[0].Options.(*role.Publisher)
	if c.Duration.D() != 10*time.Second || c.Bitrate != 400 || c.FPS != 25 || c.BitrateCheck.Interval.D() != time.Second ||
		c.BitrateCheck.MaxTries != 3 || c.Restore.Timeout.D() != time.Second || c.Restore.MaxTries != 5 ||
		c.Restore.Backoff.Factor != 2 || c.Pings.ReceiveProbes != 3 || len(c.Codecs) != 1 {
		t.Fatalf("publisher defaults: %+v %+v %+v %+v", c, c.BitrateCheck, c.Restore, c.Pings)
	}
	rep, live := s.Expect[0].Params.(*check.Republishes), s.Expect[2].Params.(*check.LiveResumes)
	if rep.Within.D() != 5*time.Second || live.MinPublishes != 1 {
		t.Fatalf("checker defaults: %+v %+v", rep, live)
	}
	if rep.Interval.D() != time.Second || rep.MaxTries != 3 {
		t.Fatalf("the checker's view of the publisher's bitrate check is not resolved: %+v", rep)
	}
}

func TestLiveClientMistakesAreNamed(t *testing.T) {
	for _, c := range []struct{ from, to, field string }{
		{"stream: cam, bitrateCheck", "bitrateCheck", "clients[0].stream"},
		{"role: viewer", "role: watcher", "clients[1].role"},
		{"{name: w, role: viewer, route: down, stream: cam}", "{name: w, role: viewer, route: down, stream: cam, bitrate: 10}", "clients[1].bitrate"},
		{"bitrateCheck: {}", "bitrateCheck: {codecChange: true}", "clients[0].codecs"},
		{"restore: {backoff: {}}", "restore: {backoff: {jitter: 2}}", "clients[0].restore.backoff.jitter"},
		{"stream: cam, bitrateCheck", "stream: cam, mutant: resume-from-start, bitrateCheck", "clients[0].mutant"},
		{"restorePolicy: {client: cam}", "restorePolicy: {client: w}", "expect[1].restorePolicy.client"},
		{"expect:", "faults: [{at: 1s, move: {client: cam, route: down}}]\nexpect:", "faults[0].move.client"},
		{"expect:", "faults: [{at: 1s, manualStop: {client: w}}]\nexpect:", "faults[0].manualStop.client"},
	} {
		src := strings.Replace(liveBase, c.from, c.to, 1)
		found := false
		var got []string
		for _, p := range problems(t, src) {
			got = append(got, p.Field)
			found = found || p.Field == c.field
		}
		if !found {
			t.Errorf("%q -> %q: problems %v, want one on %s", c.from, c.to, got, c.field)
		}
	}
}
