package gateway

import (
	"bytes"
	"io"
)

// replayLimit is how much of a request body Berth keeps to send again:
// nginx's default client_max_body_size, so only a config that raises it
// can have a body too long to resend.
const replayLimit = 1 << 20

// replayBody lets a request body go to the next upstream after one took
// it. nginx reads the whole body (to memory or a temp file) before it
// sends it, so it can always resend; Berth streams the body and keeps a
// copy as it goes. A body longer than replayLimit goes once, as with
// proxy_request_buffering off: a request sent with it is not retried.
type replayBody struct {
	src   io.Reader
	kept  []byte
	whole bool  // src was read to its end, all of it in kept
	over  bool  // longer than replayLimit: kept is dropped
	read  int64 // bytes read from src
}

func newReplayBody(src io.Reader) *replayBody {
	if src == nil {
		return nil
	}
	return &replayBody{src: src}
}

// reader is the body for the next attempt: src itself until some of it
// was read, then a copy of it.
func (b *replayBody) reader() io.Reader {
	switch {
	case b == nil:
		return nil
	case b.read == 0 && !b.whole:
		return b // nothing went out yet (a connect failed, say)
	case b.resendable():
		return bytes.NewReader(b.kept)
	}
	return b
}

// again is the body for a location the request continues at once an
// upstream answered (X-Accel-Redirect, an intercepted error): all of it,
// or nil when it cannot be had again.
func (b *replayBody) again() io.Reader {
	if b == nil || !b.resendable() {
		return nil
	}
	return b.reader()
}

// resendable reports whether another attempt can have the whole body,
// reading what the last attempt left of it first, as nginx would have.
func (b *replayBody) resendable() bool {
	if b == nil || b.whole || b.read == 0 {
		return true
	}
	if b.over {
		return false
	}
	_, err := io.Copy(io.Discard, b)
	return err == nil && b.whole
}

func (b *replayBody) Read(p []byte) (int, error) {
	n, err := b.src.Read(p)
	b.read += int64(n)
	if !b.over {
		if len(b.kept)+n > replayLimit {
			b.over, b.kept = true, nil
		} else {
			b.kept = append(b.kept, p[:n]...)
		}
	}
	if err == io.EOF && !b.over {
		b.whole = true
	}
	return n, err
}
