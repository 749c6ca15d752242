package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/role"
)

const good = `name: drop-mid-playback
description: test
labels: [reconnect, vod]
server:
  streams:
    - {name: myStream, duration: 20s, fps: 25, keyframeInterval: 1s}
routes:
  - name: wifi
clients:
  - name: viewer
    role: player
    route: wifi
    bufferTime: 3s
    play: [{stream: myStream, transition: reset}]
    reconnect: {on: closed, transition: resume}
faults:
  - at: 4s
    drop: {route: wifi}
expect:
  - resumesAtOffset: {client: viewer}
  - playsToEnd: {client: viewer, within: 30s}
`

func TestParseGoodWithDefaults(t *testing.T) {
	s, err := Parse("good.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if s.Timeout.D() != DefaultTimeout || s.Clients[0].Options.(*role.Player).Reconnect.MaxTries != fakeclient.DefaultReconnectTries {
		t.Fatalf("defaults not applied: %+v", s)
	}
	if s.Faults[0].At.D() != 4*time.Second || s.Faults[0].Name != "drop-1" || s.Faults[0].Spec.(*fault.Drop).Route != "wifi" {
		t.Fatalf("fault: %+v", s.Faults[0])
	}
	ro, pe := s.Expect[0].Params.(*check.ResumesAtOffset), s.Expect[1].Params.(*check.PlaysToEnd)
	if *ro.MinResumes != 1 || pe.Within.D() != 30*time.Second {
		t.Fatalf("expect: %+v %+v", ro, pe)
	}
}

func problems(t *testing.T, src string) []Problem {
	t.Helper()
	_, err := Parse("f.yaml", []byte(src))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	return e.Problems
}

func TestUnknownKeyIsLocated(t *testing.T) {
	src := strings.Replace(good, "    bufferTime: 3s", "    bufferTiem: 3s", 1)
	p := problems(t, src)
	if len(p) != 1 || p[0].Line != 13 || p[0].Column != 5 || !strings.Contains(p[0].Message, "bufferTiem") {
		t.Fatalf("got %+v", p)
	}
	if !strings.Contains(p[0].Message, `did you mean "bufferTime"?`) {
		t.Fatalf("no suggestion: %s", p[0].Message)
	}
	if got := p[0].String(); !strings.HasPrefix(got, "f.yaml:13:5: ") {
		t.Fatalf("format: %s", got)
	}
}

func TestBadDurationIsLocated(t *testing.T) {
	p := problems(t, strings.Replace(good, "at: 4s", "at: soon", 1))
	if len(p) != 1 || p[0].Line != 17 || !strings.Contains(p[0].Message, "not a duration") {
		t.Fatalf("got %+v", p)
	}
}

func TestTypeErrorIsLocated(t *testing.T) {
	p := problems(t, strings.Replace(good, "fps: 25", "fps: many", 1))
	if len(p) != 1 || p[0].Line != 6 {
		t.Fatalf("got %+v", p)
	}
}

func TestSemanticProblemsAllAtOnce(t *testing.T) {
	src := strings.NewReplacer(
		"route: wifi\n    bufferTime", "route: lte\n    bufferTime",
		"stream: myStream, transition: reset", "stream: other, transition: reset",
		"drop: {route: wifi}", "drop: {route: nowhere}",
		"playsToEnd: {client: viewer", "playsToEnd: {client: nobody",
		"at: 4s", "at: 90s",
	).Replace(good)
	p := problems(t, src)
	want := []struct {
		field string
		line  int
	}{
		{"clients[0].route", 12},
		{"clients[0].play[0].stream", 14},
		{"faults[0].at", 17},
		{"faults[0].drop.route", 18},
		{"expect[1].playsToEnd.client", 21},
	}
	if len(p) != len(want) {
		t.Fatalf("got %d problems: %v", len(p), p)
	}
	for i, w := range want {
		if p[i].Field != w.field || p[i].Line != w.line || p[i].Column == 0 {
			t.Errorf("problem %d: got %s (line %d), want %s at line %d", i, p[i].Field, p[i].Line, w.field, w.line)
		}
	}
}

