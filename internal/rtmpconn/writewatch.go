package rtmpconn

import (
	"context"
	"time"
)

// writeWatch is how a write under way learns that its context ended: one registration
// (context.AfterFunc) per context a connection's writes are made within, not one per write —
// a write's registration cost as much as a tenth of its system call, with 2,000 players.
type writeWatch struct {
	done    <-chan struct{} // the watched context's Done (contexts sharing it end together)
	stop    func() bool     // ends the registration
	writing <-chan struct{} // Done of the context of the write under way; nil: none is
	closed  bool            // the connection is closed: nothing more is watched
}

// startWrite marks a write within ctx as under way and sets its deadline, dl, or CancelGrace
// from now when ctx has ended already; once ctx ends, a write under way within it gets
// CancelGrace to finish.
func (c *Conn) startWrite(ctx context.Context, dl time.Time) {
	c.dlmu.Lock()
	defer c.dlmu.Unlock()
	w := &c.watch
	done := ctx.Done()
	if done != nil && done != w.done && !w.closed {
		if w.stop != nil {
			w.stop()
		}
		w.done, w.stop = done, context.AfterFunc(ctx, func() { c.cancelWrite(done) })
	}
	if grace := time.Now().Add(CancelGrace); ctx.Err() != nil && grace.Before(dl) {
		dl = grace // it ended before the watch could say so
	}
	w.writing = done
	_ = c.nc.SetWriteDeadline(dl)
}

// endWrite marks the write under way as ended: a later end of its context leaves the
// deadline alone (the next write sets its own).
func (c *Conn) endWrite() {
	c.dlmu.Lock()
	c.watch.writing = nil
	c.dlmu.Unlock()
}

// cancelWrite gives a write under way within the context whose Done is done CancelGrace.
func (c *Conn) cancelWrite(done <-chan struct{}) {
	c.dlmu.Lock()
	defer c.dlmu.Unlock()
	if c.watch.writing == done {
		_ = c.nc.SetWriteDeadline(time.Now().Add(CancelGrace))
	}
}

// unwatch ends the watch for good (the connection closes).
func (c *Conn) unwatch() {
	c.dlmu.Lock()
	defer c.dlmu.Unlock()
	if c.watch.stop != nil {
		c.watch.stop()
	}
	c.watch = writeWatch{closed: true}
}
