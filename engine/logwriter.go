package engine

import (
	"bytes"
	"sync"
	"time"
)

// MaxLineBytes is the longest piece of a line the log keeps as one Line;
// longer lines are split into pieces marked Cont, never cut.
const MaxLineBytes = 64 << 10

// lineWriter is the io.Writer a runtime writes one stream of a service
// into: it splits on newlines, stamps each line with the time it arrived
// and adds it to the service's buffer. It never blocks on a reader.
type lineWriter struct {
	buf    *logBuffer
	stream Stream
	now    func() time.Time

	mu      sync.Mutex // guards the fields that follow
	partial []byte     // the line begun but not yet ended
	scratch []Line
}

func newLineWriter(buf *logBuffer, stream Stream, now func() time.Time) *lineWriter {
	return &lineWriter{buf: buf, stream: stream, now: now}
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := w.now()
	lines := w.scratch[:0]
	rest := p
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			w.partial = append(w.partial, rest...)
			for len(w.partial) >= MaxLineBytes {
				lines = append(lines, w.line(at, w.partial[:MaxLineBytes], true))
				w.partial = w.partial[MaxLineBytes:]
			}
			break
		}
		chunk := rest[:i]
		rest = rest[i+1:]
		if len(w.partial) > 0 {
			chunk = append(w.partial, chunk...)
			w.partial = w.partial[:0]
		}
		for len(chunk) > MaxLineBytes {
			lines = append(lines, w.line(at, chunk[:MaxLineBytes], true))
			chunk = chunk[MaxLineBytes:]
		}
		lines = append(lines, w.line(at, chunk, false))
	}
	if len(w.partial) == 0 && cap(w.partial) > MaxLineBytes {
		w.partial = nil // let a flood's long line go
	}
	w.buf.add(lines)
	clear(lines)
	w.scratch = lines[:0]
	return len(p), nil
}

// Flush adds the last line when it has no newline: at the end of a run.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) == 0 {
		return
	}
	w.buf.add([]Line{w.line(w.now(), w.partial, false)})
	w.partial = nil
}

func (w *lineWriter) line(at time.Time, text []byte, cont bool) Line {
	return Line{At: at, Stream: w.stream, Text: string(text), Cont: cont}
}
