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
	src    io.Reader
	kept   []byte
	whole  bool // src was read to its end, all of it in kept
	over   bool // longer than replayLimit: kept is dropped
	handed bool // reader has given out src once
}

func newReplayBody(src io.Reader) *replayBody {
	if src == nil {
		return nil
	}
	return &replayBody{src: src}
}

// reader is the body for the next attempt: src itself the first time,
// then a copy of it.
func (b *replayBody) reader() io.Reader {
	if b == nil {
		return nil
	}
	if !b.handed {
		b.handed = true
		return b
	}
	if b.resendable() {
		return bytes.NewReader(b.kept)
	}
	return b
}

// resendable reports whether another attempt can have the whole body,
// reading what the last attempt left of it first, as nginx would have.
func (b *replayBody) resendable() bool {
	if b == nil || !b.handed || b.whole {
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
