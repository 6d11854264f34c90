package proc

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// recordEntry is one process group a Runtime started, with that Runtime's
// marker: a later Berth kills the group only if it still carries it. An
// entry with pgid 0 names only the marker, so that processes which left
// their groups are found even when no group is left.
type recordEntry struct {
	pgid  int
	token string
}

// record is the file of live process groups, rewritten whole on every
// change, so that a Berth that died with its guardian leaves a list the
// next start can reap. A clean Close removes it.
type record struct {
	path  string
	token string

	mu     sync.Mutex // guards groups
	groups map[int]bool
}

func (r *record) add(pgid int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.groups[pgid] = true
	return r.flushLocked()
}

func (r *record) remove(pgid int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.groups, pgid)
	return r.flushLocked()
}

func (r *record) flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushLocked()
}

// flushLocked replaces the file in one rename, so a reader never sees half.
func (r *record) flushLocked() error {
	entries := make([]recordEntry, 0, len(r.groups)+1)
	entries = append(entries, recordEntry{0, r.token})
	for pgid := range r.groups {
		entries = append(entries, recordEntry{pgid, r.token})
	}
	tmp := r.path + ".tmp"
	if err := os.WriteFile(tmp, formatRecord(entries), 0o600); err != nil {
		return fmt.Errorf("writing the process record: %w", err)
	}
	if err := os.Rename(tmp, r.path); err != nil {
		return fmt.Errorf("writing the process record: %w", err)
	}
	return nil
}

// readRecord reads a record; a missing file is an empty one.
func readRecord(path string) ([]recordEntry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the process record: %w", err)
	}
	return parseRecord(data), nil
}

// removeFile deletes the file: the Runtime closed with nothing left behind.
func (r *record) removeFile() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the process record: %w", err)
	}
	return nil
}

// formatRecord writes "run TOKEN" for a marker alone and "PGID TOKEN" for
// a group, sorted.
func formatRecord(entries []recordEntry) []byte {
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].pgid != entries[j].pgid {
			return entries[i].pgid < entries[j].pgid
		}
		return entries[i].token < entries[j].token
	})
	var b bytes.Buffer
	for _, e := range entries {
		if e.pgid == 0 {
			fmt.Fprintf(&b, "run %s\n", e.token)
			continue
		}
		fmt.Fprintf(&b, "%d %s\n", e.pgid, e.token)
	}
	return b.Bytes()
}

// parseRecord skips lines it cannot read: a damaged record must not stop
// Berth from starting, and an unreadable line names nothing to kill.
func parseRecord(data []byte) []recordEntry {
	var out []recordEntry
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		if f[0] == "run" {
			out = append(out, recordEntry{0, f[1]})
			continue
		}
		pgid, err := strconv.Atoi(f[0])
		if err != nil || pgid <= 1 {
			continue
		}
		out = append(out, recordEntry{pgid, f[1]})
	}
	return out
}
