package harness

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/media"
)

// The test binary is also a server program for these tests: with serveEnv set to an address it
// serves the reference server there; with dieEnv set it exits by itself (status 3) after that
// many milliseconds.
const (
	serveEnv = "STREAMFAULT_HARNESS_TEST_SERVE"
	dieEnv   = "STREAMFAULT_HARNESS_TEST_DIE_MS"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(serveEnv); addr != "" {
		os.Exit(serveForTest(addr))
	}
	os.Exit(m.Run())
}

func serveForTest(addr string) int {
	srv, err := fakeserver.New(fakeserver.Config{Addr: addr, Apps: []string{"*"},
		Streams: []media.Spec{{Name: "s", Duration: 10 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	ms, _ := strconv.Atoi(os.Getenv(dieEnv))
	if ms <= 0 {
		ms = 60_000
	}
	time.Sleep(time.Duration(ms) * time.Millisecond) // a server program that dies on its own
	os.Stderr.WriteString("fatal: out of luck\n")
	return 3
}

// serverScenario is a player against the test binary as a server program that dies after
// dieMs; extra goes into the process block.
func serverScenario(dieMs int, extra string) string {
	return `
name: life
server:
  streams: [{name: s, duration: 10s}]
  process:
    command: [` + strconv.Quote(os.Args[0]) + `]
    env: {` + serveEnv + `: "{addr}", ` + dieEnv + `: "` + strconv.Itoa(dieMs) + `"}
` + extra + `
routes: [{name: wifi}]
clients:
  - {name: viewer, role: player, route: wifi, bufferTime: 1s, play: [{stream: s, len: 2s}]}
expect:
  - statusReceived: {client: viewer, code: NetConnection.Connect.Success}
timeout: 20s
`
}

// A server program that dies on its own mid-run fails the run, naming its exit and last
// output, although every checker passed; with mayExit it is recorded and the run passes.
func TestSubjectDeathFailsTheRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, parse(t, serverScenario(1500, "")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Verdicts) != 1 || res.Verdicts[0].Status != "pass" {
		t.Fatalf("verdicts %v: the checker itself passes", res.Verdicts)
	}
	probs := strings.Join(res.Problems(), "\n")
	if res.Passed() || !strings.Contains(probs, "server origin died on its own at") || !strings.Contains(probs, "exit status 3") ||
		!strings.Contains(probs, "fatal: out of luck") {
		t.Fatalf("problems: %s", probs)
	}
	allowed, err := Run(ctx, parse(t, serverScenario(1500, "    mayExit: true")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !allowed.Passed() {
		t.Fatalf("with mayExit: %v", allowed.Problems())
	}
	exits := allowed.History.Kind(history.KindServerExit)
	if len(exits) != 1 || exits[0].Code != history.ExitAllowed {
		t.Fatalf("exit events %+v", exits)
	}
}

// A server that lives through the run is stopped by the harness: a planned exit, no problem.
func TestPlannedServerStopIsNotADeath(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	src := strings.Replace(serverScenario(0, ""), "expect:", "faults: [{at: 1s, restart: {}}]\nexpect:", 1)
	res, err := Run(ctx, parse(t, src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() {
		t.Fatalf("problems: %v", res.Problems())
	}
	exits := res.History.Kind(history.KindServerExit)
	if len(exits) != 1 || exits[0].Code != history.ExitPlanned {
		t.Fatalf("the restart's kill: exit events %+v", exits)
	}
}
