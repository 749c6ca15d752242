package fakeclient

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/spec"
)

// PlayerOptions are a VOD player's options as a scenario declares them (role: player):
// Flash Player's NetStream with a buffer, a play script and Stream Reconnect.
type PlayerOptions struct {
	// BufferTime is the player's NetStream.bufferTime (default 3s).
	BufferTime spec.Duration `yaml:"bufferTime" json:"bufferTime,omitempty"`
	// Play is the play script: play2 calls, the first at 0.
	Play []PlayItem `yaml:"play" json:"play"`
	// Reconnect enables Stream Reconnect; without it a lost connection ends playback.
	Reconnect *Reconnect `yaml:"reconnect" json:"reconnect,omitempty"`
	// Mutant selects a deliberately broken player behaviour (negative controls).
	Mutant string `yaml:"mutant" json:"mutant,omitempty"`
	// StallMonitor detects half-open links (no Connect.Closed ever comes) and reconnects.
	StallMonitor *StallMonitor `yaml:"stallMonitor" json:"stallMonitor,omitempty"`
	// ConnectTimeout bounds dial, handshake, connect and createStream (default 5s).
	ConnectTimeout spec.Duration `yaml:"connectTimeout" json:"connectTimeout,omitempty"`
	// BandwidthCheck asks the server for a bandwidth check (onBWCheck/onBWDone) on the first
	// connection, before playing.
	BandwidthCheck bool `yaml:"bandwidthCheck" json:"bandwidthCheck,omitempty"`
}

// Default fills every option left out with its default.
func (o *PlayerOptions) Default() {
	if o.BufferTime == 0 {
		o.BufferTime = spec.Duration(DefaultBufferTime)
	}
	for j := range o.Play {
		if o.Play[j].Transition == "" {
			o.Play[j].Transition = transitionLater
			if j == 0 {
				o.Play[j].Transition = transitionFirst
			}
		}
	}
	if m := o.StallMonitor; m != nil {
		m.Default()
	}
	if r := o.Reconnect; r != nil {
		r.Default()
	}
}

// Validate reports what is wrong with the defaulted options into p (the client's own path);
// streams are the stream names the server's catalogue offers.
func (o *PlayerOptions) Validate(p spec.Problems, streams spec.Names) {
	p.NonNegative("connectTimeout", o.ConnectTimeout)
	if o.BufferTime <= 0 {
		p.Add("bufferTime", "must be positive")
	}
	if len(o.Play) == 0 {
		p.Add("play", "at least one play item is required")
	}
	if len(o.Play) > maxPlayItems {
		p.Add("play", "%d play items exceed the limit of %d", len(o.Play), maxPlayItems)
		return
	}
	played := map[string]int{}
	for j, it := range o.Play {
		it.validate(p.At(fmt.Sprintf("play[%d]", j)), j, o.Play, streams, played)
	}
	if r := o.Reconnect; r != nil {
		r.Validate(p.At("reconnect"))
	}
	if m := o.StallMonitor; m != nil {
		m.Validate(p.At("stallMonitor"))
	}
	if o.Mutant != "" && !slices.Contains(Mutants, o.Mutant) {
		p.Add("mutant", "%q is not a known mutant (known: %s)", o.Mutant, strings.Join(Mutants, ", "))
	}
}

// BandwidthChecked tells whether the player asks for a bandwidth check.
func (o *PlayerOptions) BandwidthChecked() bool { return o.BandwidthCheck }

// PlayScript is the play script (faults that follow a player's stream read it).
func (o *PlayerOptions) PlayScript() []PlayItem { return o.Play }

// New builds the player the (defaulted, valid) options declare.
func (o *PlayerOptions) New(env Env) (*Player, error) {
	return NewPlayer(PlayerConfig{ID: env.Name, Addr: env.Addr, App: env.App, Script: o.Play, BufferTime: o.BufferTime.D(), Reconnect: o.Reconnect,
		StallMonitor: o.StallMonitor, BandwidthCheck: o.BandwidthCheck, Mutant: o.Mutant, Clock: env.Clock, OnEvent: env.OnEvent,
		Conn: rtmpconn.Options{HandshakeTimeout: o.ConnectTimeout.D()}})
}
