package logwriter

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// sink records every write the Writer makes.
type sink struct {
	mu     sync.Mutex
	writes []string
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes = append(s.writes, string(p))
	return len(p), nil
}

func (s *sink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.writes, "")
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.writes)
}

// Lines written close together reach the terminal together, within
// Delay, in order, in one write.
func TestLinesArriveWithinDelayInOneWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s sink
		w := New(&s)
		for i := range 100 {
			fmt.Fprintf(w, "line %d\n", i)
		}
		if s.count() != 0 {
			t.Fatalf("written before Delay: %q", s.writes)
		}
		time.Sleep(Delay)
		synctest.Wait()
		var want strings.Builder
		for i := range 100 {
			fmt.Fprintf(&want, "line %d\n", i)
		}
		if s.text() != want.String() || s.count() != 1 {
			t.Errorf("after Delay: %d writes of %q, want one of all 100 lines in order", s.count(), s.text())
		}
		// Nothing pending: no timer left behind, nothing more written.
		time.Sleep(10 * Delay)
		synctest.Wait()
		if s.count() != 1 {
			t.Errorf("%d writes, want 1", s.count())
		}
	})
}

func TestCloseWritesEverythingAndLaterWritesGoStraightThrough(t *testing.T) {
	var s sink
	w := New(&s)
	fmt.Fprintln(w, "before")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if s.text() != "before\n" {
		t.Fatalf("after Close: %q", s.text())
	}
	fmt.Fprintln(w, "after")
	if s.text() != "before\nafter\n" {
		t.Errorf("a write after Close: %q", s.text())
	}
}

// A full batch is written by the writer that filled it, before its own
// line, so order holds and memory stays bounded.
func TestFullBatchIsWrittenAtOnce(t *testing.T) {
	var s sink
	w := New(&s)
	line := strings.Repeat("x", 1023) + "\n"
	for range maxPending/len(line) + 1 {
		w.Write([]byte(line))
	}
	if s.count() == 0 {
		t.Fatal("nothing written with more than maxPending waiting")
	}
	w.Close()
	if got, want := len(s.text()), (maxPending/len(line)+1)*len(line); got != want {
		t.Errorf("%d bytes written, want %d", got, want)
	}
}

// Berth's own lines (stderr) and the services' (stdout) keep the order
// they were written in when both go to one terminal.
func TestPairKeepsOrderAcrossStreams(t *testing.T) {
	var s sink
	out, errw := Pair(&s, &s)
	fmt.Fprintln(errw, "berth: starting web")
	fmt.Fprintln(out, "web | listening")
	fmt.Fprintln(errw, "berth: web is healthy")
	errw.Close()
	want := "berth: starting web\nweb | listening\nberth: web is healthy\n"
	if s.text() != want {
		t.Errorf("terminal shows %q, want %q", s.text(), want)
	}
}

// Many goroutines logging at once: every line arrives whole.
func TestConcurrentWritersKeepLinesWhole(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	w := New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				fmt.Fprintf(w, "g%d line %d\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Close()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 16000 {
		t.Fatalf("%d lines, want 16000", len(lines))
	}
	next := map[string]int{}
	for _, l := range lines {
		var g string
		var i int
		if _, err := fmt.Sscanf(l, "%s line %d", &g, &i); err != nil || next[g] != i {
			t.Fatalf("line %q out of order or torn (want %s line %d)", l, g, next[g])
		}
		next[g]++
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A line written while a batch goes out never lands in that batch's
// buffer: after a flush with nothing pending, the next batch and the
// lines written during its write once shared an array, and the batch
// went out overwritten (lines lost under load).
func TestLinesWrittenDuringAFlushKeepTheirOwnBuffer(t *testing.T) {
	var got bytes.Buffer
	var w *Writer
	w = New(writerFunc(func(p []byte) (int, error) {
		if string(p) == "b\n" {
			fmt.Fprint(w, "c\n") // a line arriving while "b" goes out
		}
		return got.Write(p)
	}))
	fmt.Fprint(w, "a\n")
	w.Flush()
	w.Flush() // nothing pending
	fmt.Fprint(w, "b\n")
	w.Flush()
	w.Close()
	if got.String() != "a\nb\nc\n" {
		t.Errorf("wrote %q, want a, b, c", got.String())
	}
}
