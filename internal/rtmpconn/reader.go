package rtmpconn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Limits bound what a peer can make a connection hold. Zero fields take the defaults.
type Limits struct {
	// MaxMessageSize is the largest message accepted (default 8 MiB: a 4K keyframe fits).
	MaxMessageSize int
	// MaxBuffered bounds the bytes held in messages not yet complete, over every chunk
	// stream of the connection (default 16 MiB). Memory grows only as data arrives (at most
	// 16 KB ahead of it a chunk stream), never to a declared length.
	MaxBuffered int
	// MaxChunkStreams bounds how many chunk streams a peer may open (default 64).
	MaxChunkStreams int
}

// Default limits of a connection.
const (
	DefaultMaxMessageSize  = 8 << 20
	DefaultMaxBuffered     = 16 << 20
	DefaultMaxChunkStreams = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxMessageSize <= 0 {
		l.MaxMessageSize = DefaultMaxMessageSize
	}
	if l.MaxBuffered <= 0 {
		l.MaxBuffered = DefaultMaxBuffered
	}
	if l.MaxChunkStreams <= 0 {
		l.MaxChunkStreams = DefaultMaxChunkStreams
	}
	return l
}

// ProtocolError is a chunk stream that breaks the RTMP rules or a connection's limits: the
// connection cannot go on, and the error says why.
type ProtocolError struct{ Reason string }

// Error implements error.
func (e *ProtocolError) Error() string { return "rtmp: " + e.Reason }

func protocolErr(format string, args ...any) error {
	return &ProtocolError{Reason: fmt.Sprintf(format, args...)}
}

// chunkStream is one chunk stream's header state and the message it is assembling.
type chunkStream struct {
	timestamp uint32 // of the message being assembled (or the last one)
	delta     uint32 // the last timestamp delta, for type 3 headers that start a message
	length    int
	typeID    byte
	streamID  uint32
	extended  bool   // the last header carried an extended timestamp
	extValue  uint32 // its value, which type 3 chunks may repeat
	buf       []byte // the message so far
}

// chunkReader reads RTMP chunks (RTMP 1.0 §5.3) into messages with every peer-driven size
// bounded: the basic header's 1-, 2- and 3-byte chunk stream ids, message header types 0–3,
// extended timestamps (also when a peer repeats them on type 3 chunks, as librtmp does).
type chunkReader struct {
	r         *bufio.Reader
	lim       Limits
	chunkSize int
	streams   map[uint32]*chunkStream
	buffered  int
	spare     [][]byte // payloads given back (Conn.Recycle), room for the next messages
}

// Spare payloads: how many a connection keeps and the largest it keeps, so that what a
// connection holds between messages stays bounded whatever its peer sends.
const (
	maxSpare     = 2
	maxSpareSize = 64 << 10
)

// room is an empty buffer of at least want bytes' capacity for a message's payload: a spare
// one when there is one that large, else a new one.
func (cr *chunkReader) room(want int) []byte {
	for i, b := range cr.spare {
		if cap(b) >= want {
			last := len(cr.spare) - 1
			cr.spare[i], cr.spare[last] = cr.spare[last], nil
			cr.spare = cr.spare[:last]
			return b[:0]
		}
	}
	return make([]byte, 0, want)
}

// giveBack keeps a payload nobody holds any more as room for a later message, within
// maxSpare buffers of at most maxSpareSize.
func (cr *chunkReader) giveBack(b []byte) {
	if cap(b) == 0 || cap(b) > maxSpareSize || len(cr.spare) >= maxSpare {
		return
	}
	cr.spare = append(cr.spare, b[:0])
}

func newChunkReader(r *bufio.Reader, lim Limits) *chunkReader {
	return &chunkReader{r: r, lim: lim.withDefaults(), chunkSize: DefaultChunkSize, streams: map[uint32]*chunkStream{}}
}

// rawMessage is a complete message.
type rawMessage struct {
	csid      uint32
	timestamp uint32
	typeID    byte
	streamID  uint32
	payload   []byte
}

// setChunkSize applies the peer's SetChunkSize.
func (cr *chunkReader) setChunkSize(n uint32) error {
	if n < 1 || n > 0x7fffffff {
		return protocolErr("peer set invalid chunk size %d", n)
	}
	cr.chunkSize = int(n)
	return nil
}

// abort drops the partial message of a chunk stream (Abort Message).
func (cr *chunkReader) abort(csid uint32) {
	if cs := cr.streams[csid]; cs != nil {
		cr.buffered -= len(cs.buf)
		cs.buf = nil
	}
}

// next reads chunks until a message is complete. I/O errors come back as they are; a
// *ProtocolError means the peer broke the protocol or a limit.
func (cr *chunkReader) next() (rawMessage, error) {
	for {
		m, done, err := cr.chunk()
		if err != nil || done {
			return m, err
		}
	}
}

