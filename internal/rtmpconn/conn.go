// Package rtmpconn is the RTMP session layer shared by the reference server and the scripted
// clients. It uses go-rtmp's handshake and message encoders, and adds what go-rtmp's
// high-level Server/ClientConn lack: one lock for every write of a connection, a deadline on
// every blocking call, byte counters — and a reader of its own.
//
// Reads do not go through go-rtmp's ChunkStreamer: it buffers a declared message (up to 16
// MiB) per chunk stream with no bound per session, misreads chunk stream ids of 320 and more,
// drops a session after 1 GiB through its acknowledgement path, and go-amf0 allocates what a
// strict array declares and recurses without a limit. The reader here (reader.go) bounds every
// peer-driven size (Limits), decodes AMF0 with internal/amf0's limits, applies SetChunkSize,
// Abort and the acknowledgement window, and refuses what breaks them with a *ProtocolError.
//
// Writes do not go through ChunkStreamer.Write either: that path queues messages to a
// scheduler goroutine, so a write returns before the bytes leave, a chunk-size change races
// with the scheduler, and after a socket error its 64-slot queue fills and writers block
// forever. Messages are encoded with go-rtmp's message.Encoder and chunked synchronously here.
package rtmpconn

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/amf0"
)

// Chunk stream ids used by both peers.
const (
	CSIDControl = 2 // protocol control and user control messages
	CSIDCommand = 3 // NetConnection commands
	CSIDAudio   = 4
	CSIDData    = 5 // NetStream commands and data messages
	CSIDVideo   = 6
)

// DefaultChunkSize is the chunk size peers start with (RTMP spec 5.4.1).
const DefaultChunkSize = 128

// maxDecodeErrors is how many undecodable messages in a row a connection tolerates.
const maxDecodeErrors = 8

// Options bounds a connection's blocking calls. Zero values take the defaults.
type Options struct {
	// HandshakeTimeout bounds dialing plus the RTMP handshake (default 5s).
	HandshakeTimeout time.Duration
	// ReadTimeout bounds each Read; zero means no per-read bound (the owner closes the
	// connection to stop a blocked Read).
	ReadTimeout time.Duration
	// WriteTimeout bounds each write (default 10s).
	WriteTimeout time.Duration
	// SendBuffer, when positive, sets the socket's send buffer (SO_SNDBUF) in bytes, so that
	// a stalled peer blocks writes soon instead of after megabytes of loopback buffering.
	SendBuffer int
	// Limits bound what the peer can make the connection hold.
	Limits Limits
	// ChunkSize, when positive, is what a client announces (SetChunkSize) right after the
	// handshake and writes with; zero keeps the protocol's 128 bytes until the program
	// changes it.
	ChunkSize uint32
	// TLS, when set, makes Dial RTMPS: a TLS session first (bounded by HandshakeTimeout with
	// the RTMP handshake), its server name taken from the address when the config names none.
	TLS *tls.Config
	// RawSyscalls, on Linux, reads and writes a plain TCP connection with raw system calls:
	// cheaper in a process that idles between packets (a relay: the runtime wakes a monitor
	// thread at each system call an idle process makes), dearer in a busy one (2,000 players
	// in one process: about a tenth more CPU). streamfault serve sets it.
	RawSyscalls bool
}

func (o Options) withDefaults() Options {
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 5 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	return o
}

// Conn is one RTMP connection after the handshake.
type Conn struct {
	nc      *countingConn
	opts    Options
	tlsTook time.Duration // the TLS handshake of an RTMPS connection (Dial)
	cr      *chunkReader  // only touched by the reading goroutine

	ackWindow atomic.Int64 // the peer's acknowledgement window (WinAckSize), 0: none
	lastAck   int64        // bytes read at the last acknowledgement (reading goroutine)

	wmu       sync.Mutex // serialises every write
	out       []byte     // queued messages and the one being written, chunked, sent with a single Write (outbuf.go)
	own       []byte     // the small output buffer the connection keeps (out when not borrowing)
	queued    int        // messages in out
	holds     int        // holds not yet released (Together): writes queue in out
	enc       *message.Encoder
	body      bytes.Buffer
	chunkSize uint32
	broken    error // a write that left part of a message on the wire: nothing can follow

	dlmu  sync.Mutex // guards the write deadline and the watch against a late context cancellation
	watch writeWatch // under dlmu

	decodeErrors int // consecutive; only touched by the reading goroutine
	closeOnce    sync.Once
}

