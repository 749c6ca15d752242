package rtmpconn

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/streamfault/streamfault/internal/amf0"
	"github.com/yutopp/go-rtmp/message"
)

// The write path: every message is chunked synchronously under the connection's write lock
// and sent in one socket write (or queued with others, for relayed media), so a message goes
// out whole or not at all.

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

// WriteRaw sends a message whose body is already encoded (a relayed audio, video or data
// message), chunked with the current chunk size, within ctx and WriteTimeout.
func (c *Conn) WriteRaw(ctx context.Context, csid int, ts, streamID uint32, typeID byte, body []byte) error {
	if csid < 2 || csid > 63 {
		return fmt.Errorf("rtmp write: chunk stream id %d outside 2..63", csid)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.writeChunksLocked(ctx, csid, ts, streamID, typeID, body); err != nil {
		return fmt.Errorf("rtmp write type %d: %w", typeID, err)
	}
	return nil
}

// CancelGrace is how long a write already under way gets to finish once its context ends:
// a message is sent whole or not at all, so a stopped playback never leaves half a message
// on the wire. A peer that takes in nothing for that long gets the connection closed.
const CancelGrace = 200 * time.Millisecond

func (c *Conn) writeChunksLocked(ctx context.Context, csid int, ts, streamID uint32, typeID byte, body []byte) error {
	if err := c.encodeLocked(ctx, csid, ts, streamID, typeID, body); err != nil {
		return err
	}
	if c.holds > 0 && len(c.out) < QueueLimit {
		return nil // Release sends it
	}
	return c.sendLocked(ctx)
}

// Together runs f with the connection's writes held, then sends every message f wrote in one
// system call, so that the messages of one answer (connect's five, a play's status, metadata
// and sequence header) leave together: one write each costs a wake-up at every hop of a route
// (the proxy's reader and writer, the peer's reader). Past QueueLimit bytes a write sends at
// once. It returns f's error, else the send's.
func (c *Conn) Together(ctx context.Context, f func() error) error {
	c.hold()
	err := f()
	if rerr := c.release(ctx); err == nil {
		err = rerr
	}
	return err
}

// hold makes every later write queue its message until release. Holds nest.
func (c *Conn) hold() {
	c.wmu.Lock()
	c.holds++
	c.wmu.Unlock()
}

// release ends a hold; the last one sends what the holds queued.
func (c *Conn) release(ctx context.Context) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.holds == 0 {
		return errors.New("rtmp release: no hold")
	}
	if c.holds--; c.holds > 0 {
		return nil
	}
	if err := c.sendLocked(ctx); err != nil {
		return fmt.Errorf("rtmp release: %w", err)
	}
	return nil
}

// encodeLocked chunks a message into the output buffer, after any queued message.
func (c *Conn) encodeLocked(ctx context.Context, csid int, ts, streamID uint32, typeID byte, body []byte) error {
	if len(body) > 0xffffff {
		return fmt.Errorf("message of %d bytes exceeds 16 MiB", len(body))
	}
	if c.broken != nil {
		return c.broken
	}
	if err := ctx.Err(); err != nil {
		return err // nothing sent
	}
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
	c.reserve(n + len(body) + (len(body)-1)/int(c.chunkSize))
	c.out = append(c.out, hdr[:n]...)
	for first := true; first || len(body) > 0; first = false {
		if !first {
			// fmt 3 continuation. go-rtmp's reader does not expect the extended timestamp
			// to be repeated here, so it is not (timestamps past 4.6 h are out of scope).
			c.out = append(c.out, 0xC0|byte(csid))
		}
		k := min(len(body), int(c.chunkSize))
		c.out = append(c.out, body[:k]...)
		body = body[k:]
	}
	c.queued++
	return nil
}

// sendLocked writes the output buffer — every queued message and the last one encoded — in
// one system call, within ctx and WriteTimeout, and empties it whatever happens.
func (c *Conn) sendLocked(ctx context.Context) error {
	if len(c.out) == 0 {
		return nil
	}
	defer func() { c.emptyOut(); c.queued = 0 }()
	dl := time.Now().Add(c.opts.WriteTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	c.startWrite(ctx, dl)
	sent, err := c.nc.Write(c.out)
	c.endWrite()
	switch {
	case err == nil:
		return nil
	case sent > 0: // part of a message is on the wire: the stream is corrupt from here on
		c.broken = fmt.Errorf("connection unusable: a write stopped after %d of %d bytes: %w", sent, len(c.out), err)
		_ = c.Close()
		return c.writeErr(ctx, c.broken)
	default:
		return c.writeErr(ctx, err)
	}
}

// QueueLimit is how many bytes Queue holds before it sends them.
const QueueLimit = 256 << 10

// Queue chunks a message whose body is already encoded (relayed media) into the connection's
// output without sending it: it goes out with the next Flush or the next write, in order,
// with every other queued message in one system call — a live relay's way to spend fewer
// system calls per message. It returns how many messages are queued; past QueueLimit bytes
// they are sent at once.
func (c *Conn) Queue(ctx context.Context, csid int, ts, streamID uint32, typeID byte, body []byte) (int, error) {
	if csid < 2 || csid > 63 {
		return 0, fmt.Errorf("rtmp queue: chunk stream id %d outside 2..63", csid)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.encodeLocked(ctx, csid, ts, streamID, typeID, body); err != nil {
		return c.queued, fmt.Errorf("rtmp queue type %d: %w", typeID, err)
	}
	if len(c.out) >= QueueLimit {
		if err := c.sendLocked(ctx); err != nil {
			return 0, fmt.Errorf("rtmp queue: send: %w", err)
		}
	}
	return c.queued, nil
}

// Flush sends the queued messages, if any.
func (c *Conn) Flush(ctx context.Context) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.sendLocked(ctx); err != nil {
		return fmt.Errorf("rtmp flush: %w", err)
	}
	return nil
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

// encodeArgs encodes command and data arguments, deterministically (amf0.Encode: objects'
// keys sorted, ECMA arrays in their own order).
func encodeArgs(args []any) ([]byte, error) { return amf0.Encode(args...) }
