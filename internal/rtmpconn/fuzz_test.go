package rtmpconn

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzChunkReader feeds arbitrary bytes to the chunk reader and decoder: they must end in a
// message or an error, never a panic, a hang or an allocation past the limits.
func FuzzChunkReader(f *testing.F) {
	f.Add([]byte{0x03, 0, 0, 0, 0, 0, 5, 0x14, 0, 0, 0, 0, 0x02, 0, 2, 'h', 'i'})
	f.Add([]byte{0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0x10, 0})
	f.Add([]byte{0x01, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0x09, 1, 0, 0, 0, 0x17})
	f.Add([]byte{0x06, 0xff, 0xff, 0xff, 0, 0, 2, 0x09, 1, 0, 0, 0, 0, 0, 0, 1, 0x17, 0x01})
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &Conn{opts: Options{}, chunkSize: DefaultChunkSize}
		c.nc = &countingConn{}
		c.cr = newChunkReader(bufio.NewReader(bytes.NewReader(in)), Limits{MaxMessageSize: 1 << 16, MaxBuffered: 1 << 17, MaxChunkStreams: 8})
		for i := 0; i < 1000; i++ {
			raw, err := c.cr.next()
			if err != nil {
				return
			}
			if len(raw.payload) > 1<<16 {
				t.Fatalf("a %d-byte message past the limit", len(raw.payload))
			}
			_ = c.decode(raw, new(Message))
		}
	})
}
