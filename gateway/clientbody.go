package gateway

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// clientBody is the request body as the gateway reads it: each read
// must arrive within client_body_timeout of the one before, as nginx
// waits for a body, and an error reading it is the client's
// (clientBodyError), never the upstream's the body was going to.
type clientBody struct {
	r       io.Reader
	rc      *http.ResponseController
	timeout time.Duration
}

// clientBodyError is a request body that could not be read: the client
// went away, stopped sending for client_body_timeout, or sent a body
// that does not parse. nginx then closes the connection without an
// answer, and no upstream peer is held to blame.
type clientBodyError struct{ err error }

func (e *clientBodyError) Error() string { return "reading the client's body: " + e.err.Error() }
func (e *clientBodyError) Unwrap() error { return e.err }

// newClientBody wraps a request's body; a request without one is left
// as it is.
func newClientBody(w http.ResponseWriter, req *http.Request, c *Conf) io.Reader {
	if req.Body == nil || req.Body == http.NoBody {
		return req.Body
	}
	return &clientBody{r: req.Body, rc: http.NewResponseController(w), timeout: timeoutSetting(c, "client_body_timeout", 60*time.Second)}
}

func (b *clientBody) Read(p []byte) (int, error) {
	if b.timeout > 0 {
		b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	}
	n, err := b.r.Read(p)
	switch {
	case err == io.EOF:
		// The body is whole: the connection's reads are net/http's
		// again (it watches for the client going away).
		b.rc.SetReadDeadline(time.Time{})
	case err != nil:
		err = &clientBodyError{err}
	}
	return n, err
}

// isClientBodyError reports whether err came from reading the client's
// body.
func isClientBodyError(err error) bool {
	var cb *clientBodyError
	return errors.As(err, &cb)
}
