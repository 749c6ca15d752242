package fault

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
)

// Default names every unnamed entry after its kind and position (drop-1, latency-3, …) and
// fills each kind's defaults.
func Default(faults []Fault, s *Scope) {
	for i := range faults {
		f := &faults[i]
		if f.Name == "" {
			f.Name = fmt.Sprintf("%s-%d", f.Kind, i+1)
		}
		if f.Spec != nil {
			f.Spec.Default(s)
		}
		if w := f.When; w != nil && len(s.Groups[w.Client]) > 0 {
			w.Members = s.Groups[w.Client]
		}
	}
}

// MaxFaults bounds a scenario's fault list (a nemesis' schedule included).
const MaxFaults = 2000

// Validate reports every problem of the fault list into p (the scenario's root).
func Validate(faults []Fault, s *Scope, p spec.Problems) {
	if len(faults) > MaxFaults {
		p.Add("faults", "%d faults exceed the limit of %d", len(faults), MaxFaults)
		return
	}
	names := map[string]int{}
	for i, f := range faults {
		if prev, dup := names[f.Name]; dup {
			p.Add(fmt.Sprintf("faults[%d].name", i), "%q is already the name of faults[%d]", f.Name, prev)
		}
		names[f.Name] = i
	}
	for i := range faults {
		faults[i].validate(p.At(fmt.Sprintf("faults[%d]", i)), i, faults, names, s)
	}
}

func (f *Fault) validate(p spec.Problems, i int, faults []Fault, names map[string]int, s *Scope) {
	switch f.triggerCount() {
	case 0:
		p.Add("", "names no trigger (one of at, after, when, atStreamTime)")
	case 1:
	default:
		p.Add("", "names %d triggers; use exactly one of at, after, when, atStreamTime", f.triggerCount())
	}
	if f.At != nil {
		if *f.At < 0 {
			p.Add("at", "must not be negative")
		} else if *f.At >= s.Timeout {
			p.Add("at", "%s is not before the scenario timeout %s, so it can never fire", *f.At, s.Timeout)
		}
	}
	if a := f.After; a != nil {
		j, ok := names[a.Fault]
		switch {
		case !ok:
			p.Add("after.fault", "%q is not the name of a fault", a.Fault)
		case j == i || afterCycle(faults, names, i):
			p.Add("after.fault", "%q makes a cycle of after-triggers, so it can never fire", a.Fault)
		case faults[j].lastsUntilHeal():
			p.Add("after.fault", "%q has no `for`, so it lasts until the final heal and this trigger can never fire", a.Fault)
		}
		p.NonNegative("after.delay", a.Delay)
	}
	if w := f.When; w != nil {
		validateWhen(p, s, w)
	}
	if st := f.AtStreamTime; st != nil {
		validateStreamTime(p, s, st)
	}
	p.NonNegative("for", f.For)
	switch f.kinds {
	case 0:
		p.Add("", "names no fault kind (known: %s)", strings.Join(Kinds.Keys(), ", "))
		return
	case 1:
	default:
		p.Add("", "names %d fault kinds; one entry is one fault", f.kinds)
		return
	}
	f.Spec.Validate(p.At(f.Kind), s)
}

// TapEvents are the kinds a `when` may wait for on a process client: what its wire tap sees.
var TapEvents = []string{history.KindTapConnect, history.KindTapCommand, history.KindTapStatus, history.KindTapMedia,
	history.KindTapClose, history.KindTapJump}

