package gateway

import "testing"

func TestHundredths(t *testing.T) {
	for s, want := range map[string]int64{
		"20": 2000, "0.5": 50, ".5": 50, "5.": 500, "12.34": 1234, "100": 10000,
		"1.234": -1, "": -1, "a": -1, "1..2": -1, ".": 0,
	} {
		n, ok := hundredths(s)
		if !ok && want != -1 || ok && int64(n) != want {
			t.Errorf("hundredths(%q) = %d, %v; want %d", s, n, ok, want)
		}
	}
}

// MurmurHash2's edges; its values are checked against nginx's through
// the split-clients fixture, where 16 keys land in the parts nginx
// puts them in.
func TestMurmurHash2(t *testing.T) {
	if murmurHash2("") != 0 {
		t.Errorf("empty: %d", murmurHash2(""))
	}
	if a, b := murmurHash2("127.0.0.1"), murmurHash2("127.0.0.2"); a == b {
		t.Error("two keys, one hash")
	}
}