func TestMissingSectionsAndBadNames(t *testing.T) {
	p := problems(t, "name: 'has space'\nexpectFailures: [playsToEnd]\n")
	var fields []string
	for _, x := range p {
		fields = append(fields, x.Field)
	}
	got := strings.Join(fields, ",")
	for _, f := range []string{"name", "server.streams", "routes", "clients", "expect", "expectFailures[0]"} {
		if !strings.Contains(got, f) {
			t.Errorf("missing problem for %s in %s", f, got)
		}
	}
}

func TestEmptyAndGarbage(t *testing.T) {
	for _, src := range []string{"", "   \n", ":\n  - [", "- a\n- b\n", "name: [\n"} {
		if _, err := Parse("x.yaml", []byte(src)); err == nil {
			t.Errorf("%q: want error", src)
		}
	}
}

func TestSuggestions(t *testing.T) {
	cases := map[string]string{
		strings.Replace(good, "    drop: {route: wifi}", "    dorp: {route: wifi}", 1):                            `did you mean "drop"?`,
		strings.Replace(good, "keyframeInterval: 1s", "keyFrameInterval: 1s", 1):                                  `did you mean "keyframeInterval"?`,
		strings.Replace(good, "  - resumesAtOffset: {client: viewer}", "  - resumeAtOffset: {client: viewer}", 1): `did you mean "resumesAtOffset"?`,
		good + "nemesis: {sead: 1}\n": `did you mean "seed"?`,
		strings.Replace(good, "    drop: {route: wifi}", "    latency: {rout: wifi}", 1): `did you mean "route"?`,
	}
	for src, want := range cases {
		found := false
		for _, p := range problems(t, src) { // the misspelt key, and what its absence means
			found = found || strings.Contains(p.Message, want)
		}
		if !found {
			t.Errorf("want %s, got %v", want, problems(t, src))
		}
	}
	p := problems(t, strings.Replace(good, "    bufferTime: 3s", "    zzzzzz: 3s", 1))
	if strings.Contains(p[0].Message, "did you mean") {
		t.Errorf("nothing is close to zzzzzz: %s", p[0].Message)
	}
}

func TestToxiproxyURL(t *testing.T) {
	s, err := Parse("t.yaml", []byte(good+"toxiproxy: {url: 'http://127.0.0.1:8474'}\n"))
	if err != nil || s.Toxiproxy.URL != "http://127.0.0.1:8474" {
		t.Fatalf("%v %+v", err, s)
	}
	p := problems(t, good+"toxiproxy: {url: '127.0.0.1:8474'}\n")
	if len(p) != 1 || p[0].Field != "toxiproxy.url" || p[0].Line != 22 {
		t.Fatalf("got %+v", p)
	}
}

func TestDurationsWithTrailingComments(t *testing.T) {
	src := strings.NewReplacer("timeout: 45s", "", "at: 4s", "at: 4s   # since the start", "bufferTime: 3s", "bufferTime: 3s # default").Replace(good)
	s, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if s.Faults[0].At.D() != 4*time.Second || s.Clients[0].Options.(*role.Player).BufferTime.D() != 3*time.Second {
		t.Fatalf("at %v options %+v", s.Faults[0].At, s.Clients[0].Options)
	}
}

