// Package rtmpconn is the RTMP session layer shared by the reference server and the scripted
// clients. It is built on go-rtmp's exported wire pieces — the handshake, the chunk stream
// reader (rtmp.ChunkStreamer), the message codecs — and go-amf0 for command arguments, and
// adds what go-rtmp's high-level Server/ClientConn lack: one lock for every write of a
// connection, a deadline on every blocking call, and byte counters.
//
// Writes do not go through ChunkStreamer.Write: that path queues messages to a scheduler
// goroutine, so a write returns before the bytes leave, a chunk-size change races with the
// scheduler, and after a socket error its 64-slot queue fills and writers block forever.
// Instead, messages are encoded with go-rtmp's message.Encoder and chunked synchronously here.
package rtmpconn

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/yutopp/go-amf0"
	rtmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/handshake"
	"github.com/yutopp/go-rtmp/message"
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
	nc   *countingConn
	opts Options
	cs   *rtmp.ChunkStreamer

	wmu       sync.Mutex   // serialises every write
	out       bytes.Buffer // one message, chunked, written with a single Write
	enc       *message.Encoder
	body      bytes.Buffer
	chunkSize uint32
	broken    error // a write that left part of a message on the wire: nothing can follow

	dlmu sync.Mutex // guards the write deadline against a late context cancellation
	wseq uint64     // numbers the writes; bumped again when one ends, so a late cancel sees it is stale

	decodeErrors int // consecutive; only touched by the reading goroutine
	closeOnce    sync.Once
}

// Dial connects to addr and performs the client side of the handshake, bounded by ctx and
// HandshakeTimeout.
func Dial(ctx context.Context, addr string, opts Options) (*Conn, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.HandshakeTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rtmp dial %s: %w", addr, err)
	}
	c, err := handshakeConn(ctx, nc, opts, false)
	if err != nil {
		return nil, fmt.Errorf("rtmp dial %s: %w", addr, err)
	}
	return c, nil
}

// Accept performs the server side of the handshake on an accepted socket, bounded by ctx
// and HandshakeTimeout. The socket is closed on failure.
func Accept(ctx context.Context, nc net.Conn, opts Options) (*Conn, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.HandshakeTimeout)
	defer cancel()
	return handshakeConn(ctx, nc, opts, true)
}

func handshakeConn(ctx context.Context, raw net.Conn, opts Options, server bool) (*Conn, error) {
	if tc, ok := raw.(*net.TCPConn); ok && opts.SendBuffer > 0 {
		_ = tc.SetWriteBuffer(opts.SendBuffer)
	}
	nc := &countingConn{Conn: raw}
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.Close() })
	var err error
	if server {
		err = handshake.HandshakeWithClient(nc, nc, &handshake.Config{SkipHandshakeVerification: true})
	} else {
		err = handshake.HandshakeWithServer(nc, nc, &handshake.Config{})
	}
	if !stop() || err != nil {
		_ = nc.Close()
		if err == nil || ctx.Err() != nil {
			err = errors.Join(err, ctx.Err())
		}
		return nil, fmt.Errorf("handshake: %w", err)
	}
	_ = nc.SetDeadline(time.Time{})

	silenceGoRTMPLogs()
	c := &Conn{
		nc:        nc,
		opts:      opts,
		cs:        rtmp.NewChunkStreamer(bufio.NewReaderSize(nc, 64*1024), io.Discard, nil),
		chunkSize: DefaultChunkSize,
	}
	c.enc = message.NewEncoder(&c.body)
	return c, nil
}

var silenceOnce sync.Once

