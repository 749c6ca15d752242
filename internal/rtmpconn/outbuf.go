package rtmpconn

import (
	"sync"
	"sync/atomic"
)

// The output buffer: a connection keeps a small one for its life, and borrows a larger one
// from a pool shared by every connection only while a large message (a key frame, a play's
// burst, a relay's queue) is chunked and sent, so a thousand connections that once sent a
// large message do not each go on holding an array of its size.

// keepOut is the largest output buffer a connection keeps between sends.
const keepOut = 4 << 10

// bigOut holds output buffers larger than keepOut between the sends of any connection.
var bigOut sync.Pool // of *[]byte

// bigOutMade counts the large output buffers made because the pool had none large enough.
var bigOutMade atomic.Int64

// reserve makes room in the output buffer for n more bytes.
func (c *Conn) reserve(n int) {
	need := len(c.out) + n
	if need <= cap(c.out) {
		return
	}
	if need <= keepOut {
		grown := make([]byte, len(c.out), min(max(need, 2*cap(c.out)), keepOut))
		copy(grown, c.out)
		c.out, c.own = grown, grown[:0]
		return
	}
	b := borrowOut(need, 2*cap(c.out))
	b = append(b, c.out...)
	if c.borrowing() {
		returnOut(c.out)
	}
	c.out = b
}

// borrowing tells whether the output buffer is one from the pool: only those are larger than
// keepOut.
func (c *Conn) borrowing() bool { return cap(c.out) > keepOut }

// emptyOut empties the output buffer after a send: a borrowed one goes back to the pool and
// the connection's own small one is used again.
func (c *Conn) emptyOut() {
	if !c.borrowing() {
		c.out = c.out[:0]
		return
	}
	returnOut(c.out)
	c.out = c.own[:0]
}

// borrowOut takes an empty buffer with room for need bytes from the pool, or makes one of
// max(need, size) when the pool has none that large.
func borrowOut(need, size int) []byte {
	if p, _ := bigOut.Get().(*[]byte); p != nil {
		if cap(*p) >= need {
			return (*p)[:0]
		}
		bigOut.Put(p)
	}
	bigOutMade.Add(1)
	return make([]byte, 0, max(need, size))
}

// returnOut puts a borrowed buffer back in the pool.
func returnOut(b []byte) {
	b = b[:0]
	bigOut.Put(&b)
}
