//go:build unix

package proc

import (
	"errors"
	"syscall"
	"time"
)

// procEntry is one live (not zombie) process.
type procEntry struct{ pid, pgrp int }

// pollEvery is how often terminate looks whether its targets are gone.
const pollEvery = 25 * time.Millisecond

// terminate stops groups with their signal and, where the system lets
// Berth read environments, processes outside them that carry one of the
// markers (a grandchild that left its group with setsid); it waits up to
// grace for all of them, then SIGKILLs what remains.
func terminate(groups map[int]syscall.Signal, tokens []string, grace time.Duration) {
	marks := tokenSet(tokens)
	strays := markedProcs(marks, groups)
	for pgid, sig := range groups {
		if pgid > 1 {
			syscall.Kill(-pgid, sig)
		}
	}
	for _, p := range strays {
		signalStray(p, syscall.SIGTERM)
	}
	for deadline := time.Now().Add(grace); time.Now().Before(deadline) && anyAlive(groups, strays); {
		time.Sleep(pollEvery)
	}
	for pgid := range groups {
		if pgid > 1 {
			syscall.Kill(-pgid, syscall.SIGKILL)
		}
	}
	// Marked processes may fork between a look and a kill: look again
	// until none is left (a few rounds at most, short of a fork bomb).
	for range killRounds {
		left := markedProcs(marks, nil)
		if len(left) == 0 {
			return
		}
		for _, p := range left {
			signalStray(p, syscall.SIGKILL)
		}
		time.Sleep(pollEvery / 2)
	}
}

// killRounds bounds terminate's final look-and-kill rounds.
const killRounds = 20

// signalStray signals a marked process and, when it leads its own group
// (as setsid makes it), the whole group, so that a child it forks at that
// moment is reached too.
func signalStray(p procEntry, sig syscall.Signal) {
	if p.pgrp == p.pid && p.pid > 1 {
		syscall.Kill(-p.pid, sig)
		return
	}
	syscall.Kill(p.pid, sig)
}

// reapLeftovers terminates the recorded groups that still carry their
// run's marker, and any other process with one of those markers. It
// returns the groups it stopped.
func reapLeftovers(entries []recordEntry, grace time.Duration) []int {
	groups := map[int]syscall.Signal{}
	var tokens []string
	for _, e := range entries {
		tokens = append(tokens, e.token)
		if e.pgid > 1 && ownedGroup(e.pgid, e.token) {
			groups[e.pgid] = syscall.SIGTERM
		}
	}
	if len(groups) == 0 && len(markedProcs(tokenSet(tokens), nil)) == 0 {
		return nil
	}
	terminate(groups, tokens, grace)
	out := make([]int, 0, len(groups))
	for pgid := range groups {
		out = append(out, pgid)
	}
	return out
}

// sweep stops the processes still carrying token: after every group has
// ended, those that left their groups.
func sweep(token string, grace time.Duration) {
	terminate(nil, []string{token}, grace)
}

func tokenSet(tokens []string) map[string]bool {
	set := map[string]bool{}
	for _, t := range tokens {
		if t != "" { // an empty marker would match strangers
			set[t] = true
		}
	}
	return set
}

// ownedGroup reports whether a live process in group pgid carries token.
// Where processes cannot be listed it says no: an unverified group is
// never killed.
func ownedGroup(pgid int, token string) bool {
	procs, ok := liveProcs()
	if !ok || pgid <= 1 || token == "" {
		return false
	}
	marks := map[string]bool{token: true}
	for _, p := range procs {
		if p.pgrp == pgid && hasMarker(p.pid, marks) {
			return true
		}
	}
	return false
}

// markedProcs lists live processes outside skip's groups that carry one
// of the markers, never this process.
func markedProcs(marks map[string]bool, skip map[int]syscall.Signal) []procEntry {
	procs, ok := liveProcs()
	if !ok || len(marks) == 0 {
		return nil
	}
	self := syscall.Getpid()
	var out []procEntry
	for _, p := range procs {
		if _, in := skip[p.pgrp]; in || p.pid == self {
			continue
		}
		if hasMarker(p.pid, marks) {
			out = append(out, p)
		}
	}
	return out
}

// anyAlive reports whether a target still has a live process.
func anyAlive(groups map[int]syscall.Signal, strays []procEntry) bool {
	procs, ok := liveProcs()
	if !ok {
		for pgid := range groups {
			if pgid > 1 && !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH) {
				return true
			}
		}
		for _, p := range strays {
			if !errors.Is(syscall.Kill(p.pid, 0), syscall.ESRCH) {
				return true
			}
		}
		return false
	}
	want := map[int]bool{}
	for _, p := range strays {
		want[p.pid] = true
	}
	for _, p := range procs {
		if _, in := groups[p.pgrp]; in || want[p.pid] {
			return true
		}
	}
	return false
}
