package gateway

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// A body goes to the first attempt as it streams in and to later ones
// whole from the copy, also when the first read only part of it; one
// longer than replayLimit goes once.
func TestReplayBody(t *testing.T) {
	body := strings.Repeat("x", 5000) + "end"
	rb := newReplayBody(strings.NewReader(body))
	first := make([]byte, 100)
	if _, err := io.ReadFull(rb.reader(), first); err != nil {
		t.Fatal(err)
	}
	if !rb.resendable() {
		t.Fatal("a short body read in part is not resendable")
	}
	for i := range 2 {
		got, _ := io.ReadAll(rb.reader())
		if string(got) != body {
			t.Errorf("attempt %d got %d bytes, want the whole %d", i+2, len(got), len(body))
		}
	}

	long := newReplayBody(bytes.NewReader(make([]byte, replayLimit+1)))
	if n, _ := io.Copy(io.Discard, long.reader()); n != replayLimit+1 {
		t.Fatalf("first attempt read %d bytes", n)
	}
	if long.resendable() {
		t.Error("a body over replayLimit is resendable")
	}

	// A first attempt that read nothing (its connect failed) leaves the
	// stream to the next, however long.
	untouched := newReplayBody(bytes.NewReader(make([]byte, replayLimit+1)))
	untouched.reader()
	if !untouched.resendable() {
		t.Error("an unread body is not resendable")
	}
	if n, _ := io.Copy(io.Discard, untouched.reader()); n != replayLimit+1 {
		t.Errorf("the attempt after a failed connect read %d bytes, want %d", n, replayLimit+1)
	}

	var none *replayBody = newReplayBody(nil)
	if none.reader() != nil || !none.resendable() {
		t.Error("no body: want a nil reader, resendable")
	}
}
