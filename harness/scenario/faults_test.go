package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/fault"
)

const base = `name: f
server: {streams: [{name: s, duration: 20s}]}
routes: [{name: wifi}]
clients: [{name: v, role: player, route: wifi, play: [{stream: s}]}]
expect: [{playsToEnd: {client: v}}]
`

func TestEveryFaultKindParses(t *testing.T) {
	withPublisher := strings.Replace(base, "play: [{stream: s}]}]", "play: [{stream: s}]}, {name: p, role: publisher, route: wifi, stream: cam}]", 1)
	src := withPublisher + `faults:
  - {at: 1s, drop: {route: wifi}}
  - {at: 1s, reset: {route: wifi}, for: 100ms}
  - {at: 1s, disable: {route: wifi}, for: 1s}
  - {at: 1s, enable: {route: wifi}}
  - {at: 1s, stall: {route: wifi}, for: 1s}
  - {at: 1s, blackhole: {route: wifi}, for: 1s}
  - {at: 1s, flap: {route: wifi, every: 1s, times: 3}}
  - {at: 1s, switchRoute: {client: v, route: wifi}}
  - {at: 1s, move: {client: v, route: wifi}}
  - {at: 1s, manualStop: {client: p}}
  - {at: 1s, kill: {}, for: 1s}
  - {at: 1s, restart: {server: origin}}
  - {at: 1s, shutdown: {}, for: 1s}
  - {at: 1s, stallMedia: {}, for: 1s}
  - {at: 1s, latency: {route: wifi, latency: 200ms, jitter: 10ms, direction: both}}
  - {at: 1s, bandwidth: {route: wifi, rate: 100, toxicity: 0.5}}
  - {at: 1s, slowClose: {route: wifi, delay: 1s}}
  - {at: 1s, timeout: {route: wifi, timeout: 0, direction: upstream}}
  - {at: 1s, resetPeer: {route: wifi, timeout: 10ms}}
  - {at: 1s, limitData: {route: wifi, bytes: 1000}}
  - {at: 1s, slicer: {route: wifi, averageSize: 64, sizeVariation: 8, delay: 1ms}}
  - {name: later, after: {fault: drop-1, delay: 1s}, drop: {route: wifi}}
  - {when: {client: v, event: NetStream.Buffer.Full}, drop: {route: wifi}}
  - {atStreamTime: {client: v, time: 5s}, drop: {route: wifi}}
`
	s, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Faults) != 24 {
		t.Fatalf("%d faults", len(s.Faults))
	}
	for i, kind := range fault.Kinds.Keys() {
		if got := s.Faults[i].Kind; got != kind {
			t.Errorf("fault %d: kind %q, want %q", i, got, kind)
		}
	}
	kill, bw := s.Faults[10].Spec.(*fault.Kill), s.Faults[15].Spec.(*fault.BandwidthToxic)
	if kill.Server != ServerName || bw.Direction != fault.Downstream || *bw.Toxicity != 0.5 {
		t.Fatalf("defaults: %+v %+v", kill, bw)
	}
	if lat := s.Faults[14].Spec.(*fault.LatencyToxic); lat.Latency.D() != 200*time.Millisecond || lat.Target().Route != "wifi" {
		t.Fatalf("latency: %+v", lat)
	}
	if sm := s.Faults[13].Spec.(*fault.StallMedia); sm.Server != ServerName || s.Faults[13].For == 0 {
		t.Fatalf("stallMedia: %+v", s.Faults[13])
	}
	if mv := s.Faults[8].Spec.(*fault.Move); mv.Route != "wifi" || mv.Client != "v" {
		t.Fatalf("move: %+v", mv)
	}
}

