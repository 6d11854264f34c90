package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// fixedNow is a clock for log tests: every call one millisecond later.
func fixedNow() func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time { t = t.Add(time.Millisecond); return t }
}

func texts(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		switch {
		case l.Skipped > 0:
			fmt.Fprintf(&b, "[%s skipped %d]", l.Service, l.Skipped)
		case l.Cont:
			fmt.Fprintf(&b, "%s+", l.Text)
		default:
			fmt.Fprintf(&b, "%s|", l.Text)
		}
	}
	return b.String()
}

func TestLineWriterSplits(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string // before the flush ... after it
	}{
		{"lines", []string{"a\nb\n"}, "a|b| ... a|b|"},
		{"split across writes", []string{"he", "llo\nwor", "ld\n"}, "hello|world| ... hello|world|"},
		{"empty lines kept", []string{"\n\nx\n"}, "||x| ... ||x|"},
		{"partial flushed at exit", []string{"a\npart"}, "a| ... a|part|"},
		{"crlf kept", []string{"a\r\n"}, "a\r| ... a\r|"},
	}
	for _, tc := range tests {
		b := newLogBuffer("s", 100, 1<<20, &broadcast{})
		w := newLineWriter(b, Stdout, fixedNow())
		for _, s := range tc.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Fatalf("Write: %d, %v", n, err)
			}
		}
		before, _ := b.since(0)
		w.Flush()
		after, _ := b.since(0)
		if got := texts(before) + " ... " + texts(after); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLongLinesSplitNotLost(t *testing.T) {
	b := newLogBuffer("s", 100, 64<<20, &broadcast{})
	w := newLineWriter(b, Stderr, fixedNow())
	long := strings.Repeat("x", 2*MaxLineBytes+10)
	// In small writes, and in one write with a line after it.
	for i := 0; i < len(long); i += 1000 {
		w.Write([]byte(long[i:min(i+1000, len(long))]))
	}
	w.Write([]byte("\n" + long + "\nshort\n"))
	lines, _ := b.since(0)
	var shape []string
	var joined strings.Builder
	for _, l := range lines {
		shape = append(shape, fmt.Sprintf("%d%s", len(l.Text), map[bool]string{true: "+"}[l.Cont]))
		joined.WriteString(l.Text)
		if !l.Cont {
			joined.WriteByte('\n')
		}
		if l.Stream != Stderr {
			t.Errorf("stream %s", l.Stream)
		}
	}
	if got, want := strings.Join(shape, " "), "65536+ 65536+ 10 65536+ 65536+ 10 5"; got != want {
		t.Errorf("pieces %s, want %s", got, want)
	}
	if joined.String() != long+"\n"+long+"\nshort\n" {
		t.Error("bytes lost or changed")
	}
}

func TestRingBuffer(t *testing.T) {
	b := newLogBuffer("s", 3, 1<<20, &broadcast{})
	for i := range 5 {
		b.add([]Line{{Text: fmt.Sprint(i)}})
	}
	lines, skipped := b.since(0)
	if texts(lines) != "2|3|4|" || skipped != 2 {
		t.Errorf("got %s skipped %d", texts(lines), skipped)
	}
	if lines[0].Seq != 3 || lines[2].Seq != 5 || lines[0].Service != "s" {
		t.Errorf("seqs %d..%d service %q", lines[0].Seq, lines[2].Seq, lines[0].Service)
	}
	if l, s := b.since(5); texts(l) != "4|" || s != 0 {
		t.Errorf("since 5: %s %d", texts(l), s)
	}
	if l, _ := b.since(6); len(l) != 0 {
		t.Errorf("since the end: %s", texts(l))
	}
	if b.tailStart(2) != 4 || b.tailStart(-1) != 3 || b.tailStart(0) != 6 || b.tailStart(10) != 3 {
		t.Errorf("tailStart %d %d %d", b.tailStart(2), b.tailStart(-1), b.tailStart(0))
	}
}

func TestRingBufferByteCap(t *testing.T) {
	// Room for about four 100-byte lines: big lines push out old ones,
	// then small lines may again fill up to maxLines.
	b := newLogBuffer("s", 10, 4*(100+lineOverhead), &broadcast{})
	for i := range 6 {
		b.add([]Line{{Text: strings.Repeat(fmt.Sprint(i), 100)}})
	}
	lines, _ := b.since(0)
	if len(lines) != 4 || lines[0].Text[0] != '2' {
		t.Fatalf("after big lines: %d lines from %q", len(lines), lines[0].Text[:1])
	}
	for i := range 20 {
		b.add([]Line{{Text: fmt.Sprint(i % 10)}})
	}
	lines, _ = b.since(0)
	if texts(lines) != "0|1|2|3|4|5|6|7|8|9|" {
		t.Errorf("after small lines: %s", texts(lines))
	}
	if b.bytes > b.maxBytes {
		t.Errorf("bytes %d over the cap %d", b.bytes, b.maxBytes)
	}
}

func TestFollowerSkipsAheadWithMarker(t *testing.T) {
	changed := &broadcast{}
	b := newLogBuffer("api", 4, 1<<20, changed)
	f := &Follower{bufs: []*logBuffer{b}, next: []uint64{1}, changed: changed}
	b.add([]Line{{Text: "a"}, {Text: "b"}})
	got, err := f.Next(t.Context())
	if err != nil || texts(got) != "a|b|" {
		t.Fatalf("first: %s %v", texts(got), err)
	}
	for i := range 10 {
		b.add([]Line{{Text: fmt.Sprint(i)}})
	}
	got, _ = f.Next(t.Context())
	if texts(got) != "[api skipped 6]6|7|8|9|" {
		t.Errorf("behind: %s", texts(got))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if got, err := f.Next(ctx); err == nil {
		t.Errorf("nothing new, yet %s", texts(got))
	}
}

// TestFollowerWakesOnNewLines writes only once Next is blocked (a
// synctest bubble says when), so the line must wake it.
func TestFollowerWakesOnNewLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		changed := &broadcast{}
		b := newLogBuffer("api", 10, 1<<20, changed)
		f := &Follower{bufs: []*logBuffer{b}, next: []uint64{b.tailStart(0)}, changed: changed}
		done := make(chan string)
		go func() {
			got, _ := f.Next(t.Context())
			done <- texts(got)
		}()
		synctest.Wait()
		w := newLineWriter(b, Stdout, time.Now)
		w.Write([]byte("hello\n"))
		if got := <-done; got != "hello|" {
			t.Errorf("got %s", got)
		}
	})
}

func TestFollowerMergesServicesInTimeOrder(t *testing.T) {
	changed := &broadcast{}
	now := fixedNow()
	a := newLogBuffer("a", 10, 1<<20, changed)
	b := newLogBuffer("b", 10, 1<<20, changed)
	wa, wb := newLineWriter(a, Stdout, now), newLineWriter(b, Stdout, now)
	wa.Write([]byte("a1\n"))
	wb.Write([]byte("b1\n"))
	wa.Write([]byte("a2\n"))
	wb.Write([]byte("b2\n"))
	f := &Follower{bufs: []*logBuffer{a, b}, next: []uint64{1, 1}, changed: changed}
	got, _ := f.Next(t.Context())
	if texts(got) != "a1|b1|a2|b2|" {
		t.Errorf("merged: %s", texts(got))
	}
}
