package nginx

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// maxErrLen is nginx's NGX_MAX_CONF_ERRSTR: nginx formats a configuration
// error into a buffer this big and drops the rest.
const maxErrLen = 1024

// newError builds an *Error, cut to the length nginx would print.
func newError(pos Pos, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if len(msg) > maxErrLen {
		msg = msg[:maxErrLen]
	}
	return &Error{Pos: pos, Msg: msg}
}

// cstr is s as nginx prints a word with "%s": C strings end at the first
// NUL byte.
func cstr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// errnoError is nginx's "msg (errno: text)" form, used when a system call
// fails (open, pread). Like ngx_log_errno, it keeps room for the errno
// part by cutting a long message and marking the cut with "...".
func errnoError(pos Pos, msg string, err error) *Error {
	if len(msg) > maxErrLen-50 {
		msg = msg[:maxErrLen-50] + "..."
	}
	msg += fmt.Sprintf(" (%d: %s)", errnoOf(err), errnoText(err))
	if len(msg) > maxErrLen {
		msg = msg[:maxErrLen]
	}
	return &Error{Pos: pos, Msg: msg, cause: err}
}

func errnoOf(err error) int {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return int(errno)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return int(syscall.ENOENT)
	}
	return int(syscall.EIO)
}

// errnoText is strerror(3) as glibc words it: Go's texts are the same
// table, lower-cased at the start.
func errnoText(err error) string {
	t := syscall.Errno(errnoOf(err)).Error()
	if t == "" {
		return t
	}
	return strings.ToUpper(t[:1]) + t[1:]
}
