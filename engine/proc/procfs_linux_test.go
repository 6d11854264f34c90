package proc

import "testing"

func TestParseStat(t *testing.T) {
	tests := []struct {
		in    string
		pgrp  int
		state byte
		ok    bool
	}{
		{"1234 (sleep) S 1 1234 1234 0 -1 4194304", 1234, 'S', true},
		{"77 (my prog) R 5 70 70 0", 70, 'R', true},
		{"78 (a) b) (c) Z 5 71 71 0", 71, 'Z', true}, // ')' inside the name
		{"79 (x) S 5", 0, 0, false},
		{"80 sleep S 1 2 3", 0, 0, false},
		{"81 (x) S 1 notanumber 3", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		pgrp, state, ok := parseStat([]byte(tt.in))
		if pgrp != tt.pgrp || state != tt.state || ok != tt.ok {
			t.Errorf("parseStat(%q) = %d, %q, %v; want %d, %q, %v", tt.in, pgrp, state, ok, tt.pgrp, tt.state, tt.ok)
		}
	}
}