// chunk reads one chunk; done is true when it completed a message.
func (cr *chunkReader) chunk() (m rawMessage, done bool, err error) {
	format, csid, err := cr.basicHeader()
	if err != nil {
		return rawMessage{}, false, err
	}
	cs := cr.streams[csid]
	if cs == nil {
		if format != 0 {
			return rawMessage{}, false, protocolErr("chunk stream %d starts with a type %d header", csid, format)
		}
		if len(cr.streams) >= cr.lim.MaxChunkStreams {
			return rawMessage{}, false, protocolErr("more than %d chunk streams", cr.lim.MaxChunkStreams)
		}
		cs = &chunkStream{}
		cr.streams[csid] = cs
	}
	if err := cr.messageHeader(cs, csid, format); err != nil {
		return rawMessage{}, false, err
	}
	if err := cr.payload(cs, csid); err != nil {
		return rawMessage{}, false, err
	}
	if len(cs.buf) < cs.length {
		return rawMessage{}, false, nil
	}
	m = rawMessage{csid: csid, timestamp: cs.timestamp, typeID: cs.typeID, streamID: cs.streamID, payload: cs.buf}
	cr.buffered -= len(cs.buf)
	cs.buf = nil
	return m, true, nil
}

// basicHeader reads a chunk's format and its chunk stream id (1, 2 or 3 bytes).
func (cr *chunkReader) basicHeader() (format byte, csid uint32, err error) {
	b0, err := cr.r.ReadByte()
	if err != nil {
		return 0, 0, err
	}
	format, csid = b0>>6, uint32(b0&0x3f)
	switch csid {
	case 0:
		b, err := cr.r.ReadByte()
		if err != nil {
			return 0, 0, eofIsUnexpected(err)
		}
		csid = 64 + uint32(b)
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(cr.r, b[:]); err != nil {
			return 0, 0, eofIsUnexpected(err)
		}
		csid = 64 + uint32(b[0]) + 256*uint32(b[1])
	}
	return format, csid, nil
}

// messageHeader reads a chunk's message header (type 0–3) and extended timestamp into cs.
func (cr *chunkReader) messageHeader(cs *chunkStream, csid uint32, format byte) error {
	starting := len(cs.buf) == 0
	if format < 3 && !starting {
		return protocolErr("chunk stream %d: a type %d header in the middle of a message", csid, format)
	}
	var hdr [11]byte
	sizes := [...]int{11, 7, 3, 0}
	if n := sizes[format]; n > 0 {
		if err := cr.take(hdr[:n]); err != nil {
			return err
		}
	}
	ts := uint32(hdr[0])<<16 | uint32(hdr[1])<<8 | uint32(hdr[2])
	if format < 3 {
		cs.extended = ts == 0xffffff
		if cs.extended {
			var ext [4]byte
			if err := cr.take(ext[:]); err != nil {
				return err
			}
			ts, cs.extValue = binary.BigEndian.Uint32(ext[:]), binary.BigEndian.Uint32(ext[:])
		}
	} else if cs.extended {
		// Some writers repeat the extended timestamp on type 3 chunks, some do not: take it
		// when the next four bytes are that value.
		if p, err := cr.r.Peek(4); err == nil && binary.BigEndian.Uint32(p) == cs.extValue {
			_, _ = cr.r.Discard(4)
		}
	}
	switch format {
	case 0:
		cs.timestamp, cs.delta = ts, 0
	case 1, 2:
		cs.delta = ts
	}
	if format < 2 {
		cs.length = int(hdr[3])<<16 | int(hdr[4])<<8 | int(hdr[5])
		cs.typeID = hdr[6]
	}
	if format == 0 {
		cs.streamID = binary.LittleEndian.Uint32(hdr[7:11])
	}
	if starting && format != 0 {
		cs.timestamp += cs.delta
	}
	if cs.length > cr.lim.MaxMessageSize {
		return protocolErr("chunk stream %d: a message of %d bytes exceeds the limit of %d", csid, cs.length, cr.lim.MaxMessageSize)
	}
	return nil
}

// take reads exactly len(p) bytes (at most the reader's buffer) into p. It does not hand p to
// an io.Reader: a header array passed to io.ReadFull escaped to the heap, one allocation a
// chunk.
func (cr *chunkReader) take(p []byte) error {
	b, err := cr.r.Peek(len(p))
	if err != nil {
		return eofIsUnexpected(err)
	}
	copy(p, b)
	_, _ = cr.r.Discard(len(p))
	return nil
}

// readPiece bounds what one read appends to a message: memory grows with the bytes that
// arrived, never to a length a header declared (a peer's chunk size may be 2 GiB).
const readPiece = 16 << 10

// payload reads a chunk's payload (up to the chunk size) into cs's message.
func (cr *chunkReader) payload(cs *chunkStream, csid uint32) error {
	n := min(cr.chunkSize, cs.length-len(cs.buf))
	if cr.buffered+n > cr.lim.MaxBuffered {
		return protocolErr("more than %d bytes held in incomplete messages", cr.lim.MaxBuffered)
	}
	if cs.buf == nil && n > 0 {
		// A message's first chunk: room for all of it up to readPiece, one allocation for most
		// messages rather than one per chunk as the buffer doubles (no more than a read past
		// the chunk size could take ahead of the bytes anyway).
		cs.buf = cr.room(min(cs.length, readPiece))
	}
	for n > 0 {
		step := min(n, readPiece)
		cs.buf = slices.Grow(cs.buf, step)
		start := len(cs.buf)
		k, err := io.ReadFull(cr.r, cs.buf[start:start+step])
		cs.buf = cs.buf[:start+k]
		cr.buffered += k
		n -= k
		if err != nil {
			return eofIsUnexpected(err)
		}
	}
	return nil
}

func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
