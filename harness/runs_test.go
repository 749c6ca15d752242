package harness

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
)

// TestFramesAsRunsJudgeAlike: bundled scenarios of three kinds (a playlist dropped at an item
// boundary, a live publisher killed and restarted, players and viewers with real-world URLs),
// run with every frame recorded as an event, then their histories recorded again as runs:
// far fewer events, and every verdict the same, word for word.
func TestFramesAsRunsJudgeAlike(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three scenarios")
	}
	for _, name := range []string{"playlist-drop-at-boundary", "publisher-kill-restart", "real-world-urls"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := scenario.Load(filepath.Join("..", "scenarios", name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), s, Options{KeepEveryFrame: true})
			if err != nil {
				t.Fatal(err)
			}
			runs := history.Compact(res.History)
			if len(runs.Events)*2 > len(res.History.Events) {
				t.Errorf("%d events as runs of %d: frames were not joined", len(runs.Events), len(res.History.Events))
			}
			again := check.Run(runs, s.Expect)
			for i, v := range check.Run(res.History, s.Expect) {
				if v.String() != again[i].String() {
					t.Errorf("every frame: %s\n    as runs: %s", v, again[i])
				}
			}
			t.Logf("%d events with every frame, %d as runs", len(res.History.Events), len(runs.Events))
		})
	}
}