// Dial connects to addr and performs the client side of the handshake, bounded by ctx and
// HandshakeTimeout.
func Dial(ctx context.Context, addr string, opts Options) (*Conn, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.HandshakeTimeout)
	defer cancel()
	scheme := "rtmp"
	if opts.TLS != nil {
		scheme = "rtmps"
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s dial %s: %w", scheme, addr, err)
	}
	nc, tlsTook, err := clientTLS(ctx, nc, addr, opts.TLS)
	if err != nil {
		return nil, fmt.Errorf("rtmps dial %s: %w", addr, err)
	}
	c, err := handshakeConn(ctx, nc, opts, false)
	if err != nil {
		if opts.TLS != nil {
			return nil, fmt.Errorf("rtmps dial %s: after a TLS handshake of %v: %w", addr, tlsTook.Round(100*time.Microsecond), err)
		}
		return nil, fmt.Errorf("rtmp dial %s: %w", addr, err)
	}
	c.tlsTook = tlsTook
	return c, nil
}

// TLSHandshake is how long the TLS handshake of an RTMPS connection took (zero for RTMP).
func (c *Conn) TLSHandshake() time.Duration { return c.tlsTook }

// Accept performs the server side of the handshake on an accepted socket, bounded by ctx
// and HandshakeTimeout. The socket is closed on failure.
func Accept(ctx context.Context, nc net.Conn, opts Options) (*Conn, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.HandshakeTimeout)
	defer cancel()
	if err := serverTLS(ctx, nc); err != nil {
		return nil, err
	}
	return handshakeConn(ctx, nc, opts, true)
}

func handshakeConn(ctx context.Context, raw net.Conn, opts Options, server bool) (*Conn, error) {
	if tc := TCP(raw); tc != nil && opts.SendBuffer > 0 {
		_ = tc.SetWriteBuffer(opts.SendBuffer)
	}
	nc := &countingConn{Conn: raw}
	if opts.RawSyscalls {
		nc.Conn = rawIO(raw)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.Close() })
	br := bufio.NewReaderSize(nc, readBuffer) // what the handshake reads past is the session's
	var err error
	if server {
		err = serverHandshake(nc)
	} else {
		err = clientHandshake(nc, br)
	}
	if !stop() || err != nil {
		_ = nc.Close()
		if err == nil || ctx.Err() != nil {
			err = errors.Join(err, ctx.Err())
		}
		return nil, fmt.Errorf("handshake: %w", err)
	}
	_ = nc.SetDeadline(time.Time{})

	c := &Conn{
		nc:        nc,
		opts:      opts,
		cr:        newChunkReader(br, opts.Limits),
		chunkSize: DefaultChunkSize,
	}
	c.enc = message.NewEncoder(&c.body)
	return c, nil
}

// readBuffer is the size of a connection's read buffer: each connection holds one for its
// life, so it is what a thousand idle players cost (4 KB; a read as large goes past it).
const readBuffer = 4 << 10

// Message is one received RTMP message; its payload is owned by the caller.
type Message struct {
	// CSID is the chunk stream the message arrived on.
	CSID int
	// Timestamp is the message timestamp in ms.
	Timestamp uint32
	// StreamID is the message stream id (0 for NetConnection traffic).
	StreamID uint32
	// TypeID is the RTMP message type.
	TypeID message.TypeID
	// Command is set for AMF0 command and data messages.
	Command *Command
	// Payload holds the message body of an audio or video message, and of an AMF data message
	// (its raw AMF0 values, for relaying them unchanged); the caller owns it (until it gives
	// an audio or video payload back with Recycle).
	Payload []byte
	// Control is set for protocol and user control messages (SetChunkSize, UserCtrl, ...).
	Control message.Message
}

// Command is a decoded AMF0 command (type 20) or data message (type 18).
type Command struct {
	// Name is the command or data handler name (e.g. "play2", "onStatus", "onMetaData").
	Name string
	// TransactionID is 0 for data messages.
	TransactionID int64
	// Args are the remaining AMF0 values: the command object (often nil) first.
	Args []any
}

// Arg returns argument i or nil.
func (c *Command) Arg(i int) any {
	if c == nil || i < 0 || i >= len(c.Args) {
		return nil
	}
	return c.Args[i]
}

