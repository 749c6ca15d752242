package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/reports"
)

// RelayLatency is what the reference server's relay window adds to a live frame's way from
// the publisher to its viewers: the frames' delay with the default window and with none.
type RelayLatency struct {
	// Window is the relay window measured.
	Window time.Duration
	// Viewers is how many viewers played the publisher's stream.
	Viewers int
	// With and Without are the p50, p99 and worst delays, over Frames frames each.
	With, Without [3]time.Duration
	Frames        [2]int
}

// MeasureRelayLatency runs, in this process, one scripted publisher at 25 fps and viewers of
// it through the reference server for span, once with the default relay window and once
// with none. A frame's delay is its arrival at a viewer less its stream time, less the least
// such difference of the run (the fastest frame's way, which both runs share: the publisher
// paces every frame at its stream time).
func MeasureRelayLatency(ctx context.Context, viewers int, span time.Duration) (RelayLatency, error) {
	r := RelayLatency{Window: fakeserver.DefaultRelayWindow, Viewers: viewers}
	for i, window := range []time.Duration{fakeserver.DefaultRelayWindow, -1} {
		d, err := relayDelays(ctx, window, viewers, span)
		if err != nil {
			return r, fmt.Errorf("relay latency (window %v): %w", window, err)
		}
		q := reports.Quantiles(d, 0.50, 0.99, 1)
		if i == 0 {
			r.With = [3]time.Duration{q[0], q[1], q[2]}
		} else {
			r.Without = [3]time.Duration{q[0], q[1], q[2]}
		}
		r.Frames[i] = len(d)
	}
	return r, nil
}

// relayDelays is every frame's delay at every viewer in one run with the given window.
func relayDelays(ctx context.Context, window time.Duration, viewers int, span time.Duration) ([]time.Duration, error) {
	srv, err := fakeserver.New(fakeserver.Config{App: "live", RelayWindow: window})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithTimeout(ctx, span+10*time.Second)
	defer cancel()
	var mu sync.Mutex
	var ahead []time.Duration // arrival less stream time, on one clock
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, viewers+1)
	for i := 0; i < viewers; i++ {
		v, err := fakeclient.NewViewer(fakeclient.ViewerConfig{Addr: srv.Addr(), App: "live", Stream: "bench", Duration: span + time.Second,
			OnEvent: func(ev fakeclient.Event) {
				if ev.Kind == fakeclient.EventReceived {
					mu.Lock()
					ahead = append(ahead, ev.Time.Sub(t0)-ev.StreamTime)
					mu.Unlock()
				}
			}})
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs <- v.Run(ctx) }()
	}
	p, err := fakeclient.NewPublisher(fakeclient.PublisherConfig{Addr: srv.Addr(), App: "live", Stream: "bench", FPS: 25, Bitrate: 1_500_000, Duration: span})
	if err != nil {
		cancel()
		wg.Wait()
		return nil, err
	}
	errs <- p.Run(ctx)
	wg.Wait() // each viewer ends a second after the publication
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if len(ahead) == 0 {
		return nil, fmt.Errorf("no viewer received a frame")
	}
	least := ahead[0]
	for _, a := range ahead {
		least = min(least, a)
	}
	for i := range ahead {
		ahead[i] -= least
	}
	return ahead, nil
}

// Figure is the latency the window adds, beside the delays with and without it.
func (r RelayLatency) Figure() Figure {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return Figure{Name: "relay window latency p50", Value: ms(r.With[0] - r.Without[0]), Unit: "ms",
		Detail: fmt.Sprintf("a %v window, %d viewers: frames' delay p50/p99/max %.1f/%.1f/%.1f ms with it (%d frames), %.1f/%.1f/%.1f ms without (%d)",
			r.Window, r.Viewers, ms(r.With[0]), ms(r.With[1]), ms(r.With[2]), r.Frames[0], ms(r.Without[0]), ms(r.Without[1]), ms(r.Without[2]), r.Frames[1])}
}
