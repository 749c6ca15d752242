package bench

import (
	"context"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/scenario"
)

// Two players of one stream on one route, through a drop: every frame either received is
// matched to the due time the server told for that player's own connection — the initial
// bursts of both connections apart from the paced frames — and none is left unmatched.
func TestPlayersMeasuresEveryFrameAgainstItsOwnDueTime(t *testing.T) {
	src := `
name: two-players
server: {streams: [{name: s, duration: 4s}]}
routes: [{name: wifi}]
clients:
  - {name: p*, count: 2, role: player, route: wifi, bufferTime: 1s, play: [{stream: s}], reconnect: {}}
faults: [{at: 2s, drop: {route: wifi}}]
expect:
  - resumesAtOffset: {client: p*}
`
	s, err := scenario.Parse("two.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := Players(ctx, s, Profiles{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Interrupted != "" || r.Passed() != len(r.Verdicts) {
		t.Fatalf("run: interrupted %q, verdicts %+v", r.Interrupted, r.Verdicts)
	}
	t.Logf("%d paced, %d burst, %d unmatched frames, %d pages touched first", r.Frames, r.BurstFrames, r.Unmatched, r.Faults)
	if r.Faults <= 0 { // two players' connections, buffers and goroutines map new pages
		t.Errorf("the run touched %d new pages", r.Faults)
	}
	// 4 s at 25 fps each, the frames around the resume point once more at most. How many
	// frames a playback's initial burst holds depends on when the client's buffer length,
	// which follows its play request, reaches the server: quiet, 25 and about 20 a player;
	// beside two CPU hogs, 25 and 3 (56 in all, the same before this session's changes). What
	// holds on any machine is that each of the four playbacks (two players, two connections
	// each) starts with a burst: its first frame leaves at its start.
	if r.Unmatched != 0 || r.Frames < 2*40 || r.BurstFrames < 2*2 || r.Frames+r.BurstFrames > 2*(100+30) {
		t.Fatalf("%d paced, %d burst, %d unmatched frames", r.Frames, r.BurstFrames, r.Unmatched)
	}
}
