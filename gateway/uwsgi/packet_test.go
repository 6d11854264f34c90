package uwsgi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// le16 spells a uint16 little-endian, to keep expected packets readable.
func le16(n int) string { return string([]byte{byte(n), byte(n >> 8)}) }

var packetCases = []struct {
	name       string
	mod1, mod2 byte
	vars       []Var
	want       string
}{
	{name: "empty", want: "\x00\x00\x00\x00"},
	{
		name: "one var",
		vars: []Var{{"A", "b"}},
		want: "\x00" + le16(6) + "\x00" + le16(1) + "A" + le16(1) + "b",
	},
	{
		name: "empty value is sent",
		vars: []Var{{"CONTENT_TYPE", ""}},
		want: "\x00" + le16(16) + "\x00" + le16(12) + "CONTENT_TYPE" + le16(0),
	},
	{
		name: "modifiers, duplicates and order kept",
		mod1: 30, mod2: 5,
		vars: []Var{{"LOC", "loc"}, {"B", ""}, {"LOC", "loc2"}},
		want: "\x1e" + le16(26) + "\x05" +
			le16(3) + "LOC" + le16(3) + "loc" +
			le16(1) + "B" + le16(0) +
			le16(3) + "LOC" + le16(4) + "loc2",
	},
	{
		name: "lengths over 255 are little-endian",
		vars: []Var{{"K", strings.Repeat("v", 300)}},
		want: "\x00" + le16(305) + "\x00" + le16(1) + "K" + "\x2c\x01" + strings.Repeat("v", 300),
	},
	{
		name: "largest block",
		vars: []Var{{"K", strings.Repeat("v", MaxVarsSize-5)}},
		want: "\x00\xff\xff\x00" + le16(1) + "K" + le16(MaxVarsSize-5) + strings.Repeat("v", MaxVarsSize-5),
	},
}

func TestAppendPacket(t *testing.T) {
	for _, tc := range packetCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendPacket([]byte("prefix"), tc.mod1, tc.mod2, tc.vars)
			if err != nil {
				t.Fatalf("AppendPacket: %v", err)
			}
			if want := "prefix" + tc.want; string(got) != want {
				t.Errorf("packet mismatch\n got %q\nwant %q", trim(got), trim([]byte(want)))
			}
		})
	}
}

// AppendPairs lays pairs out exactly as AppendPacket lays vars, and
// PairsSize is the length it adds.
func TestAppendPairs(t *testing.T) {
	for _, tc := range packetCases {
		t.Run(tc.name, func(t *testing.T) {
			pairs := make([][2]string, len(tc.vars))
			for i, v := range tc.vars {
				pairs[i] = [2]string{v.Key, v.Value}
			}
			got, err := AppendPairs([]byte("prefix"), tc.mod1, tc.mod2, pairs)
			if err != nil {
				t.Fatalf("AppendPairs: %v", err)
			}
			if want := "prefix" + tc.want; string(got) != want {
				t.Errorf("packet mismatch\n got %q\nwant %q", trim(got), trim([]byte(want)))
			}
			if n := PairsSize(pairs); n != len(tc.want) {
				t.Errorf("PairsSize = %d, want %d", n, len(tc.want))
			}
		})
	}
}

// trim keeps failure messages short for the big cases.
func trim(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}

func TestAppendPacketTooBig(t *testing.T) {
	for _, vars := range [][]Var{
		{{"K", strings.Repeat("v", MaxVarsSize-4)}},
		{{"A", strings.Repeat("v", 40000)}, {"B", strings.Repeat("v", 40000)}},
	} {
		dst := []byte("keep")
		got, err := AppendPacket(dst, 0, 0, vars)
		if !errors.Is(err, ErrTooBig) {
			t.Fatalf("err = %v, want ErrTooBig", err)
		}
		if string(got) != "keep" {
			t.Errorf("dst changed on error: %q", trim(got))
		}
	}
}

func TestReadPacketRoundTrip(t *testing.T) {
	for _, tc := range packetCases {
		t.Run(tc.name, func(t *testing.T) {
			wire, err := AppendPacket(nil, tc.mod1, tc.mod2, tc.vars)
			if err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(io.MultiReader(bytes.NewReader(wire), strings.NewReader("BODY")))
			p, err := ReadPacket(r)
			if err != nil {
				t.Fatalf("ReadPacket: %v", err)
			}
			if p.Modifier1 != tc.mod1 || p.Modifier2 != tc.mod2 {
				t.Errorf("modifiers = %d,%d, want %d,%d", p.Modifier1, p.Modifier2, tc.mod1, tc.mod2)
			}
			if len(p.Vars) != len(tc.vars) {
				t.Fatalf("got %d vars, want %d", len(p.Vars), len(tc.vars))
			}
			for i := range p.Vars {
				if p.Vars[i] != tc.vars[i] {
					t.Errorf("var %d = %q, want %q", i, trim([]byte(p.Vars[i].Key+"="+p.Vars[i].Value)), trim([]byte(tc.vars[i].Key+"="+tc.vars[i].Value)))
				}
			}
			rest, _ := io.ReadAll(r)
			if string(rest) != "BODY" {
				t.Errorf("body after packet = %q, want BODY", rest)
			}
		})
	}
}

func TestReadPacketErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"nothing", "", io.EOF},
		{"cut header", "\x00\x05", io.ErrUnexpectedEOF},
		{"cut block", "\x00" + le16(6) + "\x00" + le16(1) + "A", io.ErrUnexpectedEOF},
		{"key length past end", "\x00" + le16(3) + "\x00" + le16(9) + "A", ErrMalformed},
		{"value length past end", "\x00" + le16(6) + "\x00" + le16(1) + "A" + le16(2) + "b", ErrMalformed},
		{"key without value", "\x00" + le16(3) + "\x00" + le16(1) + "A", ErrMalformed},
		{"one stray byte", "\x00" + le16(1) + "\x00" + "x", ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadPacket(bufio.NewReader(strings.NewReader(tc.in)))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want == io.EOF && err != io.EOF {
				t.Errorf("clean end must be io.EOF itself, got %#v", err)
			}
		})
	}
}

func TestPacketLookupLastWins(t *testing.T) {
	p := Packet{Vars: []Var{{"HTTP_X_FOO", "1"}, {"A", "a"}, {"HTTP_X_FOO", "2"}}}
	if v, ok := p.Lookup("HTTP_X_FOO"); !ok || v != "2" {
		t.Errorf("Lookup = %q,%v, want 2,true", v, ok)
	}
	if _, ok := p.Lookup("http_x_foo"); ok {
		t.Error("Lookup must be case-sensitive, as uWSGI's environ is")
	}
}

func FuzzReadPacket(f *testing.F) {
	for _, tc := range packetCases[:5] {
		wire, _ := AppendPacket(nil, tc.mod1, tc.mod2, tc.vars)
		f.Add(wire)
	}
	f.Add([]byte("\x00\xff\xff\x00\xff\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ReadPacket(bufio.NewReader(bytes.NewReader(in)))
		if err != nil {
			return
		}
		// A packet that decodes re-encodes to exactly the bytes it came from.
		again, err := AppendPacket(nil, p.Modifier1, p.Modifier2, p.Vars)
		if err != nil {
			t.Fatalf("re-encoding a decoded packet: %v", err)
		}
		if !bytes.HasPrefix(in, again) {
			t.Fatalf("re-encoded %q is not a prefix of the input %q", again, in)
		}
	})
}