// RTMPS in a scenario: a certificate condition outside its set is refused, and so is one a
// program behind the wire tap would never see (the tap shows it a valid certificate of its
// own), and {cafile} when the server speaks RTMP.
func TestServerTLSValidation(t *testing.T) {
	base := `
name: t
server: {%s streams: [{name: s, duration: 2s}]}
routes: [{name: r}]
clients: [%s]
expect: [{reconnects: {client: v, count: 0}}]
`
	player := `{name: v, role: player, route: r, play: [{stream: s}]}`
	program := `{name: v, role: process, route: r, stream: s, process: {command: [ffmpeg, -ca_file, "{cafile}", -i, "{url}"]}}`
	for _, c := range []struct {
		server, client, want string
	}{
		{"tls: {certificate: valid},", player, ""},
		{"tls: {certificate: expired},", player, ""},
		{"tls: {certificate: stale},", player, `tls.certificate: "stale" is not a certificate condition`},
		{"tls: {},", program, ""},
		{"tls: {certificate: wrong-name},", program, "clients[0].role: a program behind the wire tap is shown the tap's own valid certificate, never the server's wrong-name one"},
		{"", program, "clients[0].process: {cafile} is the run's certificate authority, made only when the server speaks TLS"},
		{"tls: {insecure: true},", player, "server.tls: caFile and insecure are for a server with a certificate of its own"},
		{"tls: {plainToo: true},", `{name: v, role: player, route: r, play: [{stream: s}], plainRTMP: true}`, ""},
		{"tls: {},", `{name: v, role: player, route: r, play: [{stream: s}], plainRTMP: true}`, "clients[0].plainRTMP: connects with plain RTMP beside RTMPS, which this server does not take"},
		{"nginx: {tls: {plainToo: true}},", player, "server.nginx.tls.plainToo: is the reference server's"},
		{"tls: {certificate: expired},", `{name: v, role: process, route: r, stream: s, process: {command: [ffmpeg, -i, "{url}"], tls: relay}}`, ""},
		{"", `{name: v, role: process, route: r, stream: s, process: {command: [ffmpeg, -i, "{url}"], tls: relay}}`, "clients[0].process.tls: is what the wire tap does with an RTMPS server's TLS"},
		{"tls: {},", `{name: v, role: process, route: r, stream: s, process: {command: [ffmpeg, -i, "{url}"], tls: open}}`, `clients[0].process.tls: "open" is not what the tap does with TLS`},
		{`process: {command: [srv, "{port}", "{certfile}", "{keyfile}"], tls: {}},`, player, ""},
		{`process: {command: [srv, "{port}", "{certfile}", "{keyfile}"], tls: {certificate: expired}},`, program, "never the server's expired one"},
		{`process: {command: [srv, "{port}", "{certfile}", "{keyfile}"]},`, player, "server.process.command: {certfile} and {keyfile} are the program's certificate when it serves RTMPS: add tls: {}"},
		{`process: {command: [srv, "{port}", "{certfile}"], tls: {}},`, player, "the program needs both"},
		{`process: {command: [srv, "{port}"], tls: {}},`, player, "server.process.tls: the program is given no certificate of the run's authority"},
		{`process: {command: [srv, "{port}"], tls: {insecure: true}},`, program, ""},
		{`process: {command: [srv, "{port}", "{certfile}", "{keyfile}"], tls: {sessionTickets: false}},`, player, "server.process.tls.sessionTickets: is the reference server's and nginx's"},
		{`external: {address: "rtmps://127.0.0.1:1"},`, player, `server.external.address: "rtmps://127.0.0.1:1" is RTMPS: add tls`},
		{`external: {address: "rtmps://127.0.0.1:1", tls: {}},`, player, "server.external.tls: an external server's certificate is its own"},
		{`external: {address: "rtmps://127.0.0.1:1", tls: {caFile: ca.pem}},`, player, ""},
		{`external: {address: "rtmps://127.0.0.1:1", tls: {caFile: ca.pem, insecure: true}},`, player, "caFile and insecure exclude each other"},
	} {
		_, err := Parse("t.yaml", []byte(fmt.Sprintf(base, c.server, c.client)))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s with %s: %v", c.server, c.client, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s with %s: %v, want %q", c.server, c.client, err, c.want)
		}
	}
}
