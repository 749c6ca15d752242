package fakeclient

import "sync"

// maxQueuedPlays is how many batches of play requests a connection may have waiting to be
// written; a connection with more is beyond help and is closed.
const maxQueuedPlays = 64

// playWriter writes a connection's play requests in the order the loop queued them, on a
// goroutine that runs only while some wait: a player's connection spends nearly all its life
// with nothing to write, and a writer goroutine waiting beside it cost a stack for each of
// thousands of players.
type playWriter struct {
	write func(cmds []play2Cmd) bool // writes one batch; false ends the writer

	mu      sync.Mutex
	queue   [][]play2Cmd
	running bool // a goroutine is writing the queue
	ended   bool // nothing more is written (stopped, or a write failed)
	wg      sync.WaitGroup
}

// newPlayWriter returns a writer that writes each batch with write.
func newPlayWriter(write func(cmds []play2Cmd) bool) *playWriter {
	return &playWriter{write: write}
}

// add queues a batch and starts writing unless a write is under way; it never blocks. It
// reports false when maxQueuedPlays batches already wait. A batch queued after the writer
// ended is dropped (the connection is gone).
func (w *playWriter) add(cmds []play2Cmd) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.ended:
		return true
	case len(w.queue) >= maxQueuedPlays:
		return false
	}
	w.queue = append(w.queue, cmds)
	if !w.running {
		w.running = true
		w.wg.Add(1)
		go w.drain()
	}
	return true
}

// drain writes the queued batches in order and ends when none is left or a write fails.
func (w *playWriter) drain() {
	defer w.wg.Done()
	for {
		w.mu.Lock()
		if w.ended || len(w.queue) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		cmds := w.queue[0]
		w.queue[0] = nil
		w.queue = w.queue[1:]
		w.mu.Unlock()
		if !w.write(cmds) {
			w.mu.Lock()
			w.ended, w.running, w.queue = true, false, nil
			w.mu.Unlock()
			return
		}
	}
}

// stop ends the writer and waits for a write under way; nothing is written once it returns.
func (w *playWriter) stop() {
	w.mu.Lock()
	w.ended = true
	w.mu.Unlock()
	w.wg.Wait()
}
