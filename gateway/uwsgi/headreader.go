package uwsgi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// MaxHeadSize caps the response head (status line and headers) that
// ReadResponseHead accepts. nginx holds the head in one uwsgi_buffer_size
// buffer (4 or 8 KiB by default, up to whatever is configured); 64 KiB
// covers any sane configuration and keeps hostile upstreams bounded.
const MaxHeadSize = 64 << 10

// ErrHeadTooBig is returned when the response head does not end within the
// cap (MaxHeadSize unless given); nginx says "upstream sent too big header".
var ErrHeadTooBig = errors.New("upstream sent too big header")

// headReader hands the parsers one byte at a time: first any bytes being
// re-read (a first line that turned out not to be a status line), then the
// upstream, counting what it takes from the upstream against limit.
type headReader struct {
	r      *bufio.Reader
	limit  int
	replay []byte
	taken  int
}

func (h *headReader) next() (byte, error) {
	if len(h.replay) > 0 {
		c := h.replay[0]
		h.replay = h.replay[1:]
		return c, nil
	}
	if h.taken >= h.limit {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrHeadTooBig, h.limit)
	}
	c, err := h.r.ReadByte()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, fmt.Errorf("upstream closed while sending the response head: %w", err)
	}
	h.taken++
	return c, nil
}
