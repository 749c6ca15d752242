package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/media"
)

// scheduler runs every fault of a scenario, each when its trigger fires.
type scheduler struct {
	s     *scenario.Scenario
	env   fault.Env
	clk   clock.Clock
	rec   *history.Recorder
	ended map[string]chan time.Time // fault name -> its end time, once
}

func newScheduler(s *scenario.Scenario, env fault.Env, clk clock.Clock, rec *history.Recorder) *scheduler {
	t := &scheduler{s: s, env: env, clk: clk, rec: rec, ended: map[string]chan time.Time{}}
	for _, f := range s.Faults {
		t.ended[f.Name] = make(chan time.Time, 1)
	}
	return t
}

// play runs every step concurrently until all are done or ctx ends; it returns the first
// injection error. initial is closed once every fault due at 0 s is in effect, so that the
// clients can start behind them.
func (t *scheduler) play(ctx context.Context, initial chan<- struct{}) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg, first sync.WaitGroup
	errs := make([]error, len(t.s.Faults))
	for i := range t.s.Faults {
		st := &t.s.Faults[i]
		atZero := st.At != nil && *st.At == 0
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

func (t *scheduler) run(ctx context.Context, st *fault.Fault, applied func()) error {
	if !t.await(ctx, st) {
		return nil // the run ended before the trigger fired
	}
	name, target := st.Name, st.Spec.Target()
	ev := func(kind string) history.Event {
		e := history.Event{Source: name, Kind: kind, Fault: name, Message: st.Kind, Route: target.Route}
		switch {
		case target.Client != "":
			e.Target = target.Client
		case target.Server != "":
			e.Target = target.Server
		}
		if e.Target != "" {
			e.Message += " " + e.Target
		}
		if a, ok := st.Spec.(fault.Affecter); ok {
			e.Code = a.Effect()
		}
		return e
	}
	w, err := fault.Inject(ctx, t.env, t.clk, st, st.Hold(), applied)
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
		if cost := w.Undone.Sub(w.End); !w.Undone.IsZero() && cost >= undoNoted {
			e := ev(history.KindFaultUndone)
			e.Message = fmt.Sprintf("undoing %s took %v after the network was restored at its end (Toxiproxy waited on links whose clients had gone)", name, cost.Round(time.Millisecond))
			t.rec.RecordAt(w.Undone, e)
		}
		t.ended[name] <- w.End
	}
	return nil
}

// undoNoted is how long an undo must take to be recorded beside the fault's window.
const undoNoted = 100 * time.Millisecond

// await blocks until the step's trigger fires; false when ctx ended first.
func (t *scheduler) await(ctx context.Context, f *fault.Fault) bool {
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
		count := w.Counter()
		_, err := t.rec.Wait(ctx, func(e history.Event) bool {
			return (e.Code == w.Event || e.Kind == w.Event || e.Kind == history.ClientPrefix+w.Event) && count(e.Source)
		})
		return err == nil
	case f.AtStreamTime != nil && t.tapped(f.AtStreamTime.Client):
		// A program: when media crossing its tap first reaches the stream time.
		a := f.AtStreamTime
		mark := a.Time.D().Seconds()
		_, err := t.rec.Wait(ctx, func(e history.Event) bool {
			return e.Source == a.Client && e.Kind == history.KindTapReached && e.Media != nil && *e.Media >= mark
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

// tapped tells whether client is judged from a wire tap (a program).
func (t *scheduler) tapped(client string) bool {
	c := t.s.Client(client)
	return c != nil && c.Traits().Tapped
}

// frameAt is the index of the frame at stream time d of the stream client plays.
func (t *scheduler) frameAt(client string, d time.Duration) int {
	fps := media.DefaultFPS
	if c := t.s.Client(client); c != nil {
		if ps, ok := c.Options.(interface{ PlayScript() []fakeclient.PlayItem }); ok && len(ps.PlayScript()) > 0 {
			if st, ok := t.s.Stream(ps.PlayScript()[0].Stream); ok {
				fps = st.FPS
			}
		}
	}
	return int((d*time.Duration(fps) + time.Second - 1) / time.Second)
}
