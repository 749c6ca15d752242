package fault

// Proof of every fault kind: each test opens a live RTMP session through a route of a real
// lab (embedded Toxiproxy + reference server), applies the fault, and measures its effect.
// The figures are logged (go test -v -run TestFault ./harness/fault) for the fault table.

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/message"
	"go.uber.org/goleak"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/internal/leakcheck"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
)

const route = "r"

func startLab(t *testing.T, resetArmed bool) *lab.Lab {
	t.Helper()
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { // registered first, so it runs after every other cleanup
		if err := leakcheck.Find(10*time.Second, leaks); err != nil {
			t.Errorf("goroutines left behind: %v", err)
		}
	})
	srv := lab.Server{Streams: []lab.Stream{{Name: "s", Duration: spec.Duration(60 * time.Second)}}}
	srv.Default()
	l, err := lab.Start(context.Background(), lab.Options{Name: "proof", Server: srv, Routes: []lab.Route{{Name: route, Server: lab.ServerName}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	if resetArmed {
		if err := (&Reset{RouteRef: RouteRef{Route: route}}).Prepare(l); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func addr(t *testing.T, l *lab.Lab) string {
	t.Helper()
	r, err := l.Route(route)
	if err != nil {
		t.Fatal(err)
	}
	return r.Listen
}

// probe is a minimal RTMP player that records what arrives and when.
type probe struct {
	c   *rtmpconn.Conn
	rtt time.Duration // connect command round trip

	mu     sync.Mutex
	frames []int
	err    error
	endAt  time.Time
	done   chan struct{}
}

// play connects through addr and plays stream s with the given buffer length (which sets
// the server's initial burst).
func play(t *testing.T, addr string, buffer time.Duration) *probe {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Every read is bounded; the longest silence a test makes on purpose is 1.5 s.
	c, err := rtmpconn.Dial(ctx, addr, rtmpconn.Options{ReadTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	p := &probe{c: c, done: make(chan struct{})}
	start := time.Now()
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, map[string]any{"app": "vod"}); err != nil {
		t.Fatal(err)
	}
	p.await(t, 1)
	p.rtt = time.Since(start)
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "createStream", 2, nil); err != nil {
		t.Fatal(err)
	}
	p.await(t, 2)
	if err := c.WriteCommand(ctx, rtmpconn.CSIDData, 1, "play2", 0, nil, map[string]any{"streamName": "s", "transition": "reset"}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteUserControl(ctx, &message.UserCtrlEventSetBufferLength{StreamID: 1, LengthMs: uint32(buffer.Milliseconds())}); err != nil {
		t.Fatal(err)
	}
	go p.read()
	return p
}

func (p *probe) await(t *testing.T, tx int64) {
	t.Helper()
	for i := 0; i < 32; i++ {
		m, err := p.c.Read()
		if err != nil {
			t.Fatal(err)
		}
		if m.Command != nil && m.Command.TransactionID == tx {
			return
		}
	}
	t.Fatalf("no answer to transaction %d", tx)
}

func (p *probe) read() {
	defer close(p.done)
	for {
		m, err := p.c.Read()
		if err != nil {
			var de *rtmpconn.DecodeError
			if errors.As(err, &de) {
				continue
			}
			p.mu.Lock()
			p.err, p.endAt = err, time.Now()
			p.mu.Unlock()
			return
		}
		if id, ok := media.ParseVideo(m.Payload); ok && m.TypeID == message.TypeIDVideoMessage {
			p.mu.Lock()
			p.frames = append(p.frames, id.Index)
			p.mu.Unlock()
		}
	}
}

func (p *probe) bytes() int64 { return p.c.BytesRead() }

func (p *probe) frameCount() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.frames) }

// waitFrames waits until at least n frames arrived.
func (p *probe) waitFrames(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.frameCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d frames arrived", p.frameCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// end waits up to d for the connection to end and returns why and when.
func (p *probe) end(d time.Duration) (error, time.Time, bool) {
	if d == 0 {
		d = time.Nanosecond // still prefer an already closed done below
	}
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err, p.endAt, true
	default:
	}
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err, p.endAt, true
	case <-time.After(d):
		return nil, time.Time{}, false
	}
}

// contiguous checks that the frames arrived in order with no gap.
func (p *probe) contiguous(t *testing.T) int {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, f := range p.frames {
		if f != i {
			t.Fatalf("frame %d arrived at position %d: lost or reordered", f, i)
		}
	}
	return len(p.frames)
}

func apply(t *testing.T, l *lab.Lab, name string, s Spec) Revert {
	t.Helper()
	rv, err := s.Apply(context.Background(), Env{Lab: l}, name)
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

func toxicity(v float64) *float64 { return &v }

func common(dir string) ToxicCommon {
	return ToxicCommon{Route: route, Direction: dir, Toxicity: toxicity(1)}
}

func dur(d time.Duration) spec.Duration { return spec.Duration(d) }

func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

func TestFaultLatency(t *testing.T) {
	l := startLab(t, false)
	base := play(t, addr(t, l), 0)
	rv := apply(t, l, "lat", &LatencyToxic{ToxicCommon: common(Downstream), Latency: dur(200 * time.Millisecond)})
	slow := play(t, addr(t, l), 0)
	t.Logf("latency 200ms downstream: connect round trip %v without, %v with", base.rtt, slow.rtt)
	if slow.rtt < 200*time.Millisecond || slow.rtt > base.rtt+400*time.Millisecond {
		t.Fatalf("round trip %v, want >= 200ms", slow.rtt)
	}
	slow.waitFrames(t, 10)
	if err := rv(context.Background()); err != nil { // removed while both sessions stream
		t.Fatal(err)
	}
	n := slow.frameCount()
	slow.waitFrames(t, n+10)
	slow.contiguous(t)
}

func TestFaultBandwidth(t *testing.T) {
	l := startLab(t, false)
	apply(t, l, "bw", &BandwidthToxic{ToxicCommon: common(Downstream), Rate: 20})
	p := play(t, addr(t, l), time.Minute) // the server bursts the whole stream: the toxic is the limit
	p.waitFrames(t, 5)
	b0, t0 := p.bytes(), time.Now()
	time.Sleep(2 * time.Second)
	rate := float64(p.bytes()-b0) / time.Since(t0).Seconds() / 1000
	t.Logf("bandwidth 20 KB/s: measured %.1f KB/s over 2s", rate)
	if rate < 16 || rate > 24 {
		t.Fatalf("throughput %.1f KB/s, want 20 ±20%%", rate)
	}
}

func TestFaultLimitData(t *testing.T) {
	l := startLab(t, false)
	apply(t, l, "ld", &LimitDataToxic{ToxicCommon: common(Downstream), Bytes: 20000})
	p := play(t, addr(t, l), time.Minute)
	err, _, ended := p.end(5 * time.Second)
	t.Logf("limit_data 20000 B: connection ended (%v) after %d bytes", err, p.bytes())
	if !ended || !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF, got ended=%v err=%v", ended, err)
	}
	if b := p.bytes(); b > 20000 || b < 19000 {
		t.Fatalf("read %d bytes, want just under 20000", b)
	}
}

func TestFaultStall(t *testing.T) {
	l := startLab(t, false)
	p := play(t, addr(t, l), 500*time.Millisecond)
	p.waitFrames(t, 20)
	rv := apply(t, l, "stall", &Stall{RouteRef: RouteRef{Route: route}})
	time.Sleep(200 * time.Millisecond) // let what was in flight land
	b0 := p.bytes()
	time.Sleep(1500 * time.Millisecond)
	during := p.bytes() - b0
	before := p.frameCount()
	if err := rv(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.waitFrames(t, before+40)
	n := p.contiguous(t)
	t.Logf("stall 1.5s: %d bytes during the stall, %d frames after it with no gap", during, n-before)
	if during != 0 {
		t.Fatalf("%d bytes arrived during the stall", during)
	}
	if _, _, ended := p.end(0); ended {
		t.Fatal("the connection ended during the stall")
	}
}

func TestFaultBlackhole(t *testing.T) {
	l := startLab(t, false)
	p := play(t, addr(t, l), 500*time.Millisecond)
	p.waitFrames(t, 20)
	rv := apply(t, l, "bh", &Blackhole{RouteRef: RouteRef{Route: route}})
	time.Sleep(200 * time.Millisecond)
	b0 := p.bytes()
	_, _, ended := p.end(time.Second)
	during := p.bytes() - b0
	if ended || during != 0 {
		t.Fatalf("blackhole: ended=%v, %d bytes", ended, during)
	}
	healed := time.Now()
	if err := rv(context.Background()); err != nil {
		t.Fatal(err)
	}
	err, at, ended := p.end(2 * time.Second)
	t.Logf("blackhole 1s: 0 bytes and no EOF during; healing closed the connection after %v (%v)", at.Sub(healed), err)
	if !ended {
		t.Fatal("healing a blackhole should close the connection")
	}
}

func TestFaultReset(t *testing.T) {
	l := startLab(t, true)
	p := play(t, addr(t, l), 500*time.Millisecond)
	p.waitFrames(t, 20)
	at := time.Now()
	rv := apply(t, l, "rst", &Reset{RouteRef: RouteRef{Route: route}})
	err, endAt, ended := p.end(2 * time.Second)
	if rerr := rv(context.Background()); rerr != nil {
		t.Fatal(rerr)
	}
	t.Logf("reset: connection ended after %v with %v", endAt.Sub(at), err)
	if !ended || !isReset(err) {
		t.Fatalf("want ECONNRESET, got ended=%v err=%v", ended, err)
	}
	// Disarmed: a new session plays normally.
	q := play(t, addr(t, l), 0)
	q.waitFrames(t, 10)
}

func TestFaultDropAndDisable(t *testing.T) {
	l := startLab(t, false)
	p := play(t, addr(t, l), 0)
	p.waitFrames(t, 5)
	at := time.Now()
	apply(t, l, "drop", &Drop{RouteRef: RouteRef{Route: route}})
	err, endAt, ended := p.end(time.Second)
	t.Logf("drop: connection ended after %v with %v", endAt.Sub(at), err)
	if !ended || !errors.Is(err, io.EOF) {
		t.Fatalf("drop: want EOF, got %v", err)
	}
	q := play(t, addr(t, l), 0) // accepted again at once
	q.waitFrames(t, 5)

	rv := apply(t, l, "dis", &Disable{RouteRef: RouteRef{Route: route}})
	if err, _, ended := q.end(time.Second); !ended || !errors.Is(err, io.EOF) {
		t.Fatalf("disable: want EOF, got %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr(t, l), 200*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("a disabled route accepted a connection")
	}
	if err := rv(context.Background()); err != nil {
		t.Fatal(err)
	}
	play(t, addr(t, l), 0).waitFrames(t, 5)
}

func TestFaultServerKillRestartShutdown(t *testing.T) {
	l := startLab(t, false)
	for _, action := range []string{"kill", "shutdown", "restart"} {
		p := play(t, addr(t, l), 0)
		p.waitFrames(t, 5)
		ref := ServerRef{Server: lab.ServerName}
		var f Spec = &Restart{ServerRef: ref}
		switch action {
		case "kill":
			f = &Kill{ServerRef: ref}
		case "shutdown":
			f = &Shutdown{ServerRef: ref}
		}
		at := time.Now()
		rv := apply(t, l, action, f)
		err, endAt, ended := p.end(time.Second)
		t.Logf("%s: the player's connection (through the proxy) ended after %v with %v", action, endAt.Sub(at), err)
		if !ended {
			t.Fatalf("%s: the connection did not end", action)
		}
		if rv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			if _, err := rtmpconn.Dial(ctx, addr(t, l), rtmpconn.Options{}); err == nil {
				t.Fatalf("%s: the server answered while down", action)
			}
			cancel()
			if err := rv(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		play(t, addr(t, l), 0).waitFrames(t, 5)
	}
}

func TestFaultSlicer(t *testing.T) {
	l := startLab(t, false)
	apply(t, l, "sl", &SlicerToxic{ToxicCommon: common(Downstream),
		AverageSize: 64, SizeVariation: 32, Delay: dur(100 * time.Microsecond)})
	p := play(t, addr(t, l), 2*time.Second)
	p.waitFrames(t, 60)
	n := p.contiguous(t)
	t.Logf("slicer 64±32 B: %d frames intact and in order", n)
}

func TestFaultSlowClose(t *testing.T) {
	l := startLab(t, false)
	apply(t, l, "sc", &SlowCloseToxic{ToxicCommon: common(Downstream), Delay: dur(500 * time.Millisecond)})
	p := play(t, addr(t, l), 0)
	p.waitFrames(t, 5)
	subj, _ := l.Subject(lab.ServerName)
	srv := subj.(lab.Controller)
	at := time.Now()
	go srv.Close()
	err, endAt, ended := p.end(3 * time.Second)
	t.Logf("slow_close 500ms: server closed, the player saw %v after %v", err, endAt.Sub(at))
	if !ended || endAt.Sub(at) < 450*time.Millisecond {
		t.Fatalf("close arrived after %v, want >= 500ms", endAt.Sub(at))
	}
}

func TestFaultTimeoutAndResetPeer(t *testing.T) {
	l := startLab(t, false)
	// timeout drops the data of its direction and closes the link after that long without
	// any: on the idle direction (the player sends nothing after play) it closes the link.
	p := play(t, addr(t, l), 0)
	p.waitFrames(t, 5)
	at := time.Now()
	rv := apply(t, l, "to", &Timeout{TimeoutToxic{ToxicCommon: common(Upstream), Timeout: dur(500 * time.Millisecond)}})
	err, endAt, ended := p.end(3 * time.Second)
	t.Logf("timeout 500ms upstream (idle): connection ended after %v with %v", endAt.Sub(at), err)
	if !ended || endAt.Sub(at) < 300*time.Millisecond {
		t.Fatalf("timeout: ended=%v after %v", ended, endAt.Sub(at))
	}
	if err := rv(context.Background()); err != nil {
		t.Fatal(err)
	}
	// reset_peer present before the connection: the first chunk of server data (here the
	// handshake's S0/S1) is held for the timeout, then the link is reset without it.
	apply(t, l, "rp", &ResetPeer{TimeoutToxic{ToxicCommon: common(Downstream), Timeout: dur(300 * time.Millisecond)}})
	at = time.Now()
	_, err = rtmpconn.Dial(context.Background(), addr(t, l), rtmpconn.Options{})
	t.Logf("reset_peer 300ms: the handshake failed after %v with %v", time.Since(at), err)
	if !isReset(err) || time.Since(at) < 280*time.Millisecond {
		t.Fatalf("reset_peer: want ECONNRESET after 300ms, got %v after %v", err, time.Since(at))
	}
}

func TestFaultFlapAndInjectWindow(t *testing.T) {
	l := startLab(t, false)
	f := New("flap", &Flap{Route: route, Every: dur(300 * time.Millisecond), Times: 3})
	p := play(t, addr(t, l), 0)
	p.waitFrames(t, 5)
	w, err := Inject(context.Background(), Env{Lab: l}, nil, &f, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	span := w.End.Sub(w.Start)
	t.Logf("flap 3 x 300ms: window %v", span)
	if span < 550*time.Millisecond || span > 1500*time.Millisecond {
		t.Fatalf("flap window %v, want about 600ms", span)
	}
	if _, _, ended := p.end(0); !ended {
		t.Fatal("the first drop of the flap did not end the session")
	}
	// A held, revertible fault gets an end; an unheld one lasts until heal.
	dis := New("d", &Disable{RouteRef: RouteRef{Route: route}})
	w, err = Inject(context.Background(), Env{Lab: l}, nil, &dis, 100*time.Millisecond, nil)
	if err != nil || w.End.Sub(w.Start) < 100*time.Millisecond {
		t.Fatalf("held window %v %v", w, err)
	}
	w, err = Inject(context.Background(), Env{Lab: l}, nil, &dis, 0, nil)
	if err != nil || !w.End.IsZero() {
		t.Fatalf("open window %v %v", w, err)
	}
	if err := l.Heal(); err != nil {
		t.Fatal(err)
	}
	play(t, addr(t, l), 0).waitFrames(t, 3)
}

// A reset acts on a publisher's route too: the publisher sends and gets next to nothing back,
// so the reset must act on the data it sends (both directions are armed and reset).
func TestFaultResetReachesAPublisher(t *testing.T) {
	l := startLab(t, true)
	var mu sync.Mutex
	var closed []string
	live := make(chan struct{}, 1)
	pub, err := fakeclient.NewPublisher(fakeclient.PublisherConfig{Addr: addr(t, l), Stream: "cam", Duration: 10 * time.Second,
		OnEvent: func(e fakeclient.Event) {
			mu.Lock()
			defer mu.Unlock()
			if e.Code == status.PublishStart {
				select {
				case live <- struct{}{}:
				default:
				}
			}
			if e.Code == status.ConnectClosed {
				closed = append(closed, e.Message)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- pub.Run(ctx) }()
	select {
	case <-live:
	case <-ctx.Done():
		t.Fatal("the publisher never published")
	}
	rv := apply(t, l, "rst", &Reset{RouteRef: RouteRef{Route: route}})
	<-done // without a restore policy the first loss ends it
	if err := rv(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(closed) == 0 || !strings.Contains(closed[0], "reset by peer") {
		t.Fatalf("the publisher's session ended with %q, want a TCP reset", closed)
	}
}

// slowUndo is a fault whose undoing takes long to return (as removing a toxic under links whose
// clients have gone does in Toxiproxy).
type slowUndo struct {
	RouteRef
	undo time.Duration
}

func (*slowUndo) Default(*Scope)                 {}
func (*slowUndo) Validate(spec.Problems, *Scope) {}
func (*slowUndo) Lasting() bool                  { return true }
func (s *slowUndo) Apply(context.Context, Env, string) (Revert, error) {
	return func(context.Context) error { time.Sleep(s.undo); return nil }, nil
}

// A fault's window ends when its undoing begins — the network is changed then — not when a
// slow undo call returns; the return is kept beside it.
func TestFaultWindowEndsWhenTheUndoBegins(t *testing.T) {
	f := New("stall", &slowUndo{undo: 600 * time.Millisecond})
	w, err := Inject(context.Background(), Env{}, nil, &f, 200*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Undone.Sub(w.End) < 600*time.Millisecond { // stamped before the undo, not after it returned
		t.Fatalf("undone %v after the end, want the undo's 600ms", w.Undone.Sub(w.End))
	}
}
