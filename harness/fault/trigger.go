package fault

import "github.com/streamfault/streamfault/internal/spec"

// AfterTrigger fires a delay after another fault ended.
type AfterTrigger struct {
	// Fault is the name of the earlier fault.
	Fault string `yaml:"fault" json:"fault"`
	// Delay is the wait after that fault's end.
	Delay spec.Duration `yaml:"delay" json:"delay,omitempty"`
}

// WhenTrigger fires the first time a client reports Event: a status code such as
// NetStream.Buffer.Full, or an event kind such as frames.rendered; for a group of clients,
// once every member has.
type WhenTrigger struct {
	// Client is the client to watch, or a group (a name with *): the trigger then fires once
	// every member has reported the event Count times.
	Client string `yaml:"client" json:"client"`
	// Event is the status code or event kind.
	Event string `yaml:"event" json:"event"`
	// Count fires on the Count-th such event (default 1), e.g. 2 with
	// NetConnection.Connect.Success for the first reconnect.
	Count int `yaml:"count" json:"count,omitempty"`
	// Members are the group's clients when Client names a group (set by Default).
	Members []string `yaml:"-" json:"-"`
}

// Counter returns what counts the trigger's events as they come: given the client that
// reported the event (any client: others are not counted), it tells whether the trigger has
// fired. A single client fires on its Count-th; a group once every member has reached Count.
func (w *WhenTrigger) Counter() func(client string) bool {
	need := max(w.Count, 1)
	if len(w.Members) == 0 {
		seen := 0
		return func(client string) bool {
			if client == w.Client {
				seen++
			}
			return seen >= need
		}
	}
	seen := make(map[string]int, len(w.Members))
	for _, m := range w.Members {
		seen[m] = 0
	}
	done := 0
	return func(client string) bool {
		if n, ok := seen[client]; ok && n < need {
			if seen[client] = n + 1; n+1 == need {
				done++
			}
		}
		return done == len(w.Members)
	}
}

// StreamTimeTrigger fires when a client has rendered the frame at Time of the stream it plays.
type StreamTimeTrigger struct {
	// Client is the client to watch.
	Client string `yaml:"client" json:"client"`
	// Time is the stream time.
	Time spec.Duration `yaml:"time" json:"time"`
}