// validateWhen checks an event trigger against what its client can report: a scripted client
// its status codes and event kinds, a process its tap's kinds and the status codes delivered
// to it.
func validateWhen(p spec.Problems, s *Scope, w *WhenTrigger) {
	client := w.Client // a group's members share their options: its first stands for it
	if m := s.Groups[w.Client]; len(m) > 0 {
		client = m[0]
	} else if !s.Clients[w.Client] {
		p.Add("when.client", "%q is not a defined client or group%s", w.Client, s.Clients.Known())
	}
	tapped := s.Client != nil && s.Client(client) != nil && s.Client(client).Traits().Tapped
	kinds, example := fakeclient.EventKinds, fakeclient.EventRendered
	if tapped {
		kinds, example = TapEvents, history.KindTapClose
	}
	switch {
	case w.Event == "":
		p.Add("when.event", "is required (a status code such as NetStream.Buffer.Full, or an event kind)")
	case slices.Contains(fakeclient.StatusCodes, w.Event):
	case tapped && slices.Contains(TapEvents, w.Event):
	case !tapped && slices.Contains(fakeclient.EventKinds, strings.TrimPrefix(w.Event, history.ClientPrefix)):
	default:
		hint := ""
		if best, ok := spec.Closest(w.Event, append(append([]string{}, fakeclient.StatusCodes...), kinds...)); ok {
			hint = fmt.Sprintf("; did you mean %q?", best)
		}
		what := "an event a client reports"
		if tapped {
			what = "an event the wire tap of a process reports"
		}
		p.Add("when.event", "%q is not %s, so the fault would never fire%s (status codes such as %s, or event kinds such as %s)",
			w.Event, what, hint, status.BufferFull, example)
	}
	if w.Count < 0 {
		p.Add("when.count", "must not be negative")
	}
}

// validateStreamTime checks a stream-time trigger: its client must play what it renders (a
// scripted player) or be a program whose media crosses a wire tap, and the time must come
// before the end of its stream.
func validateStreamTime(p spec.Problems, s *Scope, st *StreamTimeTrigger) {
	p.NonNegative("atStreamTime.time", st.Time)
	if !s.Clients[st.Client] {
		p.Add("atStreamTime.client", "%q is not a defined client%s", st.Client, s.Clients.Known())
		return
	}
	opts := s.Client(st.Client)
	_, plays := opts.(interface{ PlayScript() []fakeclient.PlayItem })
	name := firstStream(s, st.Client)
	switch {
	case opts != nil && opts.Traits().Tapped:
		if ls, ok := opts.(interface{ LiveStream() string }); ok {
			name, _, _ = strings.Cut(ls.LiveStream(), "?")
		}
	case !plays:
		p.Add("atStreamTime.client", "%q renders no stream time of its own (only a player's rendered frames, or media crossing a process' wire tap, fire atStreamTime), so the fault would never fire; use `when` with one of its events", st.Client)
		return
	}
	if stream, ok := s.Stream(name); ok && st.Time >= stream.Duration {
		p.Add("atStreamTime.time", "%s is not before the end of %s (%s), so it can never fire", st.Time, stream.Name, stream.Duration)
	}
}

// firstStream is the stream a client's play script starts with ("" for live clients).
func firstStream(s *Scope, client string) string {
	if c, ok := s.Client(client).(interface{ PlayScript() []fakeclient.PlayItem }); ok && len(c.PlayScript()) > 0 {
		return c.PlayScript()[0].Stream
	}
	return ""
}

// afterCycle tells whether following after-triggers from fault i comes back to i.
func afterCycle(faults []Fault, names map[string]int, i int) bool {
	seen := map[int]bool{}
	for j := i; ; {
		a := faults[j].After
		if a == nil {
			return false
		}
		next, ok := names[a.Fault]
		if !ok {
			return false
		}
		if next == i {
			return true
		}
		if seen[next] {
			return false
		}
		seen[next] = true
		j = next
	}
}

// validateRoute reports an undefined route.
func validateRoute(p spec.Problems, s *Scope, r string) {
	if !s.Routes[r] {
		p.Add("route", "%q is not a defined route%s", r, s.Routes.Known())
	}
}

// validateClient reports an undefined client (ok false).
func validateClient(p spec.Problems, s *Scope, c string) bool {
	if !s.Clients[c] {
		p.Add("client", "%q is not a defined client%s", c, s.Clients.Known())
		return false
	}
	return true
}