// silenceGoRTMPLogs stops a standalone ChunkStreamer from logging through logrus' global
// logger (see NOTES-deps.md).
func silenceGoRTMPLogs() {
	silenceOnce.Do(func() { logrus.SetOutput(io.Discard) })
}

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
	// Payload holds a copy of an audio or video message body.
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
// the caller may read on; any other error is fatal for the connection. A malformed stream
// never panics: go-rtmp's reader panics on some impossible states, which become errors.
func (c *Conn) Read() (msg *Message, err error) {
	if c.opts.ReadTimeout > 0 {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.opts.ReadTimeout))
	}
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("rtmp read: malformed chunk stream: %v", r)
		}
	}()
	var cm rtmp.ChunkMessage
	csid, ts, err := c.cs.Read(&cm)
	if err != nil {
		if rerr := c.nc.readErr(); rerr != nil {
			return nil, fmt.Errorf("rtmp read: %w", rerr)
		}
		c.decodeErrors++
		if c.decodeErrors > maxDecodeErrors {
			return nil, fmt.Errorf("rtmp read: %d undecodable messages in a row, last: %w", c.decodeErrors, err)
		}
		return nil, &DecodeError{Err: err}
	}
	c.decodeErrors = 0
	m := &Message{CSID: csid, Timestamp: ts, StreamID: cm.StreamID, TypeID: cm.Message.TypeID()}
	switch v := cm.Message.(type) {
	case *message.AudioMessage:
		m.Payload, err = io.ReadAll(v.Payload)
	case *message.VideoMessage:
		m.Payload, err = io.ReadAll(v.Payload)
	case *message.CommandMessage:
		m.Command = &Command{Name: v.CommandName, TransactionID: v.TransactionID}
		m.Command.Args, err = decodeArgs(v.Body)
	case *message.DataMessage:
		m.Command = &Command{Name: v.Name}
		m.Command.Args, err = decodeArgs(v.Body)
	case *message.SetChunkSize:
		if v.ChunkSize < 1 || v.ChunkSize > 0x7fffffff {
			return nil, fmt.Errorf("rtmp read: peer set invalid chunk size %d", v.ChunkSize)
		}
		if err := c.cs.PeerState().SetChunkSize(v.ChunkSize); err != nil {
			return nil, fmt.Errorf("rtmp read: peer chunk size: %w", err)
		}
		m.Control = v
	default:
		// Control messages are fully decoded; WinAckSize is deliberately not applied (its
		// acknowledgement path in ChunkStreamer needs go-rtmp's high-level Conn).
		m.Control = v
	}
	if err != nil {
		return nil, &DecodeError{Err: fmt.Errorf("message type %d: %w", m.TypeID, err)}
	}
	return m, nil
}

// decodeArgs reads AMF0 values until the body ends.
func decodeArgs(r io.Reader) ([]any, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := amf0.NewDecoder(bytes.NewReader(body))
	var args []any
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return args, nil
			}
			return args, fmt.Errorf("amf0 argument %d: %w", len(args), err)
		}
		args = append(args, v)
	}
}

// Write sends one message, chunked with the current chunk size, within ctx and WriteTimeout.
func (c *Conn) Write(ctx context.Context, csid int, ts uint32, streamID uint32, msg message.Message) error {
	if csid < 2 || csid > 63 {
		return fmt.Errorf("rtmp write: chunk stream id %d outside 2..63", csid)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.body.Reset()
	if err := c.enc.Encode(msg); err != nil {
		return fmt.Errorf("rtmp write: encode %T: %w", msg, err)
	}
	if err := c.writeChunksLocked(ctx, csid, ts, streamID, byte(msg.TypeID()), c.body.Bytes()); err != nil {
		return fmt.Errorf("rtmp write %T: %w", msg, err)
	}
	return nil
}

// CancelGrace is how long a write already under way gets to finish once its context ends:
// a message is sent whole or not at all, so a stopped playback never leaves half a message
// on the wire. A peer that takes in nothing for that long gets the connection closed.
const CancelGrace = 200 * time.Millisecond

func (c *Conn) writeChunksLocked(ctx context.Context, csid int, ts, streamID uint32, typeID byte, body []byte) error {
	if len(body) > 0xffffff {
		return fmt.Errorf("message of %d bytes exceeds 16 MiB", len(body))
	}
	if c.broken != nil {
		return c.broken
	}
	if err := ctx.Err(); err != nil {
		return err // nothing sent
	}
	c.out.Reset()
	ext := ts >= 0xffffff
	var hdr [16]byte
	hdr[0] = byte(csid) // fmt 0
	tsField := ts
	if ext {
		tsField = 0xffffff
	}
	put24(hdr[1:], tsField)
	put24(hdr[4:], uint32(len(body)))
	hdr[7] = typeID
	binary.LittleEndian.PutUint32(hdr[8:], streamID)
	n := 12
	if ext {
		binary.BigEndian.PutUint32(hdr[12:], ts)
		n = 16
	}
	c.out.Write(hdr[:n])
	for first := true; first || len(body) > 0; first = false {
		if !first {
			// fmt 3 continuation. go-rtmp's reader does not expect the extended timestamp
			// to be repeated here, so it is not (timestamps past 4.6 h are out of scope).
			c.out.WriteByte(0xC0 | byte(csid))
		}
		k := min(len(body), int(c.chunkSize))
		c.out.Write(body[:k])
		body = body[k:]
	}

	dl := time.Now().Add(c.opts.WriteTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	c.dlmu.Lock()
	c.wseq++
	seq := c.wseq
	_ = c.nc.SetWriteDeadline(dl)
	c.dlmu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		c.dlmu.Lock()
		defer c.dlmu.Unlock()
		if c.wseq == seq { // this write is still under way: not a later write's deadline
			_ = c.nc.SetWriteDeadline(time.Now().Add(CancelGrace))
		}
	})
	sent, err := c.nc.Write(c.out.Bytes())
	stop()
	c.dlmu.Lock()
	c.wseq++
	c.dlmu.Unlock()
	switch {
	case err == nil:
		return nil
	case sent > 0: // part of the message is on the wire: the stream is corrupt from here on
		c.broken = fmt.Errorf("connection unusable: a write stopped after %d of %d bytes: %w", sent, c.out.Len(), err)
		_ = c.Close()
		return c.writeErr(ctx, c.broken)
	default:
		return c.writeErr(ctx, err)
	}
}

