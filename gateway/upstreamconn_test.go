package gateway

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hiddenResponseHeader decides by lower case, as strings.ToLower does,
// for ASCII and non-ASCII names alike.
func TestHiddenResponseHeader(t *testing.T) {
	byLower := func(name string) bool {
		switch strings.ToLower(name) {
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
			"date", "server", "x-pad", "status",
			"x-accel-expires", "x-accel-redirect", "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset":
			return true
		}
		return false
	}
	for _, name := range []string{"Connection", "CONNECTION", "Content-Length", "Content-Type", "TE", "Te", "tE",
		"Date", "X-Accel-Redirect", "x-accel-buffering", "X-Accel-Custom", "x-accel-", "X-Accel", "X-Pad", "Status", "Set-Cookie", "", "T",
		"\u212Aeep-Alive",        // Kelvin sign: lower case "keep-alive"
		"Tran\u017Ffer-Encoding", // long s: folds to s, but its lower case is itself
		"X-Accel-\u00e9", "Server\u00e9"} {
		if got, want := hiddenResponseHeader(name), byLower(name); got != want {
			t.Errorf("hiddenResponseHeader(%q) = %v, want %v", name, got, want)
		}
	}
}

// proxy_read_timeout runs between two reads of the upstream's body, also
// when a chunk's head comes split across two reads: the read that waits
// for its end starts a new timeout, not the one the read before began.
func TestProxyReadTimeoutChunkSplit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	acceptEach(t, ln, func(c net.Conn) {
		go func() {
			defer c.Close()
			br := bufio.NewReader(c)
			for {
				if l, err := br.ReadString('\n'); err != nil || l == "\r\n" {
					break
				}
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			// Each write comes 350 ms after the one before, within
			// the 600 ms timeout, the second one 700 ms after the
			// first read of the body began.
			time.Sleep(350 * time.Millisecond)
			io.WriteString(c, "5\r\nhello\r\n3")
			time.Sleep(350 * time.Millisecond)
			io.WriteString(c, "\r\nabc\r\n0\r\n\r\n")
		}()
	})
	_, addr := startGateway(t, fmt.Sprintf(`server { listen 80; location / { proxy_read_timeout 600ms; proxy_pass http://%s; } }`, ln.Addr()))
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "helloabc" || err != nil {
		t.Errorf("%d %q %v, want 200 %q", resp.StatusCode, b, err, "helloabc")
	}
}

// An upstream answer's read error is invalid_header when the bytes were
// not an answer, error when the connection failed.
func TestAnswerError(t *testing.T) {
	var invalid invalidHeader
	for _, c := range []struct {
		err     error
		invalid bool
	}{
		{io.EOF, false},
		{io.ErrUnexpectedEOF, false},
		{&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, false},
		{os.ErrDeadlineExceeded, false},
		{errors.New(`malformed HTTP response "NOT HTTP"`), true},
		{textproto.ProtocolError("bad header"), true},
	} {
		if got := errors.As(answerError(c.err), &invalid); got != c.invalid {
			t.Errorf("%v: invalid_header %v, want %v", c.err, got, c.invalid)
		}
	}
}
