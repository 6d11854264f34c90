package engine

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Follower reads the logs of one or more services as lines arrive. It
// keeps a cursor per service and reads from the buffers themselves, so a
// service writing never waits for a follower. A follower that falls behind
// a whole buffer loses nothing it could still read, but skips ahead to the
// oldest line held, with a marker line (Skipped) saying how many it missed.
type Follower struct {
	bufs    []*logBuffer
	next    []uint64 // per buffer, the Seq to read next
	changed *broadcast
}

// Next blocks until there are new lines (or ctx ends) and returns them,
// merged across services in time order.
func (f *Follower) Next(ctx context.Context) ([]Line, error) {
	for {
		ch := f.changed.wait()
		if lines := f.read(); len(lines) > 0 {
			return lines, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// read takes whatever is new in every buffer.
func (f *Follower) read() []Line {
	var all []Line
	for i, b := range f.bufs {
		lines, skipped := b.since(f.next[i])
		if skipped > 0 {
			at := time.Time{}
			if len(lines) > 0 {
				at = lines[0].At
			}
			all = append(all, Line{Service: b.service, At: at, Seq: f.next[i], Skipped: skipped})
		}
		f.next[i] += skipped + uint64(len(lines))
		all = append(all, lines...)
	}
	if len(f.bufs) > 1 {
		slices.SortStableFunc(all, func(a, b Line) int { return a.At.Compare(b.At) })
	}
	return all
}

// Follow follows the named services (all of them when none are named),
// starting with the last tail lines each already holds (tail < 0: all it
// holds, 0: only new lines).
func (s *Supervisor) Follow(tail int, names ...string) (*Follower, error) {
	bufs, err := s.buffers(names)
	if err != nil {
		return nil, err
	}
	f := &Follower{bufs: bufs, next: make([]uint64, len(bufs)), changed: &s.logChanged}
	for i, b := range bufs {
		f.next[i] = b.tailStart(tail)
	}
	return f, nil
}

// Logs returns the lines the named services hold (all services when none
// are named), merged in time order.
func (s *Supervisor) Logs(names ...string) []Line {
	bufs, err := s.buffers(names)
	if err != nil {
		return nil
	}
	var all []Line
	for _, b := range bufs {
		lines, _ := b.since(0)
		all = append(all, lines...)
	}
	if len(bufs) > 1 {
		slices.SortStableFunc(all, func(a, b Line) int { return a.At.Compare(b.At) })
	}
	return all
}

func (s *Supervisor) buffers(names []string) ([]*logBuffer, error) {
	if len(names) == 0 {
		bufs := make([]*logBuffer, len(s.services))
		for i, svc := range s.services {
			bufs[i] = svc.logs
		}
		return bufs, nil
	}
	var bufs []*logBuffer
	for _, n := range names {
		svc, ok := s.byName[n]
		if !ok {
			return nil, fmt.Errorf("no service %q", n)
		}
		bufs = append(bufs, svc.logs)
	}
	return bufs, nil
}
