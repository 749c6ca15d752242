package scenario

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/problems.golden from the loader's current output")

// goldenBase is a valid scenario the golden cases mutate.
const goldenBase = `name: g
server:
  streams: [{name: s, duration: 20s}]
routes: [{name: wifi}, {name: lte}]
clients:
  - {name: v, role: player, route: wifi, play: [{stream: s}], reconnect: {}}
  - {name: cam, role: publisher, route: wifi, stream: cam, bitrateCheck: {}, restore: {}}
  - {name: w, role: viewer, route: lte, stream: cam}
faults:
  - {name: hole, at: 2s, for: 1s, blackhole: {route: wifi}}
expect:
  - resumesAtOffset: {client: v}
`

// goldenCases are scenario files with mistakes; the loader's messages for them are kept in
// testdata/problems.golden, so that a change of wording or position is a visible diff.
var goldenCases = []struct{ name, src string }{
	{"empty", ""},
	{"garbage", ":\n  - ["},
	{"not-a-mapping", "- a\n- b\n"},
	{"unknown-top-key", strings.Replace(goldenBase, "routes:", "rootes:", 1)},
	{"unknown-client-key", strings.Replace(goldenBase, "play: [{stream: s}], reconnect", "play: [{stream: s}], reconect", 1)},
	{"unknown-kind", strings.Replace(goldenBase, "blackhole:", "blackhol:", 1)},
	{"unknown-kind-field", strings.Replace(goldenBase, "blackhole: {route: wifi}", "latency: {route: wifi, jiter: 1ms}", 1)},
	{"process-client", strings.Replace(goldenBase, "  - {name: w, role: viewer, route: lte, stream: cam}",
		"  - {name: w, role: process, route: lte, bufferTime: 1s, process: {command: [ffmpeg, -i, \"{URL}\", \"{url}\"], grace: -1s}}\n  - {name: x, role: process, route: wifi}\n  - {name: y, role: player, route: wifi, play: [{stream: s}], process: {command: [a]}}", 1)},
	{"server-subjects", strings.Replace(strings.Replace(goldenBase, "server:\n", "server:\n  external: {address: nope}\n  nginx: {ping: -1s}\n", 1),
		"faults:\n", "faults:\n  - {name: k, at: 1s, kill: {}}\n", 1)},
	{"external-kill", strings.Replace(strings.Replace(goldenBase, "server:\n", "server:\n  external: {address: 127.0.0.1:1935}\n", 1),
		"faults:\n", "faults:\n  - {name: k, at: 1s, kill: {}}\n", 1)},
	{"nginx-stallmedia", strings.Replace(strings.Replace(goldenBase, "server:\n", "server:\n  nginx: {}\n  pingInterval: 1s\n", 1),
		"faults:\n", "faults:\n  - {name: k, at: 1s, stallMedia: {}}\n  - {name: p, at: 1s, kill: {}}\n", 1)},
	{"process-duration-before-at", strings.Replace(goldenBase, "  - {name: w, role: viewer, route: lte, stream: cam}",
		"  - {name: w, role: process, route: lte, stream: cam, duration: 2s, process: {command: [ffmpeg, -i, \"{url}\"], at: 3s}}", 1)},
	{"process-server", strings.Replace(goldenBase, "server:\n", "server:\n  process: {command: [my-server, --listen, 1935]}\n", 1)},
	{"reference-file", strings.Replace(goldenBase, "streams: [{name: s, duration: 20s}]", "streams: [{name: s, duration: 20s, file: a.flv}]", 1)},
	{"unknown-checker", strings.Replace(goldenBase, "resumesAtOffset:", "resumeAtOffset:", 1)},
	{"unknown-checker-field", strings.Replace(goldenBase, "{client: v}", "{client: v, minResume: 1}", 1)},
	{"unknown-trigger-field", strings.Replace(goldenBase, "at: 2s", "after: {fault: x, dealy: 1s}", 1)},
	{"unknown-nemesis-field", goldenBase + "nemesis: {sead: 1}\n"},
	{"unknown-server-field", strings.Replace(goldenBase, "streams:", "stream:", 1)},
	{"unknown-stream-field", strings.Replace(goldenBase, "duration: 20s}", "duration: 20s, keyFrameInterval: 1s}", 1)},
	{"unknown-restore-field", strings.Replace(goldenBase, "restore: {}", "restore: {timout: 1s}", 1)},
	{"unknown-play-field", strings.Replace(goldenBase, "{stream: s}", "{stream: s, transtion: reset}", 1)},
	{"bad-duration-at", strings.Replace(goldenBase, "at: 2s", "at: soon", 1)},
	{"bad-duration-client", strings.Replace(goldenBase, "route: wifi, play", "route: wifi, bufferTime: 3, play", 1)},
	{"bad-duration-toxic", strings.Replace(goldenBase, "blackhole: {route: wifi}", "latency: {route: wifi, latency: fast}", 1)},
	{"bad-duration-checker", strings.Replace(goldenBase, "resumesAtOffset: {client: v}", "playsToEnd: {client: v, within: long}", 1)},
	{"type-error-int", strings.Replace(goldenBase, "duration: 20s}", "duration: 20s, fps: many}", 1)},
	{"type-error-list", strings.Replace(goldenBase, "play: [{stream: s}]", "play: {stream: s}", 1)},
	{"type-error-string", strings.Replace(goldenBase, "route: lte, stream", "route: [lte], stream", 1)},
	{"type-error-kind", strings.Replace(goldenBase, "blackhole: {route: wifi}", "drop: wifi", 1)},
	{"type-error-checker", strings.Replace(goldenBase, "resumesAtOffset: {client: v}", "resumesAtOffset: v", 1)},
	{"duplicate-key", strings.Replace(goldenBase, "name: g\n", "name: g\nname: h\n", 1)},
	{"missing-sections", "name: 'has space'\nexpectFailures: [playsToEnd]\n"},
	{"top-level", strings.Replace(goldenBase, "name: g\n", "name: g\ntimeout: -1s\ntoxiproxy: {url: '127.0.0.1:8474'}\n", 1)},
	{"streams", strings.Replace(goldenBase, "[{name: s, duration: 20s}]", "[{name: s, duration: 0s, fps: 500, keyframeInterval: -1s}, {name: s, duration: 1s}, {name: 'a/b', duration: 1s}, {duration: 1s}]", 1)},
	{"instances", strings.Replace(goldenBase, "routes: [{name: wifi}, {name: lte}]", "  instances: [a, a, 'b c']\nroutes: [{name: wifi, server: x}, {name: wifi, server: a}, {name: 'l t'}, {name: ''}]", 1)},
	{"clients-basic", strings.Replace(goldenBase, "clients:\n", "clients:\n  - {name: v, role: dancer, route: nowhere, connectTimeout: -1s}\n  - {role: player, route: wifi, play: [{stream: s}]}\n", 1)},
	{"player-fields", strings.Replace(goldenBase, "reconnect: {}}", "reconnect: {on: open, transition: reset, maxTries: -1, delay: -1s}, stallMonitor: {interval: -1s, ticks: -2}, mutant: evil, bufferTime: -1s, stream: x}", 1)},
	{"player-no-play", strings.Replace(goldenBase, "play: [{stream: s}], ", "", 1)},
	{"play-script", strings.Replace(goldenBase, "play: [{stream: s}]", "play: [{stream: s, transition: append, at: 1s}, {stream: nope, at: 0s}, {stream: s}, {transition: stop, stream: s}, {stream: s, transition: rewind}, {stream: s, transition: reset, raw: true}, {stream: s, transition: swap}, {stream: s, transition: append, oldStream: nope, start: -1s, len: -1s}]", 1)},
	{"publisher-fields", strings.Replace(goldenBase, "stream: cam, bitrateCheck: {}, restore: {}", "stream: 'c am', duration: -1s, bitrate: 0, fps: 500, bitrateCheck: {interval: -1s, maxTries: -1, codecChange: true}, restore: {timeout: -1s, maxTries: -1, backoff: {factor: 0.5, jitter: 2}}, pings: {receiveProbes: -1, probesInterval: -1s}, sendBuffer: -1, mutant: resume-from-start, play: [{stream: s}]", 1)},
	{"publisher-no-stream", strings.Replace(goldenBase, "stream: cam, bitrateCheck", "bitrateCheck", 1)},
	{"viewer-fields", strings.Replace(goldenBase, "route: lte, stream: cam}", "route: lte, stream: cam, bitrate: 10, restore: {backoff: {}}, mutant: x}", 1)},
	{"faults-all", strings.Replace(goldenBase, "faults:\n  - {name: hole, at: 2s, for: 1s, blackhole: {route: wifi}}\n", `faults:
  - {drop: {route: wifi}}
  - {at: 1s, when: {client: v, event: x}, drop: {route: wifi}}
  - {at: 1s}
  - {at: 1s, drop: {route: wifi}, stall: {route: wifi}}
  - {at: 1s, latency: {route: mars, latency: -1s, jitter: -1s, direction: sideways, toxicity: 2}}
  - {name: a, after: {fault: b, delay: -1s}, drop: {route: wifi}}
  - {name: b, after: {fault: a}, drop: {route: wifi}}
  - {after: {fault: nope}, drop: {route: wifi}}
  - {atStreamTime: {client: v, time: 30s}, drop: {route: wifi}}
  - {when: {client: x, event: "", count: -1}, kill: {server: edge}}
  - {at: 1s, flap: {route: wifi, every: 0s, times: 0}}
  - {at: 1s, slicer: {route: wifi, averageSize: 0, sizeVariation: -1, delay: -1s}}
  - {at: 1s, switchRoute: {client: x, route: mars}}
  - {name: forever, at: 1s, disable: {route: wifi}}
  - {after: {fault: forever}, drop: {route: wifi}}
  - {at: 1s, move: {client: cam, route: wifi}}
  - {at: 1s, manualStop: {client: v}}
  - {at: 1s, manualStop: {client: x}}
  - {name: a, at: 90s, for: -1s, bandwidth: {route: wifi, rate: -1}}
  - {at: -1s, slowClose: {route: wifi, delay: -1s}}
  - {at: 1s, timeout: {route: wifi, timeout: -1s}}
  - {at: 1s, resetPeer: {route: wifi, timeout: -1s}}
  - {at: 1s, limitData: {route: wifi, bytes: -1}}
  - {atStreamTime: {client: x, time: -1s}, restart: {server: nope}}
  - {at: 1s, stallMedia: {server: nope}, for: 1s}
  - {at: 1s, shutdown: {server: nope}, for: 1s}
`, 1)},
	{"nemesis", goldenBase + "nemesis: {kinds: [latency], route: x, count: 0, minGap: 2s, maxGap: 1s, for: -1s}\n"},
	{"nemesis-no-kinds", goldenBase + "nemesis: {route: wifi, count: 5000, minGap: -1s, maxGap: 1s}\n"},
	{"checkers", strings.Replace(goldenBase, "  - resumesAtOffset: {client: v}\n", `  - {}
  - {resumesAtOffset: {client: v}, playsToEnd: {client: v}}
  - resumesAtOffset: {client: nobody, minResumes: -1}
  - playsToEnd: {client: v, within: -1s}
  - reconnects: {client: v, count: -1}
  - stallDetected: {client: v, fault: nope, within: 0s}
  - bandwidthMeasured: {client: v, kbps: 0, tolerance: 1.5}
  - playlistRebuilt: {client: x}
  - oldConnectionClosedAfterAttach: {client: x}
  - statusReceived: {client: v, code: Play.Failed}
  - republishesAfterZeroBitrate: {client: v, viewer: x}
  - restorePolicy: {client: w}
  - noRestoreAfterManualStop: {client: x}
  - deadPeerDetected: {client: cam, fault: nope, within: -1s}
  - liveResumes: {client: x}
expectFailures: [playsToEnd, nope]
`, 1)},
	{"no-expect", strings.Replace(goldenBase, "expect:\n  - resumesAtOffset: {client: v}\n", "expect: []\n", 1)},
	// Issue 11: every unknown key at once in source order, one document, bounded lists, events
	// that exist, controls per client.
	{"unknown-keys-all", strings.NewReplacer("routes:", "rootes:", "play: [{stream: s}], reconnect", "play: [{stream: s}], reconect",
		"blackhole:", "blackhol:", "{client: v}", "{client: v, minResume: 1}").Replace(goldenBase)},
	{"every-problem-at-once", strings.Replace(goldenBase, "play: [{stream: s}], reconnect: {}}",
		"play: [{stream: s}, {stream: s, transition: rewind}], reconnect: {on: open}, mutant: evil, bufferTiem: 1s}", 1)},
	{"role-options", strings.NewReplacer("stream: cam, bitrateCheck: {}", "stream: cam, bufferTime: 1s, bitrateCheck: {}",
		"{name: w, role: viewer, route: lte, stream: cam}", "{name: w, role: viewr, route: lte, stream: cam, sendBuffer: 1}").Replace(goldenBase)},
	{"second-document", goldenBase + "---\nname: other\n"},
	{"too-many-faults", strings.Replace(goldenBase, "faults:\n", "faults:\n"+strings.Repeat("  - {at: 1s, drop: {route: wifi}}\n", 2001), 1)},
	{"too-many-clients", strings.Replace(goldenBase, "clients:\n", "clients:\n"+strings.Repeat("  - {name: x, role: player, route: wifi, play: [{stream: s}]}\n", 2001), 1)},
	{"misspelt-event", strings.Replace(goldenBase, "at: 2s", "when: {client: v, event: NetStream.Bufer.Full}", 1)},
	{"fault-off-the-path", strings.Replace(goldenBase, "  - resumesAtOffset: {client: v}\n", "  - resumesAtOffset: {client: v}\n  - noReconnect: {client: w, fault: hole}\n  - stallDetected: {client: v, fault: hole, within: 2s}\n  - deadPeerDetected: {client: w, fault: hole, within: 2s}\nexpectFailures: [deadPeerDetected(w)]\n", 1)},
	{"triggers-by-client-kind", strings.Replace(strings.Replace(goldenBase, "  - {name: w, role: viewer, route: lte, stream: cam}",
		"  - {name: w, role: viewer, route: lte, stream: cam}\n  - {name: p, role: process, route: lte, stream: s, process: {command: [ffmpeg, -i, \"{url}\"]}}", 1),
		"faults:\n", "faults:\n  - {atStreamTime: {client: w, time: 1s}, drop: {route: lte}}\n  - {atStreamTime: {client: p, time: 25s}, drop: {route: lte}}\n"+
			"  - {when: {client: p, event: frames.rendered}, drop: {route: lte}}\n  - {when: {client: v, event: tap.close}, drop: {route: lte}}\n"+
			"  - {when: {client: p, event: tap.status}, drop: {route: lte}}\n  - {atStreamTime: {client: p, time: 2s}, drop: {route: lte}}\n", 1)},
	{"controls", goldenBase + "expectFailures: [resumesAtOffset(v), resumesAtOffset(w), playsToEnd(v)]\nexpectUnknown: [liveResumes, resumesAtOffset(nobody)]\n"},
}

// TestLoaderMessagesGolden keeps every message of the loader for goldenCases stable.
func TestLoaderMessagesGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range goldenCases {
		b.WriteString("== " + c.name + "\n")
		_, err := Parse(c.name+".yaml", []byte(c.src))
		if err == nil {
			b.WriteString("(valid)\n")
			continue
		}
		b.WriteString(err.Error() + "\n")
	}
	path := filepath.Join("testdata", "problems.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("line %d:\n got  %s\n want %s", i+1, g, w)
			}
		}
	}
}
