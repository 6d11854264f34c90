package proc

import (
	"reflect"
	"testing"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		in   string
		want []recordEntry
	}{
		{"", nil},
		{"run abc\n", []recordEntry{{0, "abc"}}},
		{"run abc\n123 abc\n456 abc\n", []recordEntry{{0, "abc"}, {123, "abc"}, {456, "abc"}}},
		{"123 abc", []recordEntry{{123, "abc"}}}, // no final newline
		{"1 abc\n0 abc\n-5 abc\n", nil},          // never group 1, 0 or negative: kill(-1) reaches everyone
		{"x abc\n123\n123 abc def\n\n", nil},     // damaged lines are skipped
		{"  77   tok  \n", []recordEntry{{77, "tok"}}},
	}
	for _, tt := range tests {
		if got := parseRecord([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseRecord(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFormatRecordRoundTrip(t *testing.T) {
	entries := []recordEntry{{900, "t1"}, {0, "t1"}, {12, "t1"}}
	got := string(formatRecord(entries))
	if want := "run t1\n12 t1\n900 t1\n"; got != want {
		t.Fatalf("formatRecord = %q, want %q", got, want)
	}
	if back := parseRecord([]byte(got)); !reflect.DeepEqual(back, []recordEntry{{0, "t1"}, {12, "t1"}, {900, "t1"}}) {
		t.Errorf("round trip: %v", back)
	}
}

func TestRecordFile(t *testing.T) {
	r := &record{path: t.TempDir() + "/pgids", token: "tok", groups: map[int]bool{}}
	if err := r.add(42); err != nil {
		t.Fatal(err)
	}
	r.add(7)
	r.remove(42)
	got, err := readRecord(r.path)
	if err != nil || !reflect.DeepEqual(got, []recordEntry{{0, "tok"}, {7, "tok"}}) {
		t.Errorf("readRecord = %v, %v", got, err)
	}
	if err := r.removeFile(); err != nil {
		t.Fatal(err)
	}
	if got, err := readRecord(r.path); got != nil || err != nil {
		t.Errorf("after removeFile: %v, %v", got, err)
	}
}

func TestProcargsEnv(t *testing.T) {
	build := func(argc uint32, parts ...string) []byte {
		b := []byte{byte(argc), byte(argc >> 8), byte(argc >> 16), byte(argc >> 24)}
		for _, p := range parts {
			b = append(b, p...)
			b = append(b, 0)
		}
		return b
	}
	tests := []struct {
		name string
		buf  []byte
		want []string
	}{
		{"typical", build(2, "/bin/sh", "", "", "sh", "-c", "A=1", "BERTH_RUN=x", "", "ptr_munge="), []string{"A=1", "BERTH_RUN=x"}},
		{"no padding", build(1, "/bin/sleep", "sleep", "HOME=/"), []string{"HOME=/"}},
		{"no env", build(1, "/bin/true", "true"), nil},
		{"truncated args", build(5, "/bin/true", "true"), nil},
		{"too short", []byte{1, 0}, nil},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, kv := range procargsEnv(tt.buf) {
			got = append(got, string(kv))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: procargsEnv = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEnvHasMarker(t *testing.T) {
	marks := map[string]bool{"abc": true}
	tests := []struct {
		env  []string
		want bool
	}{
		{[]string{"PATH=/bin", RunEnv + "=abc"}, true},
		{[]string{RunEnv + "=abcd"}, false},
		{[]string{RunEnv + "="}, false},
		{[]string{"X" + RunEnv + "=abc"}, false},
		{[]string{"OTHER=" + RunEnv + "=abc"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		var env [][]byte
		for _, kv := range tt.env {
			env = append(env, []byte(kv))
		}
		if got := envHasMarker(env, marks); got != tt.want {
			t.Errorf("envHasMarker(%q) = %v, want %v", tt.env, got, tt.want)
		}
	}
}
