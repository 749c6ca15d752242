package wiretap

import (
	"errors"
	"io"
	"sync"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// watcher reads a copy of both directions of one connection as RTMP.
type watcher struct {
	tap  *Tap
	conn int

	upW, downW *io.PipeWriter
	wg         sync.WaitGroup
	last       [2]*float64 // the last media timestamp of each direction (up, down), each its reader's
}

func newWatcher(t *Tap, conn int) *watcher { return &watcher{tap: t, conn: conn} }

// discard is a feed that reads nothing (Config.Opaque).
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Close() error                { return nil }

// start begins reading; the pumps write each direction's bytes into the returned writers.
// A tap told its traffic is opaque (Config.Opaque) reports each direction unread at once.
func (w *watcher) start() (up, down io.WriteCloser) {
	if why := w.tap.cfg.Opaque; why != "" {
		for _, d := range []string{Up, Down} {
			w.tap.emit(Event{Conn: w.conn, Kind: KindUnparsed, Dir: d, Err: why})
		}
		return discard{}, discard{}
	}
	upR, upW := io.Pipe()
	downR, downW := io.Pipe()
	w.upW, w.downW = upW, downW
	w.wg.Add(2)
	go func() {
		defer w.wg.Done()
		w.read(upR, Up)
	}()
	go func() {
		defer w.wg.Done()
		w.read(downR, Down)
	}()
	return upW, downW
}

// stop ends the reading once the pumps are done and returns the last media timestamp of the
// connection and its direction: downstream when media moved that way, else upstream.
func (w *watcher) stop() (*float64, string) {
	if w.upW == nil { // opaque: nothing was read
		return nil, Down
	}
	w.upW.Close()
	w.downW.Close()
	w.wg.Wait()
	if w.last[1] != nil || w.last[0] == nil {
		return w.last[1], Down
	}
	return w.last[0], Up
}

// read watches one direction: the handshake is skipped, then each message is looked at. On a
// protocol error the rest is drained unread, so the relay never waits on the watcher.
func (w *watcher) read(r *io.PipeReader, dir string) {
	defer func() { _, _ = io.Copy(io.Discard, r) }()
	if _, err := io.CopyN(io.Discard, r, rtmpconn.HandshakeSize); err != nil {
		return
	}
	mr := rtmpconn.NewMessageReader(r, rtmpconn.Limits{})
	armed := true // the first media message of the connection starts a run
	last := &w.last[0]
	if dir == Down {
		last = &w.last[1]
	}
	tr := newTracks()
	for {
		m, err := mr.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.ErrClosedPipe) {
				w.tap.emit(Event{Conn: w.conn, Kind: KindUnparsed, Dir: dir, Err: err.Error()})
			}
			return
		}
		switch message.TypeID(m.TypeID) {
		case message.TypeIDAudioMessage, message.TypeIDVideoMessage, message.TypeIDAggregateMessage:
			if len(m.Payload) == 0 {
				continue
			}
			ts := float64(m.Timestamp) / 1000
			*last = &ts
			if armed {
				armed = false
				w.tap.emit(Event{Conn: w.conn, Kind: KindMedia, Dir: dir, Media: &ts})
			}
			if e, ok := tr.see(m.TypeID, ts); ok {
				e.Conn, e.Dir = w.conn, dir
				w.tap.emit(e)
			}
			for _, mark := range w.tap.marks.reached(ts) {
				w.tap.emit(Event{Conn: w.conn, Kind: KindReached, Dir: dir, Media: &mark})
			}
		case message.TypeIDCommandMessageAMF3, message.TypeIDCommandMessageAMF0:
			cmd, err := m.Command()
			if err != nil {
				continue
			}
			if dir == Down {
				if cmd.Name == "onStatus" {
					code := stringField(cmd.Arg(1), "code")
					w.tap.emit(Event{Conn: w.conn, Kind: KindStatus, Dir: dir, Code: code})
					tr.announced = code
					switch code {
					case status.PlayStart, status.PlayReset, status.PlayTransition:
						armed = true
					}
				}
				continue
			}
			e := commandEvent(cmd)
			e.Conn, e.Dir = w.conn, dir
			if cmd.Name == "publish" {
				armed = true
				tr.restart()
			}
			w.tap.emit(e)
		}
	}
}

// commandEvent describes a client's command.
func commandEvent(cmd *rtmpconn.Command) Event {
	e := Event{Kind: KindCommand, Name: cmd.Name}
	switch cmd.Name {
	case "connect":
		e.App = stringField(cmd.Arg(0), "app")
	case "play":
		e.Stream, _ = cmd.Arg(1).(string)
		if start, ok := cmd.Arg(2).(float64); ok {
			s := playStart(start)
			e.Start = &s
		}
	case "play2":
		opts, _ := cmd.Arg(1).(map[string]any)
		e.Stream = stringField(opts, "streamName")
		e.Transition = stringField(opts, "transition")
		if v, ok := opts["start"].(float64); ok {
			e.Start = &v
		}
		if v, ok := opts["offset"].(float64); ok {
			e.Offset = &v
		}
	case "publish":
		e.Stream, _ = cmd.Arg(1).(string)
		e.Transition, _ = cmd.Arg(2).(string)
	default:
		e.Stream, _ = cmd.Arg(1).(string)
	}
	return e
}

// playStart is a play command's start in seconds. The argument is in milliseconds (ffmpeg and
// librtmp send -2000 for "live, else recorded"), but some clients send the special values -2
// and -1 as they are; both read as -2 and -1.
func playStart(arg float64) float64 {
	switch arg {
	case -2, -1:
		return arg
	}
	return arg / 1000
}

// stringField is obj[key] when obj is an object and the value a string.
func stringField(obj any, key string) string {
	m, _ := obj.(map[string]any)
	s, _ := m[key].(string)
	return s
}
