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
	// ChunkSize is the chunk size the player announces after its handshake and writes with
	// (omitted: RTMP's 128 bytes).
	ChunkSize int `yaml:"chunkSize" json:"chunkSize,omitempty"`
	// PlainRTMP connects with plain RTMP to a server that speaks RTMPS and RTMP side by side
	// (server.tls.plainToo), as an older client would.
	PlainRTMP bool `yaml:"plainRTMP" json:"plainRTMP,omitempty"`
	// BandwidthCheck asks the server for a bandwidth check (onBWCheck/onBWDone) on the first
	// connection, before playing.
	BandwidthCheck bool `yaml:"bandwidthCheck" json:"bandwidthCheck,omitempty"`
	// Command is how the player plays and resumes: play2 (default: play2 calls, resume with
	// transition resume and an offset, playlists rebuilt), play (play with a start time, and
	// on a reconnect play from the end of its buffer, as librtmp and ffmpeg do), or seek (play,
	// and on a reconnect play then seek to the end of its buffer). With play or seek the
	// script is one stream, so that servers without play2 get VOD verdicts too.
	Command string `yaml:"command" json:"command,omitempty"`
}

// Ways a player plays and resumes (PlayerOptions.Command).
const (
	CommandPlay2 = "play2"
	CommandPlay  = "play"
	CommandSeek  = "seek"
)

// Commands lists the ways a player plays and resumes.
var Commands = []string{CommandPlay2, CommandPlay, CommandSeek}

// Default fills every option left out with its default.
func (o *PlayerOptions) Default() {
	if o.Command == "" {
		o.Command = CommandPlay2
	}
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
	validateChunkSize(p, o.ChunkSize)
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
	switch {
	case !slices.Contains(Commands, o.Command):
		p.Add("command", "%q is not a way to play (known: %s)", o.Command, strings.Join(Commands, ", "))
	case o.Command != CommandPlay2 && len(o.Play) > 1:
		p.Add("command", "%s plays one stream: a play script of %d items needs play2", o.Command, len(o.Play))
	}
}

// BandwidthChecked tells whether the player asks for a bandwidth check.
func (o *PlayerOptions) BandwidthChecked() bool { return o.BandwidthCheck }

// PlayScript is the play script (faults that follow a player's stream read it).
func (o *PlayerOptions) PlayScript() []PlayItem { return o.Play }

// New builds the player the (defaulted, valid) options declare.
func (o *PlayerOptions) New(env Env) (*Player, error) {
	return NewPlayer(PlayerConfig{ID: env.Name, Addr: env.Addr, App: env.App, Script: o.Play, Command: o.Command, BufferTime: o.BufferTime.D(), Reconnect: o.Reconnect,
		StallMonitor: o.StallMonitor, BandwidthCheck: o.BandwidthCheck, Mutant: o.Mutant, Clock: env.Clock, OnEvent: env.OnEvent,
		Conn: rtmpconn.Options{HandshakeTimeout: o.ConnectTimeout.D(), ChunkSize: uint32(o.ChunkSize), TLS: env.tlsFor(o.PlainRTMP)}})
}
