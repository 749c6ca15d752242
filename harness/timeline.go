package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
)

// timeline runs every fault of a scenario, each when its trigger fires.
type timeline struct {
	s     *scenario.Scenario
	l     *lab.Lab
	clk   clock.Clock
	rec   *history.Recorder
	steps []step
	ended map[string]chan time.Time // fault name -> its end time, once
}

type step struct {
	spec  scenario.Fault
	fault fault.Fault
}

func newTimeline(s *scenario.Scenario, l *lab.Lab, clk clock.Clock, rec *history.Recorder) (*timeline, error) {
	t := &timeline{s: s, l: l, clk: clk, rec: rec, ended: map[string]chan time.Time{}}
	for _, sf := range s.Faults {
		f, err := fault.FromScenario(sf)
		if err != nil {
			return nil, err
		}
		t.steps = append(t.steps, step{spec: sf, fault: f})
		t.ended[sf.Name] = make(chan time.Time, 1)
	}
	return t, nil
}

// play runs every step concurrently until all are done or ctx ends; it returns the first
// injection error. initial is closed once every fault due at 0 s is in effect, so that the
// clients can start behind them.
func (t *timeline) play(ctx context.Context, initial chan<- struct{}) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg, first sync.WaitGroup
	errs := make([]error, len(t.steps))
	for i, st := range t.steps {
		atZero := st.spec.At != nil && *st.spec.At == 0
		if atZero {
			first.Add(1)
		}
		var once sync.Once
		applied := func() {
			if atZero {
				once.Do(first.Done)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer applied() // also when the step never ran
			if errs[i] = t.run(ctx, st, applied); errs[i] != nil {
				cancel() // one broken fault ends the timeline
			}
		}()
	}
	first.Wait()
	close(initial)
	wg.Wait()
	return errors.Join(errs...)
}

func (t *timeline) run(ctx context.Context, st step, applied func()) error {
	if !t.await(ctx, st.spec) {
		return nil // the run ended before the trigger fired
	}
	hold := st.spec.For.D()
	if st.spec.Reset != nil && hold == 0 {
		hold = fault.DefaultResetHold
	}
	name, target := st.fault.Name(), st.fault.Target()
	ev := func(kind string) history.Event {
		e := history.Event{Source: name, Kind: kind, Fault: name, Message: st.spec.Kind()}
		if st.spec.Route() != "" {
			e.Route = target
		} else {
			e.Message += " " + target
		}
		return e
	}
	w, err := fault.Inject(ctx, t.l, t.clk, st.fault, hold, applied)
	if !w.Start.IsZero() {
		t.rec.RecordAt(w.Start, ev(history.KindFaultStart))
	}
	if err != nil {
		e := ev(history.KindFaultEnd)
		e.Message = err.Error()
		t.rec.Record(e)
		return err
	}
	if !w.End.IsZero() {
		t.rec.RecordAt(w.End, ev(history.KindFaultEnd))
		t.ended[name] <- w.End
	}
	return nil
}

// await blocks until the step's trigger fires; false when ctx ended first.
func (t *timeline) await(ctx context.Context, f scenario.Fault) bool {
	switch {
	case f.At != nil:
		return clock.Sleep(ctx, t.clk, t.rec.Start().Add(f.At.D()).Sub(t.clk.Now())) == nil
	case f.After != nil:
		ch := t.ended[f.After.Fault]
		select {
		case <-ctx.Done():
			return false
		case end := <-ch:
			ch <- end // let other steps waiting on the same fault see it too
			return clock.Sleep(ctx, t.clk, end.Add(f.After.Delay.D()).Sub(t.clk.Now())) == nil
		}
	case f.When != nil:
		w := f.When
		seen := 0
		_, err := t.rec.Wait(ctx, func(e history.Event) bool {
			if e.Source == w.Client && (e.Code == w.Event || e.Kind == w.Event || e.Kind == "client."+w.Event) {
				seen++
			}
			return seen >= max(w.Count, 1)
		})
		return err == nil
	case f.AtStreamTime != nil:
		a := f.AtStreamTime
		idx := t.frameAt(a.Client, a.Time.D())
		_, err := t.rec.Wait(ctx, func(e history.Event) bool {
			return e.Source == a.Client && e.Kind == history.KindClientRendered && e.Frames != nil && e.Frames.Last >= idx
		})
		return err == nil
	}
	return false
}

// frameAt is the index of the frame at stream time d of the stream client plays.
func (t *timeline) frameAt(client string, d time.Duration) int {
	fps := scenario.DefaultFPS
	for _, c := range t.s.Clients {
		if c.Name == client && len(c.Play) > 0 {
			if st, ok := t.s.Stream(c.Play[0].Stream); ok {
				fps = st.FPS
			}
		}
	}
	return int((d*time.Duration(fps) + time.Second - 1) / time.Second)
}

// resetRoutes lists the routes a reset fault acts on: the lab arms them before clients connect.
func resetRoutes(s *scenario.Scenario) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range s.Faults {
		if f.Reset != nil && !seen[f.Reset.Route] {
			seen[f.Reset.Route] = true
			out = append(out, f.Reset.Route)
		}
	}
	return out
}

// describeNemesis prints the seed and the schedule it produced.
func describeNemesis(s *scenario.Scenario) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed=%d:", s.Nemesis.Seed)
	for _, f := range s.Faults {
		if strings.HasPrefix(f.Name, "nemesis-") && f.At != nil {
			fmt.Fprintf(&b, " %s=%s@%s", f.Name, f.Kind(), f.At)
			if f.For > 0 {
				fmt.Fprintf(&b, "/%s", f.For)
			}
		}
	}
	return b.String()
}
