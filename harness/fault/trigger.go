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
// NetStream.Buffer.Full, or an event kind such as frames.rendered.
type WhenTrigger struct {
	// Client is the client to watch.
	Client string `yaml:"client" json:"client"`
	// Event is the status code or event kind.
	Event string `yaml:"event" json:"event"`
	// Count fires on the Count-th such event (default 1), e.g. 2 with
	// NetConnection.Connect.Success for the first reconnect.
	Count int `yaml:"count" json:"count,omitempty"`
}

// StreamTimeTrigger fires when a client has rendered the frame at Time of the stream it plays.
type StreamTimeTrigger struct {
	// Client is the client to watch.
	Client string `yaml:"client" json:"client"`
	// Time is the stream time.
	Time spec.Duration `yaml:"time" json:"time"`
}