// DecodeError is returned by Read for a complete message that could not be decoded; the
// connection stays usable.
type DecodeError struct{ Err error }

// Error implements error.
func (e *DecodeError) Error() string { return "rtmp: undecodable message: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Read returns the next complete message. A *DecodeError means one message was skipped and
// the caller may read on; any other error is fatal for the connection: an I/O error, or a
// *ProtocolError (the peer broke the protocol or one of the connection's Limits). Nothing a
// peer sends can make Read panic or allocate past the limits.
func (c *Conn) Read() (*Message, error) {
	m := new(Message)
	if err := c.ReadTo(m); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadTo is Read into a Message the caller gives (every field set anew): a reader that is
// done with each message before the next reuses one, and a stream of media costs no
// allocation a message (with Recycle).
func (c *Conn) ReadTo(m *Message) error {
	if c.opts.ReadTimeout > 0 {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.opts.ReadTimeout))
	}
	raw, err := c.cr.next()
	if err != nil {
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			if rerr := c.nc.readErr(); rerr != nil {
				err = rerr
			}
		}
		return fmt.Errorf("rtmp read: %w", err)
	}
	c.acknowledge()
	if err := c.decode(raw, m); err != nil {
		var pe *ProtocolError
		if errors.As(err, &pe) {
			return fmt.Errorf("rtmp read: %w", err)
		}
		c.decodeErrors++
		if c.decodeErrors > maxDecodeErrors {
			return fmt.Errorf("rtmp read: %d undecodable messages in a row, last: %w", c.decodeErrors, err)
		}
		return &DecodeError{Err: err}
	}
	c.decodeErrors = 0
	return nil
}

// Message type ids the reader decodes itself.
const (
	typeSetChunkSize  = 1
	typeAbort         = 2
	typeAck           = 3
	typeUserCtrl      = 4
	typeWinAckSize    = 5
	typePeerBandwidth = 6
	typeAudio         = 8
	typeVideo         = 9
	typeDataAMF3      = 15
	typeCommandAMF3   = 17
	typeDataAMF0      = 18
	typeCommandAMF0   = 20
)

// Recycle gives back the payload of an audio or video message that nothing holds any more
// (its bytes copied or sent), as room for a later message: a relay then reads a stream
// without a new buffer per message. Call it only from the goroutine that calls Read or
// ReadTo; other messages are left alone.
func (c *Conn) Recycle(m *Message) {
	if m == nil || (m.TypeID != message.TypeIDAudioMessage && m.TypeID != message.TypeIDVideoMessage) {
		return
	}
	c.cr.giveBack(m.Payload)
	m.Payload = nil
}

// decode turns a complete message into m; control messages are applied (chunk size, abort,
// acknowledgement window).
func (c *Conn) decode(raw rawMessage, m *Message) error {
	*m = Message{CSID: int(raw.csid), Timestamp: raw.timestamp, StreamID: raw.streamID, TypeID: message.TypeID(raw.typeID)}
	p := raw.payload
	switch raw.typeID {
	case typeAudio, typeVideo:
		m.Payload = p
		return nil
	case typeDataAMF0, typeCommandAMF0, typeDataAMF3, typeCommandAMF3:
		if raw.typeID == typeDataAMF3 || raw.typeID == typeCommandAMF3 {
			if len(p) == 0 {
				return fmt.Errorf("message type %d: empty", raw.typeID)
			}
			p = p[1:] // the AMF3 command format byte; the body is AMF0 (as Flash sends it)
		}
		cmd, err := decodeCommand(p, raw.typeID == typeCommandAMF0 || raw.typeID == typeCommandAMF3)
		if err != nil {
			return fmt.Errorf("message type %d: %w", raw.typeID, err)
		}
		m.Command = cmd
		if raw.typeID == typeDataAMF0 || raw.typeID == typeDataAMF3 {
			m.Payload = p
		}
		return nil
	case typeSetChunkSize, typeAbort, typeAck, typeUserCtrl, typeWinAckSize, typePeerBandwidth:
		if raw.typeID == typeSetChunkSize && (len(p) != 4 || binary.BigEndian.Uint32(p)&0x7fffffff == 0 || p[0]&0x80 != 0) {
			return protocolErr("peer set an invalid chunk size (% x)", p)
		}
		var ctrl message.Message
		if err := message.NewDecoder(bytes.NewReader(p)).Decode(message.TypeID(raw.typeID), &ctrl); err != nil {
			return fmt.Errorf("message type %d: %w", raw.typeID, err)
		}
		switch v := ctrl.(type) {
		case *message.SetChunkSize:
			if err := c.cr.setChunkSize(v.ChunkSize); err != nil {
				return err
			}
		case *message.AbortMessage:
			c.cr.abort(v.ChunkStreamID)
		case *message.WinAckSize:
			c.ackWindow.Store(int64(v.Size))
		}
		m.Control = ctrl
		return nil
	}
	return fmt.Errorf("message type %d is not supported", raw.typeID)
}

