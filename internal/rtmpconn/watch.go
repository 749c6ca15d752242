package rtmpconn

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// HandshakeSize is the bytes each direction of a session starts with before its first chunk:
// C0+C1+C2 from the client, S0+S1+S2 from the server.
const HandshakeSize = 1 + 2*sigSize

// RawMessage is one whole RTMP message as a watcher sees it.
type RawMessage struct {
	// TypeID is the message type (8 audio, 9 video, 18 data, 20 AMF0 command, …).
	TypeID byte
	// StreamID is the message stream id.
	StreamID uint32
	// Timestamp is the message's absolute timestamp in milliseconds.
	Timestamp uint32
	// Payload is the message body; it is the caller's until the next call to Next.
	Payload []byte
}

// MessageReader reads one direction of a session, after its handshake, as whole messages,
// applying that direction's own SetChunkSize and Abort Message on the way: for a wire tap
// that watches a session rather than takes part in it. Its limits are the session's.
type MessageReader struct {
	cr *chunkReader
}

// NewMessageReader reads the messages of r, which starts at the direction's first chunk.
func NewMessageReader(r io.Reader, lim Limits) *MessageReader {
	return &MessageReader{cr: newChunkReader(bufio.NewReaderSize(r, 32*1024), lim)}
}

// Next returns the next whole message. A *ProtocolError means the bytes are not RTMP (or pass
// a limit); reading cannot go on after any error.
func (m *MessageReader) Next() (RawMessage, error) {
	raw, err := m.cr.next()
	if err != nil {
		return RawMessage{}, err
	}
	switch raw.typeID {
	case typeSetChunkSize:
		if len(raw.payload) != 4 {
			return RawMessage{}, protocolErr("SetChunkSize of %d bytes", len(raw.payload))
		}
		if err := m.cr.setChunkSize(binary.BigEndian.Uint32(raw.payload) & 0x7fffffff); err != nil {
			return RawMessage{}, err
		}
	case typeAbort:
		if len(raw.payload) != 4 {
			return RawMessage{}, protocolErr("Abort Message of %d bytes", len(raw.payload))
		}
		m.cr.abort(binary.BigEndian.Uint32(raw.payload))
	}
	return RawMessage{TypeID: raw.typeID, StreamID: raw.streamID, Timestamp: raw.timestamp, Payload: raw.payload}, nil
}

// Command decodes an AMF0 command or data message (types 20, 18, and their AMF3 envelopes 17
// and 15).
func (m RawMessage) Command() (*Command, error) {
	body := m.Payload
	switch m.TypeID {
	case typeCommandAMF3, typeDataAMF3:
		if len(body) == 0 {
			return nil, fmt.Errorf("empty AMF3 message")
		}
		body = body[1:]
	case typeCommandAMF0, typeDataAMF0:
	default:
		return nil, fmt.Errorf("message type %d is not a command", m.TypeID)
	}
	return decodeCommand(body, m.TypeID == typeCommandAMF0 || m.TypeID == typeCommandAMF3)
}
