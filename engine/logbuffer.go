package engine

import (
	"sync"
	"time"
)

// Stream is which output a line came from.
type Stream string

const (
	Stdout Stream = "stdout"
	Stderr Stream = "stderr"
)

// Line is one line of a service's output, or, for a follower, a marker of
// lines it missed.
type Line struct {
	Seq     uint64 // per service, from 1, never reused
	At      time.Time
	Service string
	Stream  Stream
	Text    string // without its newline
	// Cont: Text is a piece of a line longer than MaxLineBytes; the next
	// line of the same stream continues it.
	Cont bool
	// Skipped > 0 marks a gap: a follower fell so far behind that this
	// many lines left the buffer before it read them. Text is empty.
	Skipped uint64
}

// lineOverhead is what a line costs besides its text, for the byte cap.
const lineOverhead = 64

// logBuffer is one service's ring of lines, bounded both in lines and in
// bytes, so a chatty service only ever pushes out its own lines and
// memory stays flat under a flood.
type logBuffer struct {
	service  string
	maxLines int
	maxBytes int
	changed  *broadcast // fired after lines are added

	mu    sync.Mutex // guards the fields that follow
	ring  []Line     // grows up to maxLines, then wraps
	head  int        // index of the oldest line
	n     int        // lines held
	bytes int
	next  uint64 // Seq of the next line
}

func newLogBuffer(service string, maxLines, maxBytes int, changed *broadcast) *logBuffer {
	return &logBuffer{service: service, maxLines: maxLines, maxBytes: maxBytes, changed: changed, next: 1}
}

// add appends lines (Seq and Service filled in here), dropping the oldest
// as needed.
func (b *logBuffer) add(lines []Line) {
	if len(lines) == 0 {
		return
	}
	b.mu.Lock()
	for _, l := range lines {
		l.Seq, l.Service = b.next, b.service
		b.next++
		for b.n > 0 && (b.n >= b.maxLines || b.bytes+lineCost(l) > b.maxBytes) {
			b.dropOldestLocked()
		}
		if b.n == len(b.ring) {
			// Full but below maxLines (the byte cap dropped lines while
			// it grew): unwrap and grow.
			b.unwrapLocked()
			b.ring = append(b.ring, l)
		} else {
			b.ring[(b.head+b.n)%len(b.ring)] = l
		}
		b.n++
		b.bytes += lineCost(l)
	}
	b.mu.Unlock()
	b.changed.fire()
}

func (b *logBuffer) dropOldestLocked() {
	b.bytes -= lineCost(b.ring[b.head])
	b.ring[b.head] = Line{}
	b.head = (b.head + 1) % len(b.ring)
	b.n--
}

// unwrapLocked puts the oldest line first, so the ring can grow by append.
func (b *logBuffer) unwrapLocked() {
	if b.head == 0 {
		return
	}
	r := make([]Line, b.n, b.n+1)
	copy(r, b.ring[b.head:])
	copy(r[len(b.ring)-b.head:], b.ring[:b.head])
	b.ring, b.head = r, 0
}

func lineCost(l Line) int { return len(l.Text) + lineOverhead }

// since returns the lines from Seq from on, and how many lines before
// them (from there) were already dropped.
func (b *logBuffer) since(from uint64) (lines []Line, skipped uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	oldest := b.next - uint64(b.n)
	from = max(from, 1)
	if from < oldest {
		skipped = oldest - from
		from = oldest
	}
	for s := from; s < b.next; s++ {
		lines = append(lines, b.ring[(b.head+int(s-oldest))%len(b.ring)])
	}
	return lines, skipped
}

// tailStart is the Seq of the last n lines held (n < 0: all of them).
func (b *logBuffer) tailStart(n int) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n < 0 || n > b.n {
		n = b.n
	}
	return b.next - uint64(n)
}

// nextSeq is the Seq the next line will get.
func (b *logBuffer) nextSeq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.next
}
