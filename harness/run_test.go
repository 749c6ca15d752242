package harness

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/gcpace"
	"github.com/streamfault/streamfault/internal/leakcheck"
)

const quick = `
name: quick
server: {streams: [{name: s, duration: 4s}]}
routes: [{name: wifi}]
clients:
  - {name: viewer, role: player, route: wifi, bufferTime: 1s, play: [{stream: s}], reconnect: {}}
faults: [{at: 1500ms, drop: {route: wifi}}]
expect:
  - resumesAtOffset: {client: viewer}
  - reconnects: {client: viewer, count: 1}
  - playsToEnd: {client: viewer, within: 10s}
`

func parse(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunDropAndResume(t *testing.T) {
	defer noLeaks(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, parse(t, quick), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() {
		t.Fatal(res.Problems())
	}
	// The harness measured its own CPU all through the run (~5 s of it).
	if lag := res.History.Kind(history.KindHarnessLag); len(lag) != 1 || lag[0].Count == 0 || !strings.Contains(lag[0].Message, "goroutines waited to run") ||
		!strings.Contains(lag[0].Message, "it used all") {
		t.Fatalf("harness lag events: %+v", lag)
	}
	faults := res.History.Filter(func(e history.Event) bool { return e.Kind == history.KindFaultStart })
	if len(faults) != 1 || faults[0].At < 1500*time.Millisecond || faults[0].At > 1700*time.Millisecond {
		t.Fatalf("drop not injected at 1.5s: %+v", faults)
	}
	if faults[0].Code != history.FaultCloses {
		t.Fatalf("the drop's start does not say it closes connections: %+v", faults[0])
	}
	closed := res.History.Filter(func(e history.Event) bool {
		return e.Kind == history.KindClientStatus && e.Code == "NetConnection.Connect.Closed"
	})
	if len(closed) == 0 || closed[0].At < faults[0].At {
		t.Fatalf("the player never saw Connect.Closed after the drop: %+v", closed)
	}
	if res.Elapsed < 4*time.Second {
		t.Fatalf("a 4s stream ran in %v", res.Elapsed)
	}
}

func TestRunMutantFailsTheChecker(t *testing.T) {
	src := strings.Replace(quick, "reconnect: {}}", "reconnect: {}, mutant: resume-from-start}", 1)
	res, err := Run(context.Background(), parse(t, src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Verdicts[0]
	if v.Status != check.Fail || !strings.Contains(v.Message, "frames 0..") {
		t.Fatalf("resumesAtOffset should name the run from frame 0 as duplicated: %s", v)
	}
	if res.Passed() {
		t.Fatal("without expectFailures the mutant must not pass")
	}
}

func TestRunCancelledCleansUp(t *testing.T) {
	defer noLeaks(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(700 * time.Millisecond); cancel() }()
	res, err := Run(ctx, parse(t, quick), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A run cancelled from outside is interrupted: no verdict, and it does not pass.
	if res.Passed() || res.Interrupted != "context canceled" || len(res.Verdicts) != 0 ||
		!strings.Contains(res.Problems()[0], "run interrupted (context canceled): no verdict") {
		t.Fatalf("a cancelled run: interrupted=%q verdicts=%v problems=%v", res.Interrupted, res.Verdicts, res.Problems())
	}
	if end := res.History.Kind(history.KindRunEnd); len(end) != 1 || !strings.Contains(end[0].Message, "interrupted") {
		t.Fatalf("the history does not say the run was interrupted: %+v", end)
	}
}

// A run interrupted before its lab is built is interrupted too, and its history says so.
func TestRunCancelledBeforeTheLabIsBuilt(t *testing.T) {
	defer noLeaks(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupted by SIGINT"))
	res, err := Run(ctx, parse(t, quick), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed() || res.Interrupted != "interrupted by SIGINT" || len(res.Verdicts) != 0 {
		t.Fatalf("interrupted=%q verdicts=%v problems=%v", res.Interrupted, res.Verdicts, res.Problems())
	}
	if end := res.History.Kind(history.KindRunEnd); len(end) != 1 || end[0].Message != "interrupted: interrupted by SIGINT" {
		t.Fatalf("the history does not say the run was interrupted: %+v", end)
	}
}

func TestRunUnreachableExternalToxiproxy(t *testing.T) {
	defer noLeaks(t, goleak.IgnoreCurrent())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Run(context.Background(), parse(t, quick), Options{ToxiproxyURL: "http://" + addr})
	if err == nil || !strings.Contains(err.Error(), "external toxiproxy") {
		t.Fatalf("want a clear lab error, got %v", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal("unexpected cancellation")
	}
}

func TestRunNetworkChangeReconnectsOverTheNewRoute(t *testing.T) {
	s, err := scenario.Load("../scenarios/network-change.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() {
		t.Fatal(res.Problems())
	}
	var lte string
	for _, e := range res.History.Events {
		if e.Kind == history.KindRoute && e.Route == "lte" {
			lte, _, _ = strings.Cut(e.Message, " ")
		}
	}
	var change, vias []history.Event
	for _, e := range res.History.Events {
		if e.Source == "viewer" && e.Code == "NetConnection.Connect.NetworkChange" {
			change = append(change, e)
		}
		if e.Source == "viewer" && e.Code == "NetConnection.Connect.Success" {
			vias = append(vias, e)
		}
	}
	if len(change) != 1 || len(vias) != 2 {
		t.Fatalf("want one NetworkChange and two connections, got %d and %d", len(change), len(vias))
	}
	if !strings.HasSuffix(vias[1].Message, "via "+lte) || strings.HasSuffix(vias[0].Message, "via "+lte) {
		t.Fatalf("first connection should use wifi, the second lte (%s): %q, %q", lte, vias[0].Message, vias[1].Message)
	}
	if vias[1].At < change[0].At+500*time.Millisecond {
		t.Fatalf("NetworkChange must not trigger a reconnect: reconnected at %v, change at %v", vias[1].At, change[0].At)
	}
}

func noLeaks(t *testing.T, current goleak.Option) {
	t.Helper()
	if err := leakcheck.Find(10*time.Second, current); err != nil {
		t.Errorf("goroutines left behind: %v", err)
	}
}

// TestEveryFaultIsAccounted: a fault whose trigger never comes fails the run, and the history,
// the result and its problems say which one and why; marked optional it does not fail it. The
// server's events carry the identity each connection declared.
func TestEveryFaultIsAccounted(t *testing.T) {
	defer noLeaks(t, goleak.IgnoreCurrent())
	src := strings.Replace(quick, "faults: [{at: 1500ms, drop: {route: wifi}}]",
		"faults: [{at: 1500ms, drop: {route: wifi}}, {name: never, when: {client: viewer, event: NetStream.Play.Failed}, drop: {route: wifi}}]", 1)
	res, err := Run(context.Background(), parse(t, src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Faults) != 2 || !res.Faults[0].Fired || res.Faults[1].Fired || res.Faults[1].Name != "never" {
		t.Fatalf("fault records: %+v", res.Faults)
	}
	problems := strings.Join(res.Problems(), "\n")
	if !strings.Contains(problems, "fault never never fired (when viewer reports NetStream.Play.Failed)") {
		t.Fatalf("problems: %s", problems)
	}
	if u := res.History.Kind(history.KindFaultUnfired); len(u) != 1 || u[0].Fault != "never" {
		t.Fatalf("the history does not record the unfired fault: %+v", u)
	}
	for _, e := range res.History.Kind(history.KindServerPlay) {
		if e.Client != "viewer" || e.Conn < 1 {
			t.Fatalf("a server play without the identity its connection declared: %+v", e)
		}
	}
	optional := strings.Replace(src, "{name: never,", "{name: never, optional: true,", 1)
	res, err = Run(context.Background(), parse(t, optional), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() || res.Faults[1].Fired || !res.Faults[1].Optional {
		t.Fatalf("an optional fault that never fired: passed=%v %v %+v", res.Passed(), res.Problems(), res.Faults)
	}
}

// TestDropWhenEveryMemberPlays: a drop whose trigger names a group fires once every member's
// buffer has filled — after each member's own NetStream.Buffer.Full — and every member then
// loses its connection and resumes.
func TestDropWhenEveryMemberPlays(t *testing.T) {
	defer noLeaks(t, goleak.IgnoreCurrent())
	src := strings.Replace(quick, "  - {name: viewer, role:", "  - {name: v*, count: 3, role:", 1)
	src = strings.ReplaceAll(src, "client: viewer", "client: v*")
	src = strings.Replace(src, "faults: [{at: 1500ms, drop: {route: wifi}}]",
		"faults: [{name: all, when: {client: v*, event: NetStream.Buffer.Full}, drop: {route: wifi}}]", 1)
	// The collector's pacer is told the heap of 3 clients while the run lasts, and no longer.
	var target atomic.Int64
	pacer := gcpace.New(30, func(p int) int { return int(target.Swap(int64(p))) }, func() int64 { return 100 << 10 })
	pacer.Start()
	defer pacer.Stop()
	var during atomic.Int64
	res, err := Run(context.Background(), parse(t, src), Options{Pacer: pacer, OnEvent: func(history.Event) { during.Store(target.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(gcpace.Target(30, 100<<10, 3*heapPerClient)); during.Load() != want || target.Load() != 30 {
		t.Errorf("collector's target %d during the run and %d after it, want %d and 30", during.Load(), target.Load(), want)
	}
	if len(res.Faults) != 1 || !res.Faults[0].Fired {
		t.Fatalf("fault records: %+v", res.Faults)
	}
	start := res.History.Kind(history.KindFaultStart)
	if len(start) != 1 {
		t.Fatalf("%d fault starts", len(start))
	}
	full := map[string]time.Duration{}
	for _, e := range res.History.Kind(history.KindClientStatus) {
		if _, seen := full[e.Source]; !seen && e.Code == "NetStream.Buffer.Full" {
			full[e.Source] = e.At
		}
	}
	for _, m := range []string{"v1", "v2", "v3"} {
		at, ok := full[m]
		if !ok || at > start[0].At {
			t.Errorf("%s: buffer full at %v (seen %v), the drop began at %v: it must come after every member's", m, at, ok, start[0].At)
		}
	}
	if !res.Passed() {
		t.Fatalf("verdicts: %v", res.Problems())
	}
}
