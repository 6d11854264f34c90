// Package logwriter batches what Berth's commands print to stderr. Under
// load the gateway's access log is a line per request, and a write system
// call per line cost more than formatting it; batched, a busy second
// takes a few dozen calls.
//
// A line waits at most Delay before it is written, as with nginx's
// `access_log ... flush=`. Flush and Close write everything at once, and
// the stdout of Pair writes stderr's pending lines before its own, so a
// terminal shows both streams in the order they were written.
package logwriter

import (
	"io"
	"sync"
	"time"
)

// Delay is the longest a line waits before it is written.
const Delay = 20 * time.Millisecond

// maxPending is how much may wait: a writer that fills it writes
// everything itself, so a slow terminal slows the writers, not memory.
const maxPending = 64 << 10

// Writer batches writes to an underlying writer. It is safe for
// concurrent use; writes keep their order.
type Writer struct {
	out io.Writer

	outMu sync.Mutex // held while writing out, so batches keep their order

	mu      sync.Mutex // guards the fields below
	pending []byte
	spare   []byte      // the last batch's buffer, reused
	timer   *time.Timer // armed while something is pending
	closed  bool
}

// New returns a Writer that writes to out.
func New(out io.Writer) *Writer { return &Writer{out: out} }

// Pair returns a command's stdout and its batched stderr: whatever is
// written to the stdout returned first writes what stderr holds.
func Pair(stdout, stderr io.Writer) (io.Writer, *Writer) {
	w := New(stderr)
	return &afterPending{w: w, out: stdout}, w
}

// Write keeps p to be written within Delay, or writes everything pending
// at once when maxPending is reached or the Writer is closed.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed || len(w.pending)+len(p) >= maxPending {
		w.mu.Unlock()
		w.outMu.Lock()
		defer w.outMu.Unlock()
		if err := w.flush(false); err != nil {
			return 0, err
		}
		return w.out.Write(p)
	}
	w.pending = append(w.pending, p...)
	if w.timer == nil {
		w.timer = time.AfterFunc(Delay, func() { w.Flush() })
	}
	w.mu.Unlock()
	return len(p), nil
}

// Flush writes everything pending now.
func (w *Writer) Flush() error {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	return w.flush(false)
}

// Close writes everything pending; later writes go straight through.
func (w *Writer) Close() error {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	return w.flush(true)
}

// flush writes the pending batch; the caller holds outMu. The spare
// buffer becomes the pending one and stops being the spare, so the batch
// being written and the lines written meanwhile never share an array (an
// empty flush that swapped buffers once left them sharing one, and the
// next batch was overwritten while it went out).
func (w *Writer) flush(closing bool) error {
	w.mu.Lock()
	w.closed = w.closed || closing
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if len(w.pending) == 0 {
		w.mu.Unlock()
		return nil
	}
	batch := w.pending
	w.pending, w.spare = w.spare[:0], nil
	w.mu.Unlock()
	_, err := w.out.Write(batch)
	w.mu.Lock()
	w.spare = batch[:0]
	w.mu.Unlock()
	return err
}

// afterPending is Pair's stdout.
type afterPending struct {
	w   *Writer
	out io.Writer
}

func (a *afterPending) Write(p []byte) (int, error) {
	a.w.outMu.Lock()
	defer a.w.outMu.Unlock()
	if err := a.w.flush(false); err != nil {
		return 0, err
	}
	return a.out.Write(p)
}