func (c *Conn) writeErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errors.Join(ctx.Err(), err)
	}
	return err
}

func put24(b []byte, v uint32) { b[0], b[1], b[2] = byte(v>>16), byte(v>>8), byte(v) }

// SetChunkSize tells the peer the new chunk size and uses it for every later write.
func (c *Conn) SetChunkSize(ctx context.Context, size uint32) error {
	if size < 1 || size > 0x7fffffff {
		return fmt.Errorf("rtmp: chunk size %d out of range", size)
	}
	if err := c.Write(ctx, CSIDControl, 0, 0, &message.SetChunkSize{ChunkSize: size}); err != nil {
		return err
	}
	c.wmu.Lock()
	c.chunkSize = size
	c.wmu.Unlock()
	return nil
}

// WriteCommand sends an AMF0 command message.
func (c *Conn) WriteCommand(ctx context.Context, csid int, streamID uint32, name string, txID int64, args ...any) error {
	body, err := encodeArgs(args)
	if err != nil {
		return fmt.Errorf("rtmp command %s: %w", name, err)
	}
	return c.Write(ctx, csid, 0, streamID, &message.CommandMessage{
		CommandName: name, TransactionID: txID, Encoding: message.EncodingTypeAMF0, Body: bytes.NewReader(body),
	})
}

// WriteData sends an AMF0 data message (e.g. onPlayStatus, onMetaData).
func (c *Conn) WriteData(ctx context.Context, csid int, ts uint32, streamID uint32, name string, args ...any) error {
	body, err := encodeArgs(args)
	if err != nil {
		return fmt.Errorf("rtmp data %s: %w", name, err)
	}
	return c.Write(ctx, csid, ts, streamID, &message.DataMessage{
		Name: name, Encoding: message.EncodingTypeAMF0, Body: bytes.NewReader(body),
	})
}

// WriteUserControl sends a user control event on message stream 0.
func (c *Conn) WriteUserControl(ctx context.Context, ev message.UserCtrlEvent) error {
	return c.Write(ctx, CSIDControl, 0, 0, &message.UserCtrl{Event: ev})
}

func encodeArgs(args []any) ([]byte, error) {
	var buf bytes.Buffer
	enc := amf0.NewEncoder(&buf)
	for i, a := range args {
		if err := enc.Encode(a); err != nil {
			return nil, fmt.Errorf("amf0 argument %d: %w", i, err)
		}
	}
	return buf.Bytes(), nil
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
		err = c.nc.Close()
		_ = c.cs.Close() // stops go-rtmp's (unused) write scheduler goroutine
	})
	return err
}

// Abort closes the socket with SO_LINGER 0 so the peer sees a TCP reset, as when a server
// process dies.
func (c *Conn) Abort() error {
	if tc, ok := c.nc.Conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return c.Close()
}

// countingConn counts bytes and remembers the first read error.
type countingConn struct {
	net.Conn
	in, out atomic.Int64
	rerr    atomic.Pointer[error]
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	if err != nil {
		c.rerr.CompareAndSwap(nil, &err)
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err
}

func (c *countingConn) readErr() error {
	if p := c.rerr.Load(); p != nil {
		return *p
	}
	return nil
}

// Status returns info.code of an onStatus command or an onPlayStatus data message; ok is
// false for anything else (a nil command included).
func (c *Command) Status() (code string, ok bool) {
	if c == nil {
		return "", false
	}
	var info any
	switch c.Name {
	case "onStatus":
		info = c.Arg(1)
	case "onPlayStatus":
		info = c.Arg(0)
	default:
		return "", false
	}
	m, _ := info.(map[string]any)
	code, ok = m["code"].(string)
	return code, ok
}
