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

// MurmurHash2 as ngx_murmur_hash2 computes it: values from nginx
// 1.22.1's own function compiled alone, for keys whose lengths reach
// every tail case (1 to 3 bytes left over) and whole words.
func TestMurmurHash2(t *testing.T) {
	for key, want := range map[string]uint32{
		"": 0, "a": 2456313694, "ab": 446775395, "abc": 324500635, "abcd": 646393889,
		"abcde": 1594468574, "127.0.0.1": 3054706065, "user-42": 3766944517,
	} {
		if got := murmurHash2(key); got != want {
			t.Errorf("murmurHash2(%q) = %d, want %d", key, got, want)
		}
	}
}