// decodeCommand decodes an AMF0 command (name, transaction id, arguments) or data message
// (name, arguments). A value past the AMF0 limits is a protocol error (the session ends); a
// malformed one only skips the message.
func decodeCommand(body []byte, command bool) (*Command, error) {
	vs, err := amf0.DecodeAll(body, amf0.DefaultLimits)
	if err != nil {
		var ae *amf0.Error
		if errors.As(err, &ae) && ae.Limit {
			return nil, &ProtocolError{Reason: err.Error()}
		}
		return nil, err
	}
	if len(vs) == 0 {
		return nil, errors.New("no command name")
	}
	name, ok := vs[0].(string)
	if !ok {
		return nil, fmt.Errorf("command name is a %T", vs[0])
	}
	cmd := &Command{Name: name}
	args := vs[1:]
	if command {
		if len(args) == 0 {
			return nil, fmt.Errorf("command %s has no transaction id", name)
		}
		tx, ok := args[0].(float64)
		if !ok {
			return nil, fmt.Errorf("command %s: transaction id is a %T", name, args[0])
		}
		cmd.TransactionID, args = int64(tx), args[1:]
	}
	cmd.Args = args
	return cmd, nil
}

// acknowledge sends an Acknowledgement when the peer's window has been received since the
// last one — only if no write is under way (the reading goroutine must never wait on a peer
// that is not reading).
func (c *Conn) acknowledge() {
	win := c.ackWindow.Load()
	got := c.BytesRead()
	if win <= 0 || got-c.lastAck < win {
		return
	}
	if !c.wmu.TryLock() {
		return
	}
	defer c.wmu.Unlock()
	c.lastAck = got
	ctx, cancel := context.WithTimeout(context.Background(), CancelGrace)
	defer cancel()
	c.body.Reset()
	if err := c.enc.Encode(&message.Ack{SequenceNumber: uint32(got)}); err == nil {
		_ = c.writeChunksLocked(ctx, CSIDControl, 0, 0, typeAck, c.body.Bytes())
	}
}

// BytesRead is the number of bytes received from the socket so far.
func (c *Conn) BytesRead() int64 { return c.nc.in.Load() }

// BytesWritten is the number of bytes the kernel accepted so far.
func (c *Conn) BytesWritten() int64 { return c.nc.out.Load() }

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// LocalAddr is this end's address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// Close closes the socket; blocked Reads and Writes return. Safe to call more than once.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.unwatch()
		err = c.nc.Close()
	})
	return err
}

// Abort closes the socket with SO_LINGER 0 so the peer sees a TCP reset, as when a server
// process dies.
func (c *Conn) Abort() error {
	if tc := TCP(c.nc.Conn); tc != nil {
		_ = tc.SetLinger(0)
	}
	return c.Close()
}

// Status returns info.code of an onStatus command or an onPlayStatus data message; ok is
// false for anything else (a nil command included).
func (c *Command) Status() (code string, ok bool) {
	code, ok = c.info()["code"].(string)
	return code, ok
}

// Description returns info.description of an onStatus command or an onPlayStatus data message
// ("" for anything else): what the server says of the status, a refusal's reason.
func (c *Command) Description() string {
	d, _ := c.info()["description"].(string)
	return d
}

// info is the info object of an onStatus or onPlayStatus (nil for anything else).
func (c *Command) info() map[string]any {
	if c == nil {
		return nil
	}
	var info any
	switch c.Name {
	case "onStatus":
		info = c.Arg(1)
	case "onPlayStatus":
		info = c.Arg(0)
	}
	m, _ := info.(map[string]any)
	return m
}