func TestFaultProblemsAllAtOnce(t *testing.T) {
	src := base + `faults:
  - {drop: {route: wifi}}
  - {at: 1s, when: {client: v, event: x}, drop: {route: wifi}}
  - {at: 1s}
  - {at: 1s, drop: {route: wifi}, stall: {route: wifi}}
  - {at: 1s, latency: {route: lte, latency: -1s, direction: sideways, toxicity: 2}}
  - {name: a, after: {fault: b}, drop: {route: wifi}}
  - {name: b, after: {fault: a}, drop: {route: wifi}}
  - {after: {fault: nope}, drop: {route: wifi}}
  - {atStreamTime: {client: v, time: 30s}, drop: {route: wifi}}
  - {when: {client: w, event: ""}, kill: {server: edge}}
  - {at: 1s, flap: {route: wifi, every: 0s, times: 0}}
  - {at: 1s, slicer: {route: wifi, averageSize: 0}}
  - {at: 1s, switchRoute: {client: w, route: lte}}
  - {name: forever, at: 1s, disable: {route: wifi}}
  - {after: {fault: forever}, drop: {route: wifi}}
`
	_, err := Parse("f.yaml", []byte(src))
	if err == nil {
		t.Fatal("want problems")
	}
	msg := err.Error()
	for _, want := range []string{
		"faults[0]: names no trigger",
		"faults[1]: names 2 triggers",
		"faults[2]: names no fault kind",
		"faults[3]: names 2 fault kinds",
		`faults[4].latency.route: "lte" is not a defined route`,
		"faults[4].latency.direction",
		"faults[4].latency.toxicity: 2 is outside 0..1",
		"faults[4].latency.latency: must not be negative",
		`faults[5].after.fault: "b" makes a cycle`,
		`faults[7].after.fault: "nope" is not the name of a fault`,
		"faults[8].atStreamTime.time: 30s is not before the end of s",
		`faults[9].when.client: "w" is not a defined client`,
		"faults[9].when.event: is required",
		`faults[9].kill.server: "edge" is not a server`,
		"faults[10].flap.every: must be positive",
		"faults[10].flap.times",
		"faults[11].slicer.averageSize",
		`faults[12].switchRoute.route: "lte" is not a defined route`,
		`faults[12].switchRoute.client: "w" is not a defined client`,
		`faults[14].after.fault: "forever" has no ` + "`for`" + `, so it lasts until the final heal`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	// Every problem is located in the file.
	for _, line := range strings.Split(msg, "\n") {
		if !strings.HasPrefix(line, "f.yaml:") || strings.HasPrefix(line, "f.yaml: ") {
			t.Errorf("problem without a position: %s", line)
		}
	}
}

func TestNemesisIsSeededAndReproducible(t *testing.T) {
	src := base + `nemesis: {seed: 42, kinds: [drop, stall, reset], route: wifi, count: 5, minGap: 1s, maxGap: 3s, for: 500ms}
`
	a, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse("f.yaml", []byte(src))
	if len(a.Faults) != 5 {
		t.Fatalf("%d faults", len(a.Faults))
	}
	prev := time.Duration(0)
	for i := range a.Faults {
		fa, fb := a.Faults[i], b.Faults[i]
		if fa.Kind != fb.Kind || *fa.At != *fb.At || fa.Name != fb.Name {
			t.Fatalf("fault %d differs between loads with the same seed: %+v vs %+v", i, fa, fb)
		}
		gap := fa.At.D() - prev
		if i == 0 {
			gap -= time.Second // start
		}
		if gap < time.Second || gap > 3*time.Second+500*time.Millisecond {
			t.Fatalf("fault %d: gap %v outside [1s, 3s+for]", i, gap)
		}
		prev = fa.At.D() + fa.For.D()
	}
	c, _ := Parse("f.yaml", []byte(strings.Replace(src, "seed: 42", "seed: 43", 1)))
	same := true
	for i := range a.Faults {
		same = same && a.Faults[i].Kind == c.Faults[i].Kind && *a.Faults[i].At == *c.Faults[i].At
	}
	if same {
		t.Fatal("another seed should give another schedule")
	}
	d, _ := Parse("f.yaml", []byte(strings.Replace(src, "seed: 42, ", "", 1)))
	if d.Nemesis.Seed == 0 {
		t.Fatal("a missing seed must be chosen and kept, so it can be printed")
	}
	if _, err := Parse("f.yaml", []byte(base+"nemesis: {kinds: [latency], route: x, count: 0, minGap: 2s, maxGap: 1s}\n")); err == nil ||
		!strings.Contains(err.Error(), "nemesis.kinds[0]") || !strings.Contains(err.Error(), "nemesis.route") ||
		!strings.Contains(err.Error(), "nemesis.count") || !strings.Contains(err.Error(), "nemesis.maxGap") {
		t.Fatalf("nemesis problems: %v", err)
	}
}
